"""Charges: written with their lines and committed before the provider is called (one function,
`charges_create`, for the daily run's chunks and for the one-off "pay now"), sent by the one
worker that moves them pending → in doubt, settled from the provider's answer, and reconciled
from the provider's own records when the answer was lost.

Every status change goes through payments.services.status (Charge.TRANSITIONS, an event row per
step); the daily run's chunks take each step with a constant number of statements."""

from __future__ import annotations

import datetime
import logging
import uuid
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from claims.models import ServiceLine
from gateways.payments_base import (
    METHOD_GONE_CODES,
    GatewayError,
    PaymentResult,
    PaymentStatus,
    gateway,
)
from portal.accounts.models import User
from portal.core import outbox

from ..models import Charge, ChargeLine, CopayEnrollment, PaymentCard, Refund
from ..selectors import card_active, lines_chargeable_for
from .fiscal import charges_receipt_data, receipts_for_paid_charges
from .status import (
    charge_status_set,
    charges_created_record,
    charges_status_set,
    refunds_status_set,
)

logger = logging.getLogger(__name__)

RECONCILE_AFTER = datetime.timedelta(minutes=10)


# --- Writing charges ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ChargeRequest:
    """Whom to charge, with which card and key, for their chargeable lines written before
    `lines_before` (the day-before notice's time: a person is charged only for lines they were
    told about) or, when it is None, for all of them."""

    enrollment: CopayEnrollment
    card: PaymentCard
    key: str
    lines_before: datetime.datetime | None = None


def charges_create(
    *, requests: Sequence[ChargeRequest], day: datetime.date, kind: str
) -> dict[int, Charge]:
    """Write one charge per person of its unpaid, unfrozen lines not in another charge, with its
    lines and its first event, and commit, before any provider call: one lock of the lines and
    one INSERT each of the charges, their lines and their events, however many persons. A charge
    of the same key already written (a second run of the day, a concurrent one) is returned
    rather than written again. Returns {enrollment id: charge} of the persons with something to
    pay."""
    if not requests:
        return {}
    by_person = {request.enrollment.insured_person_id: request for request in requests}
    try:
        with transaction.atomic():
            lines_of: dict[int, list[ServiceLine]] = {}
            for line in (
                lines_chargeable_for(insured_person_ids=list(by_person))
                .select_for_update(of=("self",))
                .only("pk", "insured_person_id", "copay_amount", "created_at")
            ):
                before = by_person[line.insured_person_id].lines_before
                if before is None or line.created_at < before:
                    lines_of.setdefault(line.insured_person_id, []).append(line)
            # Read now that the lines are locked: a charge of the same key written meanwhile by
            # a concurrent run is found here rather than by our insert, which would wait for the
            # worker now sending it while that worker waits for our lines (a deadlock).
            written = (
                Charge.objects.filter(idempotency_key__in=[r.key for r in requests])
                .select_related("card")
                .in_bulk(field_name="idempotency_key")
            )
            charges = {r.enrollment.pk: written[r.key] for r in requests if r.key in written}
            new: dict[int, Charge] = {}
            for request in requests:
                lines = lines_of.get(request.enrollment.insured_person_id, [])
                total = sum((line.copay_amount for line in lines), Decimal("0"))
                if request.key not in written and total > 0:
                    new[request.enrollment.pk] = Charge(
                        user_id=request.enrollment.user_id,
                        insured_person_id=request.enrollment.insured_person_id,
                        card=request.card,
                        day=day,
                        kind=kind,
                        idempotency_key=request.key,
                        amount=total,
                    )
            Charge.objects.bulk_create(new.values())
            ChargeLine.objects.bulk_create(
                ChargeLine(charge=charge, service_line=line, amount=line.copay_amount)
                for charge in new.values()
                for line in lines_of[charge.insured_person_id]
            )
            charges_created_record(charges=list(new.values()))
    except IntegrityError:
        # A concurrent run wrote some of these charges, or took some lines: person by person,
        # each finding what the other wrote.
        if len(requests) > 1:
            found: dict[int, Charge] = {}
            for request in requests:
                found.update(charges_create(requests=[request], day=day, kind=kind))
            return found
        (request,) = requests
        charge = Charge.objects.select_related("card").filter(idempotency_key=request.key).first()
        return {request.enrollment.pk: charge} if charge else {}
    charges.update(new)
    return charges


def charge_pay_now(*, enrollment: CopayEnrollment) -> Charge | None:
    """The "pay now" button: a charge awaiting the person's confirmation is returned as it is
    (the page confirms it with the provider's script); otherwise a new on-session charge of all
    the person's chargeable lines, written as the daily run writes its charges."""
    waiting = Charge.objects.filter(
        insured_person_id=enrollment.insured_person_id, status=Charge.Status.REQUIRES_ACTION
    ).first()
    if waiting:
        return waiting
    card = card_active(enrollment=enrollment)
    if card is None:
        return None
    day = timezone.localdate()
    key = f"copay-{enrollment.insured_person_id}-{day:%Y%m%d}-now-{uuid.uuid4().hex[:12]}"
    charge = charges_create(
        requests=[ChargeRequest(enrollment=enrollment, card=card, key=key)],
        day=day,
        kind=Charge.Kind.ON_SESSION,
    ).get(enrollment.pk)
    if charge is None or charge.status != Charge.Status.PENDING:
        return charge
    return charge_send(charge_id=charge.pk)


# --- Sending -----------------------------------------------------------------------------------


def charge_send(*, charge_id: int) -> Charge:
    """Call the provider for a committed charge. Only the worker that moves it from pending to
    in doubt sends it; the others return. The result is settled in one transaction."""
    charge = Charge.objects.select_related("card").get(pk=charge_id)
    return charges_send([charge])[0]


def charges_send(charges: list[Charge]) -> list[Charge]:
    """Send committed charges (their cards loaded) one provider call each, then write the
    outcomes: the paid ones together in one transaction, the others one by one. A worker killed
    before that commit leaves the charges in doubt, for reconciliation."""
    gw = gateway()

    def call(charge: Charge) -> tuple[Charge, PaymentResult | None]:
        try:
            return charge, gw.payment_create(
                amount=charge.amount,
                customer_id=charge.card.provider_customer_id,
                payment_method_id=charge.card.provider_payment_method_id,
                # The provider's Idempotence-Key is the charge's own key: a repeat of this call
                # (reconciliation) returns the first payment rather than make a second.
                idempotency_key=charge.idempotency_key,
                metadata={"charge_id": str(charge.pk), "idempotency_key": charge.idempotency_key},
                off_session=charge.kind == Charge.Kind.DAILY,
                receipt=receipts.get(charge.pk),
                description=_("Со-оплата по ДМС, списание № %(id)s") % {"id": charge.pk},
            )
        except GatewayError:
            logger.warning("charge %s: provider outcome unknown, for reconciliation", charge.pk)
            return charge, None

    sending = _charges_mark_sent(charges)
    # The 54-ФЗ receipt of each (a gateway that registers them): two queries for the chunk.
    receipts = charges_receipt_data(sending)
    # The provider calls (no database inside) go side by side, a bounded number at a time: at a
    # second per call, one worker charges COPAY_PROVIDER_CONCURRENCY persons a second.
    workers = min(settings.COPAY_PROVIDER_CONCURRENCY, len(sending))
    if workers > 1:
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="charge") as pool:
            results = list(pool.map(call, sending))
    else:
        results = [call(charge) for charge in sending]
    outcomes = [(charge, result) for charge, result in results if result is not None]
    settled = {c.pk: c for c in charges_settle(outcomes)} if outcomes else {}
    return [settled.get(charge.pk, charge) for charge in charges]


def _charges_mark_sent(charges: list[Charge]) -> list[Charge]:
    """pending → in doubt, committed before any provider call, for the charges this worker owns
    (the others are being sent by another worker, or were). The charges are locked first, then
    their lines, so a dispute either waits for this commit or finds the charges sent; a line
    disputed meanwhile leaves its charge here (see _charge_withdraw_disputed_lines). Returns the
    charges to send."""
    pending = {c.pk: c for c in charges if c.status == Charge.Status.PENDING}
    if not pending:
        return []
    with transaction.atomic():
        mine = list(
            Charge.objects.select_for_update()
            .filter(pk__in=list(pending), status=Charge.Status.PENDING)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        if not mine:
            return []
        sending = [pending[pk] for pk in mine]
        charges_status_set(charges=sending, to=Charge.Status.IN_DOUBT, sent_at=timezone.now())
        disputed = {
            charge_id
            for charge_id, state in ServiceLine.objects.select_for_update()
            .filter(charge_lines__charge_id__in=mine, charge_lines__active=True)
            .values_list("charge_lines__charge_id", "copay_state")
            if state != ServiceLine.CopayState.UNPAID
        }
        to_send = []
        for charge in sending:
            if charge.pk in disputed:
                if not _charge_withdraw_disputed_lines(charge):
                    continue
                Charge.objects.filter(pk=charge.pk).update(amount=charge.amount)
            to_send.append(charge)
    return to_send


def _charge_withdraw_disputed_lines(charge: Charge) -> bool:
    """A line disputed («услуга не оказана») after its charge was written leaves the charge
    before anything is sent (inside _charges_mark_sent's transaction, the lines locked). False
    when nothing is left to charge (the charge fails)."""
    lines = list(
        ServiceLine.objects.filter(
            charge_lines__charge=charge, charge_lines__active=True
        ).values_list("pk", "copay_state")
    )
    withdrawn = [pk for pk, state in lines if state != ServiceLine.CopayState.UNPAID]
    if not withdrawn:
        return True
    charge.lines.filter(service_line_id__in=withdrawn).update(active=False)
    remaining = charge.lines.filter(active=True).aggregate(total=Sum("amount"))["total"]
    if remaining:
        charge.amount = remaining
        return True
    # Nothing left: the charge fails unsent (its amount stays as written, for the record).
    charge_status_set(
        charge=charge,
        to=Charge.Status.FAILED,
        note=_("все услуги списания оспорены до отправки"),
        decline_code="lines_disputed",
        settled_at=timezone.now(),
    )
    refunds_waiting_release(charge, paid=False)
    return False


# --- Settling ----------------------------------------------------------------------------------


def charge_settle(
    *,
    charge_id: int,
    result: PaymentResult,
    notify: bool = True,
    actor: User | None = None,
    note: str = "",
) -> Charge:
    """Write the provider's outcome of one charge (see charges_settle)."""
    charge = Charge(pk=charge_id)
    return charges_settle([(charge, result)], notify=notify, actor=actor, note=note)[0]


def charges_settle(
    outcomes: list[tuple[Charge, PaymentResult]],
    *,
    notify: bool = True,
    actor: User | None = None,
    note: str = "",
) -> list[Charge]:
    """Write the provider's outcomes: the paid charges and their lines in one transaction (a few
    statements however many), declines and authentication requests one by one. A charge already
    settled is left as it is, so a repeated outcome (webhook, reconciliation) is a no-op."""
    results = {charge.pk: result for charge, result in outcomes}
    with transaction.atomic():
        charges = list(
            Charge.objects.select_for_update()
            .filter(pk__in=list(results))
            .order_by("pk")  # one lock order for every worker
        )
        open_charges = [c for c in charges if c.status not in Charge.FINAL]
        now = timezone.now()
        paid = [c for c in open_charges if results[c.pk].status == PaymentStatus.SUCCEEDED]
        if paid:
            _charges_paid(paid, results, actor=actor, note=note, now=now)
        for charge in open_charges:
            if charge.status != Charge.Status.SUCCEEDED:
                _charge_settle_unpaid(
                    charge, results[charge.pk], notify=notify, now=now, actor=actor, note=note
                )
    return charges


def _charges_paid(
    paid: list[Charge],
    results: dict[int, PaymentResult],
    *,
    actor: User | None,
    note: str,
    now: datetime.datetime,
) -> None:
    """Paid charges (inside charges_settle's transaction), a fixed number of statements for the
    whole chunk: their status with their events, their payment ids, their lines, the retry
    schedules they end and the refunds that waited for them."""
    for charge in paid:
        charge.provider_payment_id = results[charge.pk].payment_id or charge.provider_payment_id
    charges_status_set(
        charges=paid,
        to=Charge.Status.SUCCEEDED,
        actor=actor,
        note=note,
        settled_at=now,
        client_secret="",
    )
    # Each charge its own payment id: one UPDATE for the chunk, Django's own CASE. Measured
    # against the hand-written CASE it replaces (PostgreSQL, chunks of 100, a loaded 2-core
    # machine): 51 vs 8 ms per chunk, about 0.4 ms more per charge, well inside the run's goal
    # of 5 ms of our own time per charge (bench/copay_run.py).
    Charge.objects.bulk_update(paid, ["provider_payment_id"])
    paid_ids = [c.pk for c in paid]
    ServiceLine.objects.filter(
        pk__in=ChargeLine.objects.filter(charge_id__in=paid_ids, active=True).values(
            "service_line_id"
        ),
        copay_state=ServiceLine.CopayState.UNPAID,
    ).update(copay_state=ServiceLine.CopayState.PAID, updated_at=now)
    CopayEnrollment.objects.filter(
        Q(charge_failures__gt=0) | Q(next_charge_on__isnull=False),
        insured_person_id__in={c.insured_person_id for c in paid},
    ).update(charge_failures=0, next_charge_on=None)
    receipts_for_paid_charges(paid, now=now)
    waiting = set(
        Refund.objects.filter(charge_id__in=paid_ids, status=Refund.Status.WAITING).values_list(
            "charge_id", flat=True
        )
    )
    for charge in paid:
        if charge.pk in waiting:
            refunds_waiting_release(charge, paid=True)


def _charge_settle_unpaid(
    charge: Charge,
    result: PaymentResult,
    *,
    notify: bool,
    now: datetime.datetime,
    actor: User | None,
    note: str,
) -> None:
    """A decline or an authentication request (inside charges_settle's transaction)."""
    values: dict = {}
    if result.payment_id:
        values["provider_payment_id"] = result.payment_id
    if result.status == PaymentStatus.REQUIRES_ACTION and result.client_secret:
        to = Charge.Status.REQUIRES_ACTION
        values["client_secret"] = result.client_secret
        _schedule_retry(charge)
    elif result.status == PaymentStatus.PROCESSING:
        to = Charge.Status.IN_DOUBT
    else:
        to = Charge.Status.FAILED
        values["decline_code"] = result.decline_code or result.status
        values["settled_at"] = now
        line_ids = list(charge.lines.values_list("service_line_id", flat=True))
        charge.lines.update(active=False)
        # A line disputed while this charge was at the bank was left unpaid, not frozen: with
        # the charge failed it is frozen now, so no later charge takes it before the decision.
        ServiceLine.objects.filter(
            pk__in=line_ids,
            copay_state=ServiceLine.CopayState.UNPAID,
            disputed_at__isnull=False,
        ).update(copay_state=ServiceLine.CopayState.FROZEN, updated_at=now)
        refunds_waiting_release(charge, paid=False)
        if values["decline_code"] in METHOD_GONE_CODES:
            # The card will never pay again (expired, the person revoked the autopayment at the
            # bank): it is dropped, and the person told to bind another (the notice below).
            PaymentCard.objects.filter(pk=charge.card_id, removed_at__isnull=True).update(
                removed_at=now, updated_at=now
            )
        elif notify:
            _schedule_retry(charge)
    if to != charge.status:
        charge_status_set(charge=charge, to=to, actor=actor, note=note, **values)
    elif values:  # still at the bank, or still awaiting the person: no step, newer ids
        Charge.objects.filter(pk=charge.pk).update(updated_at=now, **values)
        for name, value in values.items():
            setattr(charge, name, value)
    if notify and charge.status in (Charge.Status.FAILED, Charge.Status.REQUIRES_ACTION):
        from ..tasks import charge_failed_notify

        outbox.send(charge_failed_notify, charge.pk)


def _schedule_retry(charge: Charge) -> None:
    if charge.kind != Charge.Kind.DAILY:
        return
    enrollment = CopayEnrollment.objects.select_for_update().get(
        insured_person_id=charge.insured_person_id
    )
    enrollment.charge_failures += 1
    schedule = settings.COPAY_RETRY_DAYS
    if enrollment.charge_failures <= len(schedule):
        delay = schedule[enrollment.charge_failures - 1]
        enrollment.next_charge_on = charge.day + datetime.timedelta(days=delay)
    else:
        # No retry storm: after the schedule, automatic charges wait for the person.
        enrollment.next_charge_on = datetime.date.max
    enrollment.save(update_fields=["charge_failures", "next_charge_on", "updated_at"])


def refunds_waiting_release(charge: Charge, *, paid: bool) -> None:
    """The charge's outcome is known (inside its settlement): refunds waiting for it go on
    (paid, their line still in it) or are not needed (failed, or the line left before sending)."""
    waiting = list(
        Refund.objects.select_for_update(of=("self",))
        .filter(charge=charge, status=Refund.Status.WAITING)
        .select_related("charge_line")
        .order_by("pk")
    )
    if not waiting:
        return
    now = timezone.now()
    if not paid:
        refunds_status_set(
            refunds=waiting,
            to=Refund.Status.NOT_NEEDED,
            note=_("списание не прошло"),
            settled_at=now,
        )
        return
    refunds_status_set(
        refunds=[r for r in waiting if not r.charge_line.active],
        to=Refund.Status.NOT_NEEDED,
        note=_("услуга вышла из списания до его отправки"),
        settled_at=now,
    )
    going = [r for r in waiting if r.charge_line.active]
    refunds_status_set(refunds=going, to=Refund.Status.PENDING, note=_("списание оплачено"))
    from ..tasks import refund_send as refund_send_task

    for refund in going:
        outbox.send(refund_send_task, refund.pk)


# --- Awaiting the person (3-D Secure) ---------------------------------------------------------


def charge_refresh(*, charge_id: int, actor: User | None = None, note: str = "") -> Charge:
    """Ask the provider about a charge we know the payment of (after the page confirmed it)."""
    charge = Charge.objects.get(pk=charge_id)
    if charge.status in Charge.FINAL or not charge.provider_payment_id:
        return charge
    result = gateway().payment_retrieve(payment_id=charge.provider_payment_id)
    if (
        result.status == PaymentStatus.REQUIRES_ACTION
        and charge.status == Charge.Status.REQUIRES_ACTION
    ):
        return charge
    return charge_settle(
        charge_id=charge.pk,
        result=result,
        actor=actor,
        note=note or _("ответ платёжной системы после подтверждения на странице"),
    )


def charge_awaiting_person(charge_id: int) -> bool:
    return Charge.objects.filter(pk=charge_id, status=Charge.Status.REQUIRES_ACTION).exists()


def charges_awaiting_release(*, insured_person_id: int) -> None:
    """A card replaced or removed: payments of the old card still awaiting the person's
    confirmation are cancelled at the provider first (so a late confirmation cannot pay twice),
    then their lines are released for the next charge. One that succeeded meanwhile is settled."""
    for charge in Charge.objects.filter(
        insured_person_id=insured_person_id, status=Charge.Status.REQUIRES_ACTION
    ):
        charge_awaiting_cancel(charge, decline_code="card_replaced", note=_("карта заменена"))


def charge_awaiting_cancel(charge: Charge, *, decline_code: str, note: str) -> Charge:
    """Cancel a payment awaiting the person at the provider, then settle it: failed (its lines
    free again) or, if the person confirmed it meanwhile, paid."""
    if charge.provider_payment_id:
        result = gateway().payment_cancel(payment_id=charge.provider_payment_id)
        if result.status != PaymentStatus.SUCCEEDED:
            result = PaymentResult(
                status=PaymentStatus.DECLINED,
                payment_id=charge.provider_payment_id,
                decline_code=decline_code,
            )
    else:
        result = PaymentResult(status=PaymentStatus.DECLINED, decline_code=decline_code)
    return charge_settle(charge_id=charge.pk, result=result, notify=False, note=note)


# --- Reconciliation ----------------------------------------------------------------------------


def charge_in_flight(charge: Charge, *, older_than: datetime.timedelta = RECONCILE_AFTER) -> bool:
    """Pending or in doubt and touched (sent) less than `older_than` ago: its call may still be
    on its way to the provider, so nothing is looked up or sent for it yet."""
    return charge.status in Charge.OPEN and charge.updated_at > timezone.now() - older_than


def charge_reconcile(
    *,
    charge: Charge,
    older_than: datetime.timedelta = RECONCILE_AFTER,
    actor: User | None = None,
) -> Charge:
    """Settle one charge left pending or in doubt from the provider's records (found by our
    charge id in their metadata); none found means the call never reached the provider, and the
    charge is sent again with the same idempotency key (the provider then returns the first
    payment rather than make a second, should the first call arrive after all). One awaiting the
    person is read from the provider. Raises GatewayError when the provider cannot be asked.
    `actor`: the operator who asked for it (None: the periodic run).

    The charge is claimed first: only the caller that moves its updated_at on from the value it
    read goes on. A worker that sent it meanwhile (pending → in doubt writes updated_at) or
    another reconciliation has touched it, and this one leaves it to them rather than send it
    while their call may still be in flight; so is a charge sent less than `older_than` ago."""
    note = _("сверка с платёжной системой")
    if charge.status == Charge.Status.REQUIRES_ACTION:
        return charge_refresh(charge_id=charge.pk, actor=actor, note=note)
    if charge.status not in Charge.OPEN or charge_in_flight(charge, older_than=older_than):
        return charge
    claimed_at = timezone.now()
    if not Charge.objects.filter(
        pk=charge.pk, status=charge.status, updated_at=charge.updated_at
    ).update(updated_at=claimed_at):
        logger.info("charge %s: changed since it was read, left to whoever changed it", charge.pk)
        return Charge.objects.get(pk=charge.pk)
    found = gateway().payments_find(
        customer_id=charge.card.provider_customer_id, metadata={"charge_id": str(charge.pk)}
    )
    succeeded = [p for p in found if p.status == PaymentStatus.SUCCEEDED]
    if found:
        return charge_settle(
            charge_id=charge.pk, result=(succeeded or found)[0], actor=actor, note=note
        )
    with transaction.atomic():
        # Still as this reconciliation left it (nobody sent or settled it since): sent again.
        claimed = (
            Charge.objects.select_for_update()
            .filter(pk=charge.pk, status__in=Charge.OPEN, updated_at=claimed_at)
            .first()
        )
        if claimed is None:
            return Charge.objects.get(pk=charge.pk)
        if claimed.status != Charge.Status.PENDING:
            charge_status_set(
                charge=claimed,
                to=Charge.Status.PENDING,
                actor=actor,
                note=_("платёж не найден в платёжной системе: отправляется снова"),
            )
    return charge_send(charge_id=charge.pk)


def charges_reconcile(*, older_than: datetime.timedelta = RECONCILE_AFTER) -> int:
    """Settle charges left pending or in doubt from the provider's records. A payment found by
    our charge id settles the charge; none found means the call never reached the provider: the
    charge is sent again (with the same idempotency key). Returns how many were looked at."""
    cutoff = timezone.now() - older_than
    stale = list(
        Charge.objects.filter(status__in=Charge.OPEN, updated_at__lte=cutoff)
        .select_related("card")
        .order_by("pk")
    )
    for charge in stale:
        try:
            charge_reconcile(charge=charge, older_than=older_than)
        except GatewayError:
            continue
    # Payments the person confirmed on the page without coming back (a closed tab, a lost
    # webhook): their state is read from the provider.
    awaiting = Charge.objects.filter(
        status=Charge.Status.REQUIRES_ACTION, updated_at__lte=cutoff
    ).exclude(provider_payment_id="")
    for charge_id in awaiting.values_list("pk", flat=True):
        try:
            charge_refresh(charge_id=charge_id, note=_("сверка с платёжной системой"))
        except GatewayError:
            continue
    return len(stale)
