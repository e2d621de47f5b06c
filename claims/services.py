"""Writes of claims: the one place a payout case changes status."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from portal.accounts.models import User

from .models import Claim, ClaimEvent


@transaction.atomic
def claim_set_status(
    *,
    claim: Claim,
    status: str,
    by: User | None,
    comment: str = "",
    amount: Decimal | None = None,
) -> ClaimEvent:
    """Move a claim one allowed step and write the event row; anything else is refused."""
    locked = Claim.objects.select_for_update().get(pk=claim.pk)
    if not locked.can_move_to(status):
        raise ValidationError(
            _("Переход из статуса «%(from)s» в «%(to)s» не допускается")
            % {"from": locked.get_status_display(), "to": Claim.Status(status).label}
        )
    if status == Claim.Status.APPROVED:
        if amount is None or amount <= 0:
            raise ValidationError(_("Для решения о выплате укажите сумму больше нуля"))
        locked.approved_amount = amount
    if status == Claim.Status.REFUSED and not comment.strip():
        raise ValidationError(_("Укажите причину отказа и пункт правил страхования"))
    event = ClaimEvent.objects.create(
        claim=locked, from_status=locked.status, to_status=status, by=by, comment=comment
    )
    locked.status = status
    locked.save(update_fields=["status", "approved_amount", "updated_at"])
    claim.status, claim.approved_amount = locked.status, locked.approved_amount
    return event
