"""Writes of the person's appeals: registering one, the thread, the status, and the
"service not provided" dispute of a service line's co-pay.

The dispute rule (SPEC «Co-pay ledger»): reporting a service as not provided FREEZES an unpaid
co-pay in the same transaction as the appeal, so the daily charge run (payments, which charges
UNPAID lines only) never takes it. A co-pay already PAID stays paid and the line is marked
`disputed_at`; if the dispute is confirmed the co-pay program refunds it. The operator settles:
confirmed → the co-pay is CANCELLED (one already charged is refunded to the card by
payments.services.refund_request, queued on commit) and the clinic's line is flagged for
recovery; rejected (with
a reason) → the line goes back to UNPAID and the person is e-mailed on commit, before the next
daily charge run can take it.
"""

from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from claims.health import service_line_reference
from claims.models import ServiceLine
from claims.services.files import files_removed_on_failure
from clinics.models import Clinic
from portal.accounts.models import NotificationKind, User
from portal.accounts.services import notify
from portal.core import outbox
from portal.core.uploads import CheckedFile

from ..models import Appeal, AppealAttachment, AppealEvent, AppealMessage
from .numbering import appeal_due_on, appeal_with_number

Status = Appeal.Status

# Allowed moves; appeal_set_status enforces them.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    Status.NEW: (Status.IN_PROGRESS, Status.ANSWERED, Status.CLOSED),
    Status.IN_PROGRESS: (Status.ANSWERED, Status.CLOSED),
    Status.ANSWERED: (Status.IN_PROGRESS, Status.CLOSED),
    Status.CLOSED: (),
}

# Kinds a person may write from «Мои обращения» (clinic_refused comes from a clinic's page).
PERSON_KINDS = (
    Appeal.Kind.REVIEW,
    Appeal.Kind.COMPLAINT,
    Appeal.Kind.THANKS,
    Appeal.Kind.NOT_PROVIDED,
    Appeal.Kind.QUESTION,
)


def _has_staff_answer(appeal: Appeal) -> bool:
    return appeal.messages.filter(from_staff=True).exists()


def appeal_set_status(
    *, appeal: Appeal, to_status: str, by: User | None, comment: str = ""
) -> AppealEvent:
    """The one way an appeal's status changes: checks the move, writes the event row.

    «Every appeal gets an answer»: it cannot be answered or closed without a staff message."""
    with transaction.atomic():
        locked = Appeal.objects.select_for_update().get(pk=appeal.pk)
        if to_status not in TRANSITIONS.get(locked.status, ()):
            raise ValidationError(
                _("Обращение в статусе «%(from)s» нельзя перевести в «%(to)s»")
                % {"from": locked.get_status_display(), "to": Status(to_status).label},
                code="transition",
            )
        if to_status in (Status.ANSWERED, Status.CLOSED) and not _has_staff_answer(locked):
            raise ValidationError(
                _("Обращение нельзя закрыть без ответа страховой компании"), code="no_answer"
            )
        event = AppealEvent.objects.create(
            appeal=locked, from_status=locked.status, to_status=to_status, by=by, comment=comment
        )
        locked.status = to_status
        locked.save(update_fields=["status", "updated_at"])
    appeal.status = to_status
    return event


def _attachments_store(
    *, appeal: Appeal, files: Sequence[CheckedFile], written: list[str]
) -> list[AppealAttachment]:
    stored = []
    for checked in files:
        attachment = AppealAttachment(
            appeal=appeal,
            original_name=checked.original_name,
            content_type=checked.kind.content_type,
            size=checked.size,
        )
        attachment.file.save(checked.server_name(), checked.file, save=False)
        written.append(attachment.file.name)
        attachment.full_clean()
        attachment.save()
        stored.append(attachment)
    return stored


def service_line_dispute(*, line: ServiceLine) -> ServiceLine:
    """The person says the line's service was not provided: freeze an unpaid co-pay, mark a paid
    one disputed. Must run inside the appeal's transaction (appeal_create does)."""
    state = ServiceLine.CopayState
    with transaction.atomic():
        locked = ServiceLine.objects.select_for_update().get(pk=line.pk)
        if locked.disputed_at or locked.copay_state in (state.FROZEN, state.CANCELLED):
            raise ValidationError(
                _("По этой услуге уже есть обращение «услуга не оказана»"), code="disputed"
            )
        locked.disputed_at = timezone.now()
        # A co-pay already sent to the bank (its charge awaits the answer) is treated like a paid
        # one: marked disputed, settled by refund; anything not yet sent is frozen, and a charge
        # written but not sent drops the line before sending (payments.services.charge_send).
        in_flight = locked.charge_lines.filter(
            active=True, charge__status__in=("in_doubt", "requires_action")
        ).exists()
        if locked.copay_state == state.UNPAID and not in_flight:
            locked.copay_state = state.FROZEN
        locked.save(update_fields=["disputed_at", "copay_state", "updated_at"])
    line.copay_state, line.disputed_at = locked.copay_state, locked.disputed_at
    return locked


def appeal_create(
    *,
    user: User,
    kind: str,
    body: str,
    subject: str = "",
    service_line: ServiceLine | None = None,
    clinic: Clinic | None = None,
    rating: int | None = None,
    files: Sequence[CheckedFile] = (),
) -> Appeal:
    """Register a person's appeal with its first message and files; a "service not provided"
    appeal freezes the line's co-pay in the same transaction."""
    if kind not in PERSON_KINDS:
        raise ValidationError(_("Выберите вид обращения"), code="kind")
    if kind == Appeal.Kind.REVIEW and rating is None:
        raise ValidationError({"rating": _("Поставьте оценку от 1 до 5")})
    if kind != Appeal.Kind.REVIEW:
        rating = None
    if kind == Appeal.Kind.NOT_PROVIDED and service_line is None:
        raise ValidationError(_("Укажите услугу, которая не была оказана"), code="service_line")
    if not body.strip():
        raise ValidationError({"body": _("Напишите текст обращения")})
    if service_line is not None and clinic is None:
        clinic = service_line.clinic
    if not subject:
        subject = str(Appeal.Kind(kind).label).capitalize()
        if service_line is not None:
            subject = f"{subject}: {service_line_reference(service_line)}"[:255]
    today = timezone.localdate()

    def create(number: str) -> Appeal:
        appeal = Appeal(
            number=number,
            user=user,
            kind=kind,
            subject=subject,
            due_on=appeal_due_on(registered_on=today, kind=kind),
            service_line=service_line,
            clinic=clinic,
            rating=rating,
        )
        appeal.full_clean()
        appeal.save()
        return appeal

    with files_removed_on_failure() as written, transaction.atomic():
        appeal = appeal_with_number(create, year=today.year)
        AppealEvent.objects.create(appeal=appeal, from_status="", to_status=Status.NEW, by=user)
        AppealMessage.objects.create(appeal=appeal, author=user, body=body.strip())
        _attachments_store(appeal=appeal, files=files, written=written)
        if kind == Appeal.Kind.NOT_PROVIDED:
            service_line_dispute(line=service_line)
    return appeal


def appeal_message_add(
    *, appeal: Appeal, author: User, body: str, files: Sequence[CheckedFile] = ()
) -> AppealMessage:
    """The person writes in the thread of their appeal; an answered appeal goes back to work."""
    if not body.strip():
        raise ValidationError({"body": _("Напишите сообщение")})
    if appeal.status == Status.CLOSED:
        raise ValidationError(_("Обращение закрыто: напишите новое"), code="closed")
    with files_removed_on_failure() as written, transaction.atomic():
        message = AppealMessage.objects.create(appeal=appeal, author=author, body=body.strip())
        _attachments_store(appeal=appeal, files=files, written=written)
        if appeal.status == Status.ANSWERED:
            appeal_set_status(appeal=appeal, to_status=Status.IN_PROGRESS, by=author)
    return message


def appeal_answer(*, appeal: Appeal, staff: User, body: str, close: bool = False) -> AppealMessage:
    """An operator answers: a staff message, the status «дан ответ» (or closed), and an e-mail to
    the person after commit."""
    if not staff.is_staff:
        raise ValidationError(_("Отвечать может только сотрудник"), code="not_staff")
    if not body.strip():
        raise ValidationError({"body": _("Напишите ответ")})
    with transaction.atomic():
        message = AppealMessage.objects.create(
            appeal=appeal, author=staff, from_staff=True, body=body.strip()
        )
        to_status = Status.CLOSED if close else Status.ANSWERED
        if appeal.status != to_status:
            appeal_set_status(appeal=appeal, to_status=to_status, by=staff)
        _notify_on_commit(message.pk)
        notify(
            user=appeal.user,
            kind=NotificationKind.APPEAL_ANSWERED,
            title=_("Ответ на обращение № %(number)s") % {"number": appeal.number},
            body=_("Страховая компания ответила на ваше обращение"),
            url=f"/appeals/{appeal.pk}/",
        )
    return message


def _notify_on_commit(message_id: int) -> None:
    from ..tasks import appeal_answer_notify

    outbox.send(appeal_answer_notify, message_id)


def service_dispute_settle(
    *, appeal: Appeal, staff: User, confirmed: bool, reason: str = ""
) -> ServiceLine:
    """The operator's decision on "service not provided". Confirmed: the co-pay is cancelled and
    the line flagged for recovery from the clinic. Rejected (a reason is required): the co-pay is
    owed again (UNPAID) and the person is told by e-mail (the answer) before any charge."""
    if appeal.kind != Appeal.Kind.NOT_PROVIDED or appeal.service_line_id is None:
        raise ValidationError(_("Это обращение не о неоказанной услуге"), code="kind")
    if appeal.dispute_outcome:
        raise ValidationError(_("Решение по этому обращению уже принято"), code="settled")
    if not confirmed and not reason.strip():
        raise ValidationError({"reason": _("Укажите причину отказа")})
    state = ServiceLine.CopayState
    with transaction.atomic():
        line = ServiceLine.objects.select_for_update().get(pk=appeal.service_line_id)
        if confirmed:
            # Charged already, or sent to the bank: the co-pay program refunds it after commit.
            charged = (
                line.copay_state == state.PAID
                or line.charge_lines.filter(
                    active=True, charge__status__in=("in_doubt", "requires_action", "succeeded")
                ).exists()
            )
            if line.copay_state in (state.FROZEN, state.UNPAID):
                line.copay_state = state.CANCELLED
            line.recovery_flagged_at = timezone.now()
            if charged:
                from payments.tasks import copay_refund_request

                outbox.send(copay_refund_request, line.pk)
                body = _(
                    "Мы проверили: %(service)s не была оказана. Клиника "
                    "вернёт её стоимость страховой компании, а со-оплата будет возвращена на "
                    "карту, с которой была списана."
                )
            else:
                body = _(
                    "Мы проверили: %(service)s не была оказана. Со-оплата "
                    "по ней отменена, клиника вернёт её стоимость страховой компании."
                )
        else:
            if line.copay_state == state.FROZEN:
                line.copay_state = state.UNPAID
            line.disputed_at = None
            body = _(
                "Мы проверили обращение. Клиника подтвердила, что %(service)s оказана. "
                "Причина решения: %(reason)s. Со-оплата снова к оплате и будет "
                "списана с привязанной карты не раньше следующего дня."
            )
        line.save(update_fields=["copay_state", "recovery_flagged_at", "disputed_at", "updated_at"])
        Appeal.objects.filter(pk=appeal.pk).update(
            dispute_outcome="confirmed" if confirmed else "rejected",
            dispute_reason=reason.strip(),
        )
        appeal.dispute_outcome = "confirmed" if confirmed else "rejected"
        appeal.dispute_reason = reason.strip()
        appeal_answer(
            appeal=appeal,
            staff=staff,
            body=body
            % {
                "service": service_line_reference(line),
                "reason": reason.strip(),
            },
        )
    return line
