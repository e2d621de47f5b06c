"""Invitations to the cabinet for new e-mail addresses of the register, each sent once."""

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from ..models import Invitation

SEND_CHUNK = 200


def _message(invitation: Invitation) -> EmailMessage:
    person = invitation.insured_person
    context = {
        "person": person,
        "company": person.contract.policyholder.name,
        "signup_url": settings.PORTAL_PUBLIC_URL.rstrip("/") + reverse("account_signup"),
        "portal_name": settings.PORTAL_NAME,
        "hotline": settings.HOTLINE_PHONE_DISPLAY,
    }
    subject = render_to_string("employers/email/invitation_subject.txt", context).strip()
    body = render_to_string("employers/email/invitation.txt", context)
    return EmailMessage(subject=subject, body=body, to=[invitation.email])


def invitations_send(*, batch_id: int | None = None) -> int:
    """Send the unsent invitations (of one batch, or all), in locked chunks; returns how many
    were sent. Safe to run twice, and by two workers at once: a chunk is locked while it is sent
    (SKIP LOCKED lets the other worker take the next one) and marked sent in the same transaction,
    so that an address is mailed at most once however the task is redelivered."""
    sent = 0
    connection = get_connection()
    while True:
        with transaction.atomic():
            pending = Invitation.objects.filter(sent_at__isnull=True)
            if batch_id is not None:
                pending = pending.filter(batch_id=batch_id)
            chunk = list(
                pending.select_for_update(skip_locked=True, of=("self",))
                .select_related("insured_person__contract__policyholder")
                .order_by("pk")[:SEND_CHUNK]
            )
            if not chunk:
                return sent
            # An address replaced since the invitation was made is not mailed: the new address
            # has its own invitation.
            current = [i for i in chunk if i.insured_person.email.lower() == i.email.lower()]
            connection.send_messages([_message(invitation) for invitation in current])
            Invitation.objects.filter(pk__in=[i.pk for i in chunk]).update(sent_at=timezone.now())
            sent += len(current)
