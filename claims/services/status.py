"""The one place a payout case changes status: an allowed step, an event row, an e-mail."""

import datetime
from collections.abc import Sequence
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.accounts.models import NotificationKind, User
from portal.accounts.services import notify
from portal.core import outbox

from ..deadlines import decision_terms
from ..models import Claim, ClaimEvent
from ..rules import DOCUMENTS, days_between

# The claim's fields a step may change; the caller's object is brought up to date with them.
STEP_FIELDS = (
    "status",
    "approved_amount",
    "paused_days",
    "paused_since",
    "paid_amount",
    "paid_on",
)


def _queue_notification(event: ClaimEvent) -> None:
    from ..tasks import claim_event_notify

    event_id = event.pk
    # robust: a broker outage must not undo the step; claim_notifications_resend sends it later.
    outbox.send(claim_event_notify, event_id)


@transaction.atomic
def claim_set_status(
    *,
    claim: Claim,
    status: str,
    by: User | None,
    comment: str = "",
    amount: Decimal | None = None,
    requested: Sequence[str] = (),
    rule: str = "",
    paid_on: datetime.date | None = None,
) -> ClaimEvent:
    """Move a claim one allowed step and write the event row; anything else is refused.

    - documents_requested: the documents missing (`requested`, codes of claims.rules.DOCUMENTS)
      and/or a `comment`; the decision deadline stands still until the case moves on.
    - approved: the `amount` (> 0).
    - refused: the reason (`comment`) and, where there is one, the `rule` quoted.
    - paid: the `amount` paid (the approved one by default, never more) and `paid_on` (today by
      default, never in the future).
    """
    locked = Claim.objects.select_for_update(of=("self",)).select_related("policy").get(pk=claim.pk)
    if not locked.can_move_to(status):
        raise ValidationError(
            _("Переход из статуса «%(from)s» в «%(to)s» не допускается")
            % {"from": locked.get_status_display(), "to": Claim.Status(status).label}
        )
    today = timezone.localdate()
    comment = comment.strip()
    details: dict = {}

    if status == Claim.Status.DOCUMENTS_REQUESTED:
        unknown = [code for code in requested if code not in DOCUMENTS]
        if unknown:
            raise ValidationError(_("Неизвестный вид документа: %(codes)s") % {"codes": unknown})
        if not requested and not comment:
            raise ValidationError(_("Укажите, каких документов не хватает"))
        details["requested"] = list(dict.fromkeys(requested))
        locked.paused_since = today
    if locked.status == Claim.Status.DOCUMENTS_REQUESTED and locked.paused_since is not None:
        terms = decision_terms(locked)
        locked.paused_days += days_between(locked.paused_since, today, terms.count) if terms else 0
        locked.paused_since = None

    if status == Claim.Status.APPROVED:
        if amount is None or amount <= 0:
            raise ValidationError(_("Для решения о выплате укажите сумму больше нуля"))
        locked.approved_amount = amount
        details["amount"] = str(amount)
    if status == Claim.Status.REFUSED:
        if not comment:
            raise ValidationError(_("Укажите причину отказа и пункт правил страхования"))
        if rule.strip():
            details["rule"] = rule.strip()
    if status == Claim.Status.PAID:
        paid = amount if amount is not None else locked.approved_amount
        if paid is None or paid <= 0:
            raise ValidationError(_("Укажите выплаченную сумму больше нуля"))
        if locked.approved_amount is not None and paid > locked.approved_amount:
            raise ValidationError(_("Выплаченная сумма не может быть больше одобренной"))
        paid_on = paid_on or today
        if paid_on > today:
            raise ValidationError(_("Дата выплаты не может быть в будущем"))
        locked.paid_amount, locked.paid_on = paid, paid_on
        details.update({"amount": str(paid), "paid_on": paid_on.isoformat()})

    event = ClaimEvent.objects.create(
        claim=locked,
        from_status=locked.status,
        to_status=status,
        by=by,
        comment=comment,
        details=details,
    )
    locked.status = status
    locked.save(update_fields=[*STEP_FIELDS, "updated_at"])
    for field in STEP_FIELDS:
        setattr(claim, field, getattr(locked, field))
    _queue_notification(event)
    notify(
        user=locked.user,
        kind=NotificationKind.CLAIM_STATUS,
        title=_("Убыток № %(number)s: %(status)s")
        % {"number": locked.number, "status": Claim.Status(status).label},
        body=_("Статус вашего заявления изменился"),
        url=f"/claims/{locked.pk}/",
    )
    return event
