"""The e-mail about each step of a payout case: one per event, however often the task runs."""

import datetime

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from policies.formatting import money

from ..deadlines import decision_deadline
from ..models import Claim, ClaimEvent
from ..presentation import event_label
from ..rules import document_label
from ..selectors import claim_event_for_notification

S = Claim.Status

SUBJECTS = {
    S.SUBMITTED: _("Заявление о страховом случае № %(number)s принято"),
    S.DOCUMENTS_REQUESTED: _("Убыток № %(number)s: нужны документы"),
    S.UNDER_REVIEW: _("Убыток № %(number)s на рассмотрении"),
    S.APPROVED: _("Убыток № %(number)s: выплата одобрена"),
    S.REFUSED: _("Убыток № %(number)s: решение страховщика"),
    S.PAID: _("Убыток № %(number)s: выплата произведена"),
}


def recipient_of(claim: Claim) -> str:
    """The person who declared the claim; for an older claim, the policy's holder."""
    person = claim.user or claim.policy.holder
    return person.email if person is not None else ""


def _greeting_name(person) -> str:
    """«Алексей Петрович»: the first name and patronymic, as a Russian letter addresses one."""
    if person is None:
        return ""
    return " ".join(p for p in (person.first_name, getattr(person, "middle_name", "")) if p)


def _context(event: ClaimEvent) -> dict:
    claim = event.claim
    base = settings.PORTAL_PUBLIC_URL.rstrip("/")
    person = claim.user or claim.policy.holder
    deadline = decision_deadline(claim)
    details = event.details or {}
    return {
        "claim": claim,
        "event": event,
        "name": _greeting_name(person),
        "event_label": event_label(claim),
        "policy": claim.policy,
        "deadline": deadline,
        "requested": [document_label(code) for code in details.get("requested", [])],
        "amount": money(details["amount"]) if details.get("amount") else "",
        "rule": details.get("rule", ""),
        "paid_on": (
            datetime.date.fromisoformat(details["paid_on"]) if details.get("paid_on") else None
        ),
        "claim_url": f"{base}{reverse('claims:detail', args=[claim.pk])}",
        "hotline": settings.HOTLINE_PHONE_DISPLAY,
    }


def claim_event_email_send(*, event_id: int, now: datetime.datetime | None = None) -> bool:
    """E-mail the person about the step; False when it was sent already or cannot be sent.

    The event row is locked while the message goes out and marked in the same transaction, so
    two runs of the task (a redelivery) send it once."""
    now = now or timezone.now()
    with transaction.atomic():
        event = claim_event_for_notification(event_id)
        if event is None or event.notified_at is not None:
            return False
        to = recipient_of(event.claim)
        if not to or event.to_status not in SUBJECTS:
            return False
        body = render_to_string(f"claims/email/{event.to_status}.txt", _context(event))
        EmailMessage(
            subject=str(SUBJECTS[event.to_status]) % {"number": event.claim.number},
            body=body,
            to=[to],
        ).send()
        event.notified_at = now
        event.save(update_fields=["notified_at"])
    return True
