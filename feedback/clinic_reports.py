"""«Клиника отказала / врач недоступен»: a person's one-tap report lands in the operators' queue
as an appeal with a number and a due date, tied to the clinic."""

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clinics.models import Clinic
from portal.accounts.models import User

from .models import Appeal, AppealMessage
from .services import appeal_due_on, appeal_with_number

COMMENT_MAX_LENGTH = 2000
SUBJECT_MAX_LENGTH = 255


def clinic_refusal_report(
    *,
    user: User,
    clinic: Clinic,
    comment: str = "",
    now: datetime.datetime | None = None,
) -> tuple[Appeal, bool]:
    """Register the report; a second tap the same day on the same clinic, while the first is
    still open, returns the first (False: nothing new was made)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    comment = comment.strip()[:COMMENT_MAX_LENGTH]
    with transaction.atomic():
        open_report = (
            Appeal.objects.select_for_update()
            .filter(
                user=user,
                clinic=clinic,
                kind=Appeal.Kind.CLINIC_REFUSED,
                status__in=[Appeal.Status.NEW, Appeal.Status.IN_PROGRESS],
                created_at__gte=timezone.make_aware(
                    datetime.datetime.combine(today, datetime.time.min)
                ),
            )
            .order_by("-created_at")
            .first()
        )
        if open_report is not None:
            if comment:
                AppealMessage.objects.create(
                    appeal=open_report, author=user, body=comment, sent_at=now
                )
            return open_report, False

        subject = _("Клиника отказала / врач недоступен: %(clinic)s") % {"clinic": clinic.name}

        def create(number: str) -> Appeal:
            appeal = Appeal(
                number=number,
                user=user,
                kind=Appeal.Kind.CLINIC_REFUSED,
                subject=subject[:SUBJECT_MAX_LENGTH],
                due_on=appeal_due_on(registered_on=today),
                clinic=clinic,
            )
            # The number's uniqueness is the database's to enforce: appeal_with_number retries.
            appeal.full_clean(validate_unique=False)
            appeal.save()
            return appeal

        appeal = appeal_with_number(create, year=today.year)
        AppealMessage.objects.create(
            appeal=appeal,
            author=user,
            body=comment
            or _("Клиника отказала в приёме по полису или врач недоступен (отмечено в кабинете)."),
            sent_at=now,
        )
    return appeal, True
