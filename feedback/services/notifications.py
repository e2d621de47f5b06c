"""E-mails of appeals and guarantee letters; each marks its row so it goes out only once."""

import datetime

from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from ..models import AppealMessage, GuaranteeLetter

REMIND_DAYS_BEFORE = 3


def appeal_answer_email_send(*, message_id: int) -> bool:
    """The "your appeal was answered" e-mail for one staff message; False when already sent or
    when there is nothing to send."""
    with transaction.atomic():
        message = (
            AppealMessage.objects.select_for_update()
            .select_related("appeal__user")
            .filter(pk=message_id, from_staff=True, notified_at__isnull=True)
            .first()
        )
        if message is None or not message.appeal.user.email:
            return False
        appeal = message.appeal
        body = render_to_string(
            "feedback/email/appeal_answered.txt",
            {"appeal": appeal, "message": message},
        )
        send_mail(
            f"Ответ на обращение № {appeal.number}",
            body,
            None,
            [appeal.user.email],
        )
        message.notified_at = timezone.now()
        message.save(update_fields=["notified_at"])
    return True


def letters_expiry_remind(*, today: datetime.date | None = None) -> int:
    """Remind of issued letters whose validity ends in REMIND_DAYS_BEFORE days or fewer."""
    today = today or timezone.localdate()
    limit = today + datetime.timedelta(days=REMIND_DAYS_BEFORE)
    sent = 0
    ids = list(
        GuaranteeLetter.objects.filter(
            status=GuaranteeLetter.Status.ISSUED,
            reminded_at__isnull=True,
            valid_until__gte=today,
            valid_until__lte=limit,
        ).values_list("pk", flat=True)
    )
    for pk in ids:
        with transaction.atomic():
            letter = (
                GuaranteeLetter.objects.select_for_update()
                .select_related("user", "clinic")
                .filter(pk=pk, reminded_at__isnull=True)
                .first()
            )
            if letter is None:
                continue
            if letter.user.email:
                body = render_to_string(
                    "feedback/email/letter_expires.txt",
                    {"letter": letter},
                )
                send_mail(
                    f"Гарантийное письмо № {letter.number} скоро истекает",
                    body,
                    None,
                    [letter.user.email],
                )
            letter.reminded_at = timezone.now()
            letter.save(update_fields=["reminded_at"])
            sent += 1
    return sent


def letters_expire(*, today: datetime.date | None = None) -> int:
    """Issued letters past their validity become «истёк срок» (a plain update: safe to repeat)."""
    today = today or timezone.localdate()
    return GuaranteeLetter.objects.filter(
        status=GuaranteeLetter.Status.ISSUED, valid_until__lt=today
    ).update(status=GuaranteeLetter.Status.EXPIRED, updated_at=timezone.now())
