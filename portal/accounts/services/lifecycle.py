"""Ending sessions, unlocking a login, anonymising a deleted account."""

import datetime
import secrets

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.socialaccount.models import SocialAccount
from axes.utils import reset as axes_reset
from django.db import transaction
from django.utils import timezone

from portal.accounts.models import (
    AccountEvent,
    Consent,
    IdentifierChangeRequest,
    PhoneVerification,
    User,
)

from .events import account_event_record


def _rotate_session_token(user: User) -> None:
    user.session_token = secrets.token_hex(16)


@transaction.atomic
def sessions_end_everywhere(*, user: User) -> None:
    """End every session of the user (their session hash changes: see User) and forget every
    remembered device. The caller keeps its own session with update_session_auth_hash."""
    _rotate_session_token(user)
    user.save(update_fields=["session_token"])
    user.remembered_devices.all().delete()
    account_event_record(user=user, kind=AccountEvent.Kind.LOGGED_OUT_EVERYWHERE)


def account_unlock(*, email: str) -> int:
    """Lift django-axes' lockout of the login (any address it was tried from): for the support
    operator's admin action and after a password reset. Returns the number of cleared records."""
    username = email.strip().lower()
    cleared = axes_reset(username=username)
    if cleared:
        user = User.objects.filter(email__iexact=username).first()
        if user is not None:
            account_event_record(user=user, kind=AccountEvent.Kind.UNLOCKED)
    return cleared


@transaction.atomic
def account_anonymise(*, user: User, now: datetime.datetime | None = None) -> None:
    """The accounts' part of deleting an account at the person's request (152-FZ art. 21, the
    whole of it is cabinet.services.account_delete): withdraw the consents and replace every
    personal field of the account; the login stops working everywhere.

    Kept: the account row itself (anonymised), so that what the law keeps stays tied to
    something — the insurer's register rows with their service lines and claims, bought
    policies, appeals and consents with their withdrawal time."""
    now = now or timezone.now()
    old_email = user.email
    Consent.objects.filter(user=user, withdrawn_at__isnull=True).update(withdrawn_at=now)
    user.remembered_devices.all().delete()
    PhoneVerification.objects.filter(user=user).delete()
    IdentifierChangeRequest.objects.filter(
        user=user, status=IdentifierChangeRequest.Status.PENDING
    ).update(status=IdentifierChangeRequest.Status.CANCELLED, decided_at=now)
    IdentifierChangeRequest.objects.filter(user=user).update(old_value="", new_value="")
    EmailAddress.objects.filter(user=user).delete()
    SocialAccount.objects.filter(user=user).delete()
    Authenticator.objects.filter(user=user).delete()
    user.account_events.update(details={})

    user.email = f"deleted-{user.pk}@deleted.invalid"
    user.last_name = ""
    user.first_name = ""
    user.middle_name = ""
    user.no_middle_name = False
    user.birth_date = None
    user.phone = ""
    user.phone_confirmed_at = None
    user.passport = ""
    user.passport_index = ""
    user.pin_hash = ""
    user.set_unusable_password()
    _rotate_session_token(user)
    user.is_active = False
    user.deleted_at = now
    user.save()
    account_event_record(user=user, kind=AccountEvent.Kind.DELETED)
    axes_reset(username=old_email.lower())
