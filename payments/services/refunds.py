"""Refunds of co-pay lines whose "service not provided" dispute was confirmed: the same rule as
charges (a row committed before the provider is called, one worker sends it, the outcome written
once, reconciliation from the provider's records), one refund per service line ever. Every
status change goes through payments.services.status (Refund.TRANSITIONS, an event row per step)."""

from __future__ import annotations

import datetime
import logging

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from claims.models import ServiceLine
from gateways.payments_base import GatewayError, RefundResult, RefundStatus, gateway
from portal.accounts.models import User
from portal.core import outbox

from ..models import Charge, ChargeLine, Refund
from .charges import (
    RECONCILE_AFTER,
    charge_awaiting_cancel,
    charge_awaiting_person,
    refunds_waiting_release,
)
from .fiscal import receipt_for_refund, refund_receipt_data
from .status import refund_created_record, refund_status_set

logger = logging.getLogger(__name__)


def refund_key(*, service_line_id: int) -> str:
    """One refund per service line, ever: the key (and the row's unique line) say so."""
    return f"copay-refund-{service_line_id}"


def refund_request(*, service_line_id: int, actor: User | None = None) -> Refund | None:
    """A confirmed "service not provided" dispute of a line that was charged or sent to the bank:
    write the refund row and commit, then call the provider (or wait for the charge's outcome).
    Safe to repeat: the row is found by its line. None when the line was never charged."""
    with transaction.atomic():
        line = ServiceLine.objects.select_for_update().get(pk=service_line_id)
        refund = Refund.objects.filter(service_line=line).first()
        if refund is None:
            if line.recovery_flagged_at is None:  # no confirmed dispute: nothing to refund
                return None
            charge_line = (
                ChargeLine.objects.select_related("charge")
                .filter(service_line=line, active=True)
                .exclude(charge__status=Charge.Status.FAILED)
                .first()
            )
            if charge_line is None:
                return None
            charge = charge_line.charge
            refund = Refund.objects.create(
                charge=charge,
                charge_line=charge_line,
                service_line=line,
                idempotency_key=refund_key(service_line_id=line.pk),
                amount=charge_line.amount,
                status=(
                    Refund.Status.PENDING
                    if charge.status == Charge.Status.SUCCEEDED
                    else Refund.Status.WAITING
                ),
            )
            refund_created_record(refund=refund, actor=actor)
    if refund.status == Refund.Status.WAITING and charge_awaiting_person(refund.charge_id):
        # Its charge awaits the person's 3-D Secure confirmation: rather than let them pay for
        # a service not provided and refund it, the payment is cancelled (the other lines are
        # charged again later); one confirmed meanwhile is settled paid and refunded.
        charge = Charge.objects.get(pk=refund.charge_id)
        try:
            charge_awaiting_cancel(
                charge, decline_code="line_disputed", note=_("услуга оспорена: платёж отменён")
            )
        except GatewayError:
            logger.warning("refund %s: could not cancel charge %s", refund.pk, charge.pk)
        refund.refresh_from_db()
    if refund.status != Refund.Status.PENDING:
        return refund
    return refund_send(refund_id=refund.pk)


def charge_refunds_due(*, charge: Charge, actor: User | None = None) -> list[Refund]:
    """The operator's "refund" of a charge: the refund of each of its lines whose "service not
    provided" dispute was confirmed and that has none yet (a lost request); lines without a
    confirmed dispute are never refunded from here. Returns the refunds made or found."""
    line_ids = charge.lines.filter(
        active=True, service_line__recovery_flagged_at__isnull=False
    ).values_list("service_line_id", flat=True)
    refunds = [refund_request(service_line_id=pk, actor=actor) for pk in line_ids]
    return [refund for refund in refunds if refund is not None]


def refund_send(*, refund_id: int) -> Refund:
    """Call the provider for a committed refund; only the worker moving it pending → in doubt
    sends it. Metadata carries our refund id, which reconciliation looks for."""
    with transaction.atomic():
        refund = (
            Refund.objects.select_for_update(of=("self",))
            .select_related("charge__user", "service_line")
            .get(pk=refund_id)
        )
        if refund.status != Refund.Status.PENDING:
            return refund
        refund_status_set(refund=refund, to=Refund.Status.IN_DOUBT, sent_at=timezone.now())
    try:
        result = gateway().refund_create(
            payment_id=refund.charge.provider_payment_id,
            amount=refund.amount,
            idempotency_key=refund.provider_key,
            metadata={
                "refund_id": str(refund.pk),
                "charge_id": str(refund.charge_id),
                "service_line_id": str(refund.service_line_id),
            },
            reason=refund_reason(refund),
            receipt=refund_receipt_data(refund),
        )
    except GatewayError:
        logger.warning("refund %s: provider outcome unknown, left for reconciliation", refund.pk)
        return refund
    return refund_settle(refund_id=refund.pk, result=result)


def refund_reason(refund: Refund) -> str:
    """What the provider is told of the refund (ЮKassa: the refund's description)."""
    line = refund.service_line
    return _(
        "Возврат со-оплаты по ДМС: услуга «%(service)s» от %(date)s не оказана "
        "(обращение подтверждено страховщиком)"
    ) % {"service": line.service_name[:120], "date": f"{line.service_date:%d.%m.%Y}"}


def refund_settle(*, refund_id: int, result: RefundResult, note: str = "") -> Refund:
    """Write the provider's answer. Succeeded: the line's co-pay is cancelled (nothing owed,
    nothing kept) and the person is told on commit. A settled refund is left as it is."""
    with transaction.atomic():
        refund = (
            Refund.objects.select_for_update(of=("self",))
            .select_related("charge", "service_line")
            .get(pk=refund_id)
        )
        if refund.status in Refund.SETTLED:
            return refund
        now = timezone.now()
        values: dict = {}
        if result.refund_id:
            values["provider_refund_id"] = result.refund_id
        if result.status == RefundStatus.SUCCEEDED:
            refund_status_set(
                refund=refund, to=Refund.Status.SUCCEEDED, note=note, settled_at=now, **values
            )
            ServiceLine.objects.filter(pk=refund.service_line_id).exclude(
                copay_state=ServiceLine.CopayState.CANCELLED
            ).update(copay_state=ServiceLine.CopayState.CANCELLED, updated_at=now)
            receipt_for_refund(refund, now=now)
            from ..tasks import refund_notify

            outbox.send(refund_notify, refund.pk)
        elif result.status == RefundStatus.FAILED:
            failure_code = result.failure_code or "failed"
            refusals = refund.refusals + 1
            schedule = settings.REFUND_RETRY_HOURS
            retry_at = (
                now + datetime.timedelta(hours=schedule[refusals - 1])
                if refusals <= len(schedule)
                else None
            )
            refund_status_set(
                refund=refund,
                to=Refund.Status.FAILED,
                note=note,
                failure_code=failure_code,
                settled_at=now,
                refusals=refusals,
                retry_at=retry_at,
                **values,
            )
            logger.error("refund %s refused by the provider: %s", refund.pk, failure_code)
            if retry_at is None:
                # The last try refused: a person at the insurer takes it from here.
                from ..tasks import refund_refused_notify

                outbox.send(refund_refused_notify, refund.pk)
        else:  # accepted, the bank has not finished it: still in doubt, asked again later
            Refund.objects.filter(pk=refund.pk).update(updated_at=now, **values)
            for name, value in {"updated_at": now, **values}.items():
                setattr(refund, name, value)
    return refund


def refunds_reconcile(*, older_than: datetime.timedelta = RECONCILE_AFTER) -> int:
    """Refunds left pending or in doubt: one found at the provider by our refund id settles the
    row; none found means the call never arrived, so it is sent again. Refunds waiting for a
    charge that is settled meanwhile (a lost task) are moved on. Returns how many were looked at."""
    cutoff = timezone.now() - older_than
    # Confirmed disputes of charged lines whose refund request was lost (the broker was down
    # when the decision was committed).
    charged = ChargeLine.objects.filter(service_line=OuterRef("pk"), active=True).exclude(
        charge__status=Charge.Status.FAILED
    )
    lost = ServiceLine.objects.filter(
        recovery_flagged_at__isnull=False, recovery_flagged_at__lte=cutoff
    ).filter(Exists(charged), ~Exists(Refund.objects.filter(service_line=OuterRef("pk"))))
    for service_line_id in lost.values_list("pk", flat=True):
        refund_request(service_line_id=service_line_id)
    for charge in Charge.objects.filter(
        refunds__status=Refund.Status.WAITING, status__in=Charge.FINAL
    ).distinct():
        with transaction.atomic():
            refunds_waiting_release(charge, paid=charge.status == Charge.Status.SUCCEEDED)
    # Refusals whose next try is due: sent again (under a new provider key).
    for refund_id in Refund.objects.filter(
        status=Refund.Status.FAILED, retry_at__lte=timezone.now()
    ).values_list("pk", flat=True):
        refund_retry(refund_id=refund_id)
    stale = list(
        Refund.objects.filter(status__in=Refund.OPEN, updated_at__lte=cutoff)
        .select_related("charge")
        .order_by("pk")
    )
    gw = gateway()
    note = _("сверка с платёжной системой")
    for refund in stale:
        if refund.status == Refund.Status.PENDING:
            refund_send(refund_id=refund.pk)
            continue
        try:
            found = gw.refunds_find(
                payment_id=refund.charge.provider_payment_id,
                metadata={"refund_id": str(refund.pk)},
            )
        except GatewayError:
            continue
        if found:
            done = [r for r in found if r.status == RefundStatus.SUCCEEDED]
            refund_settle(refund_id=refund.pk, result=(done or found)[0], note=note)
            continue
        with transaction.atomic():
            locked = (
                Refund.objects.select_for_update()
                .filter(pk=refund.pk, status=Refund.Status.IN_DOUBT)
                .first()
            )
            if locked is not None:
                refund_status_set(
                    refund=locked,
                    to=Refund.Status.PENDING,
                    note=_("возврат не найден в платёжной системе: отправляется снова"),
                )
        refund_send(refund_id=refund.pk)
    return len(stale)


def refund_retry(*, refund_id: int) -> Refund:
    """A refund the provider refused, its next try due: pending again, then sent."""
    with transaction.atomic():
        refund = (
            Refund.objects.select_for_update()
            .filter(pk=refund_id, status=Refund.Status.FAILED, retry_at__isnull=False)
            .first()
        )
        if refund is None:
            return Refund.objects.get(pk=refund_id)
        refund_status_set(
            refund=refund,
            to=Refund.Status.PENDING,
            note=_("повторная попытка после отказа платёжной системы"),
            retry_at=None,
            settled_at=None,
        )
    return refund_send(refund_id=refund_id)
