"""Consents the person gives and withdraws in the cabinet: the separate consent to process health
data (152-FZ art. 9 part 4), versioned with the SHA-256 of the text the person was shown."""

import hashlib

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.accounts.models import AccountEvent, Consent, User
from portal.accounts.selectors import health_consent_forget

from .events import account_event_record

TEXT_TEMPLATES = {Consent.Document.HEALTH_DATA: "accounts/consents/health_data_{version}.txt"}


def consent_text(*, document: str, version: str, user: User | None = None) -> str:
    """The words of a consent document's version, as the person reads them ("" for a document
    whose text is a page of its own: the personal-data consent, the co-pay terms)."""
    template = TEXT_TEMPLATES.get(document)
    if template is None:
        return ""
    return render_to_string(
        template.format(version=version),
        {
            "version": version,
            "insurer": settings.INSURER_NAME,
            "person_name": (user.full_name or user.email) if user else "",
        },
    ).strip()


def consent_text_hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


@transaction.atomic
def health_consent_give(*, user: User, method: str = Consent.Method.PIN) -> Consent:
    """Record the health-data consent of the current version (the caller has checked the PIN).
    Giving it twice keeps the first row."""
    version = settings.CONSENT_HEALTH_DATA_VERSION
    document = Consent.Document.HEALTH_DATA
    health_consent_forget(user)
    existing = Consent.objects.filter(
        user=user, document=document, version=version, withdrawn_at__isnull=True
    ).first()
    if existing is not None:
        return existing
    text = consent_text(document=document, version=version, user=user)
    consent = Consent(
        user=user,
        document=document,
        version=version,
        given_at=timezone.now(),
        text_hash=consent_text_hash(text),
        method=method,
    )
    consent.full_clean()
    consent.save()
    account_event_record(user=user, kind=AccountEvent.Kind.CONSENT_GIVEN, document=document)
    return consent


@transaction.atomic
def health_consent_withdraw(*, user: User) -> int:
    """Withdraw the person's health-data consent (every version still in force): diagnoses and
    service names are hidden from the next page on. A consent never given is refused."""
    now = timezone.now()
    health_consent_forget(user)
    withdrawn = (
        Consent.objects.select_for_update()
        .filter(user=user, document=Consent.Document.HEALTH_DATA, withdrawn_at__isnull=True)
        .update(withdrawn_at=now)
    )
    if not withdrawn:
        raise ValidationError(
            _("Согласие на обработку сведений о здоровье не было дано: отзывать нечего"),
            code="consent_not_given",
        )
    account_event_record(
        user=user, kind=AccountEvent.Kind.CONSENT_WITHDRAWN, document=Consent.Document.HEALTH_DATA
    )
    return withdrawn


@transaction.atomic
def access_log_digest_set(*, user: User, enabled: bool) -> None:
    """Turn the weekly e-mail about staff reads of the person's data on or off."""
    user.access_log_digest = enabled
    user.save(update_fields=["access_log_digest"])
