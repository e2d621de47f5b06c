"""Reads of accounts data, limited to the given user."""

import contextlib

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from portal.core.fields import blind_index

from .devices import device_id_hash
from .models import (
    AccountEvent,
    Consent,
    IdentifierChangeRequest,
    PhoneVerification,
    RememberedDevice,
    User,
)


def remembered_device_for_id(device_id: str) -> RememberedDevice | None:
    """The device a cookie names, with its user; None for an unknown or empty id."""
    if not device_id:
        return None
    return (
        RememberedDevice.objects.select_related("user")
        .filter(device_hash=device_id_hash(device_id))
        .first()
    )


def remembered_devices_for_user(user: User) -> QuerySet[RememberedDevice]:
    return RememberedDevice.objects.filter(user=user).order_by("-last_used_at", "-created_at")


def account_events_for_user(user: User, *, limit: int = 20) -> list[AccountEvent]:
    return list(AccountEvent.objects.filter(user=user).order_by("-at", "-pk")[:limit])


def consents_for_user(user: User) -> QuerySet[Consent]:
    return Consent.objects.filter(user=user).order_by("-given_at")


def health_consent_for_user(user: User) -> Consent | None:
    """The person's health-data consent of the current version in force, if given (152-FZ
    art. 9 part 4): without it no page shows their diagnoses or service names."""
    if not user.is_authenticated:
        return None
    return (
        Consent.objects.filter(
            user=user,
            document=Consent.Document.HEALTH_DATA,
            version=settings.CONSENT_HEALTH_DATA_VERSION,
            withdrawn_at__isnull=True,
        )
        .order_by("-given_at")
        .first()
    )


# Where health_consent_given keeps its answer on the user object (the services that give or
# withdraw the consent forget it).
HEALTH_CONSENT_MEMO = "_health_consent_given"


def health_consent_given(user: User) -> bool:
    """Whether the person's health-data consent is in force. Read once per user object: a page
    asks for each line it shows (claims.health)."""
    given = getattr(user, HEALTH_CONSENT_MEMO, None)
    if given is None:
        given = health_consent_for_user(user) is not None
        setattr(user, HEALTH_CONSENT_MEMO, given)
    return given


def health_consent_forget(user: User) -> None:
    """Drop the remembered answer of health_consent_given (the consent was given or withdrawn)."""
    with contextlib.suppress(AttributeError):
        delattr(user, HEALTH_CONSENT_MEMO)


def pending_phone_verification(user: User, *, purpose: str) -> PhoneVerification | None:
    """The user's latest unconfirmed code of the purpose (expired or not: the page says which)."""
    return (
        PhoneVerification.objects.filter(user=user, purpose=purpose, confirmed_at__isnull=True)
        .order_by("-sent_at", "-pk")
        .first()
    )


def user_for_passport(series: str, number: str) -> User | None:
    """The account holding this RF passport (found by its blind index), if any."""
    return User.objects.filter(passport_index=blind_index(f"{series}{number}")).first()


def identifier_change_requests_for_user(user: User) -> QuerySet[IdentifierChangeRequest]:
    """Every change request of the user's own account (object pages look requests up here)."""
    return IdentifierChangeRequest.objects.filter(user=user).select_related("user")


def identifier_change_requests_open_for_user(user: User) -> list[IdentifierChangeRequest]:
    """The requests waiting for the user's confirmation: pending and within their term."""
    return list(
        identifier_change_requests_for_user(user)
        .filter(status=IdentifierChangeRequest.Status.PENDING, expires_at__gt=timezone.now())
        .order_by("created_at")
    )
