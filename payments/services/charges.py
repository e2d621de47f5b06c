"""Co-pay writes: consent, card binding, charges (daily and on-session), settlement,
reconciliation, refunds, webhooks, activation and notices.

The double-charge rule: a Charge row with its lines is committed before the provider is called;
only one worker may send it (pending → in_doubt under a row lock, committed before the call);
the outcome is written in one transaction that re-reads the charge under a row lock and does
nothing if it is already settled. A charge left pending or in doubt (a killed worker, a timeout)
is settled by `charges_reconcile` from the provider's own records, found by our charge id in its
metadata. The daily run does this for a chunk of persons at a time (`charges_daily`): the same
steps, each one statement for the whole chunk, so our cost per charge is a fraction of the
provider's. Refunds follow the same rule with their own rows (`refund_request`).
"""

from __future__ import annotations

import datetime
import logging
import uuid
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, connection, transaction
from django.db.models import Exists, OuterRef, Q, Sum
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from claims.models import ServiceLine
from clinics.models import ProgramClinic
from gateways.payments_base import (
    CURRENCY,
    GatewayError,
    ObjectNotFound,
    PaymentResult,
    PaymentStatus,
    RefundResult,
    RefundStatus,
    WebhookEvent,
    WebhookObject,
    gateway,
)
from policies.models import InsuredPerson
from portal.accounts.models import Consent
from portal.core.dates import working_days_after
from shop.services import payment_event_apply as shop_payment_event_apply

from ..models import (
    Charge,
    ChargeLine,
    ClinicAttachmentList,
    CopayEnrollment,
    CopayNotice,
    PaymentCard,
    ProcessedEvent,
    Refund,
)
from ..selectors import card_active, lines_chargeable, lines_chargeable_for

logger = logging.getLogger(__name__)

CLINIC_ACCESS_DELAY = datetime.timedelta(minutes=30)
ACTIVATION_DELAY = datetime.timedelta(hours=24)
CLINIC_PROCESSING_WORKING_DAYS = 5
RECONCILE_AFTER = datetime.timedelta(minutes=10)


# --- Consent and card ---------------------------------------------------------------------------


@transaction.atomic
def copay_consent(*, user, insured_person: InsuredPerson) -> CopayEnrollment:
    """The ticked and PIN-confirmed consent to the program's terms (the PIN is checked by the
    form): the enrollment row and a Consent row with the terms version."""
    if not insured_person.program.has_copay:
        raise ValidationError(_("Программа застрахованного не предусматривает со-оплату"))
    now = timezone.now()
    version = settings.COPAY_TERMS_VERSION
    enrollment, created = CopayEnrollment.objects.get_or_create(
        insured_person=insured_person,
        defaults={
            "user": user,
            "program": insured_person.program,
            "consent_at": now,
            "terms_version": version,
        },
    )
    if not created and enrollment.user_id != user.pk:
        raise ValidationError(_("Со-оплатная программа уже подключена другим пользователем"))
    if not created and enrollment.terms_version != version:
        enrollment.consent_at, enrollment.terms_version = now, version
        enrollment.save(update_fields=["consent_at", "terms_version", "updated_at"])
    Consent.objects.get_or_create(
        user=user,
        document=Consent.Document.COPAY_TERMS,
        version=version,
        withdrawn_at=None,
        defaults={"given_at": now},
    )
    return enrollment


def card_setup_start(*, enrollment: CopayEnrollment) -> str:
    """A SetupIntent for the provider's card form; returns its client secret."""
    if not enrollment.provider_customer_id:
        customer_id = gateway().customer_create(
            email=enrollment.user.email, reference=f"enrollment-{enrollment.pk}"
        )
        CopayEnrollment.objects.filter(pk=enrollment.pk, provider_customer_id="").update(
            provider_customer_id=customer_id
        )
        enrollment.refresh_from_db(fields=["provider_customer_id"])
    _, client_secret = gateway().setup_intent_create(customer_id=enrollment.provider_customer_id)
    return client_secret


def card_attach(*, enrollment: CopayEnrollment, setup_intent_id: str) -> PaymentCard:
    """Bind the card saved by the provider's form: we receive only the SetupIntent id, ask the
    provider for its payment method, attach it to the customer and keep ids, brand, last 4 and
    expiry. A card already bound is replaced (and detached at the provider)."""
    if not enrollment.provider_customer_id:
        raise ValidationError(_("Сначала откройте форму привязки карты"))
    gw = gateway()
    try:
        method_id = gw.setup_intent_payment_method(
            setup_intent_id=setup_intent_id, customer_id=enrollment.provider_customer_id
        )
    except ValueError as error:
        raise ValidationError(_("Карта не подтверждена платёжной системой")) from error
    saved = gw.payment_method_attach(
        payment_method_id=method_id, customer_id=enrollment.provider_customer_id
    )
    with transaction.atomic():
        enrollment = CopayEnrollment.objects.select_for_update().get(pk=enrollment.pk)
        existing = card_active(enrollment=enrollment)
        if existing and existing.provider_payment_method_id == saved.payment_method_id:
            return existing
        now = timezone.now()
        old_method = None
        if existing:
            existing.removed_at = now
            existing.save(update_fields=["removed_at", "updated_at"])
            old_method = existing.provider_payment_method_id
        card = PaymentCard(
            user=enrollment.user,
            enrollment=enrollment,
            gateway=gw.name,
            provider_customer_id=saved.customer_id,
            provider_payment_method_id=saved.payment_method_id,
            brand=saved.brand,
            last4=saved.last4,
            exp_month=saved.exp_month,
            exp_year=saved.exp_year,
        )
        card.full_clean()
        card.save()
        if enrollment.card_bound_at is None:
            enrollment.card_bound_at = now
            enrollment.clinic_access_from = now + CLINIC_ACCESS_DELAY
        # A new card gets a fresh retry schedule.
        enrollment.charge_failures = 0
        enrollment.next_charge_on = None
        enrollment.save()
        from ..tasks import enrollment_activate

        transaction.on_commit(lambda: enrollment_activate.delay(enrollment.pk))
    if old_method:
        charges_awaiting_release(insured_person_id=enrollment.insured_person_id)
        try:
            gw.payment_method_detach(payment_method_id=old_method)
        except GatewayError:
            logger.warning(
                "could not detach replaced payment method of enrollment %s", enrollment.pk
            )
    return card


def card_remove(*, enrollment: CopayEnrollment) -> None:
    """Unbind the card. The debt stays: automatic charges stop, the person pays on the page with
    a new card; without a card the program's clinic access is suspended."""
    card = card_active(enrollment=enrollment)
    if card is None:
        return
    with transaction.atomic():
        card.removed_at = timezone.now()
        card.save(update_fields=["removed_at", "updated_at"])
    charges_awaiting_release(insured_person_id=enrollment.insured_person_id)
    try:
        gateway().payment_method_detach(payment_method_id=card.provider_payment_method_id)
    except GatewayError:
        logger.warning("could not detach payment method of card %s", card.pk)


# --- Activation and clinic attachment lists ----------------------------------------------------


@transaction.atomic
def enrollment_activate(*, enrollment_id: int, now: datetime.datetime | None = None) -> None:
    """Activate the program (within 24 hours of binding) and record the attachment lists sent to
    the program's clinics. Safe to run twice."""
    now = now or timezone.now()
    enrollment = CopayEnrollment.objects.select_for_update().filter(pk=enrollment_id).first()
    if enrollment is None or enrollment.card_bound_at is None:
        return
    if enrollment.active_from is None:
        enrollment.active_from = min(now, enrollment.card_bound_at + ACTIVATION_DELAY)
        enrollment.save(update_fields=["active_from", "updated_at"])
    processed_by = working_days_after(timezone.localdate(now), CLINIC_PROCESSING_WORKING_DAYS)
    clinic_ids = (
        ProgramClinic.objects.filter(program_id=enrollment.program_id)
        .values_list("clinic_id", flat=True)
        .distinct()
    )
    done = set(enrollment.attachment_lists.values_list("clinic_id", flat=True))
    ClinicAttachmentList.objects.bulk_create(
        [
            ClinicAttachmentList(
                enrollment=enrollment, clinic_id=clinic_id, sent_at=now, processed_by=processed_by
            )
            for clinic_id in set(clinic_ids) - done
        ],
        ignore_conflicts=True,
    )


def clinic_processing_until(enrollment: CopayEnrollment) -> datetime.date | None:
    if enrollment.card_bound_at is None:
        return None
    return working_days_after(
        timezone.localdate(enrollment.card_bound_at), CLINIC_PROCESSING_WORKING_DAYS
    )


# --- Charges -----------------------------------------------------------------------------------


def daily_key(*, insured_person_id: int, day: datetime.date) -> str:
    return f"copay-{insured_person_id}-{day:%Y%m%d}"


def charge_prepare(
    *,
    enrollment: CopayEnrollment,
    day: datetime.date,
    kind: str = Charge.Kind.DAILY,
    created_before: datetime.datetime | None = None,
) -> Charge | None:
    """Write the charge and its lines and commit, before any provider call. The daily charge's
    key is person + day: a second run of the day finds the first charge and returns it."""
    card = card_active(enrollment=enrollment)
    if card is None:
        return None
    if kind == Charge.Kind.DAILY:
        key = daily_key(insured_person_id=enrollment.insured_person_id, day=day)
        existing = Charge.objects.filter(idempotency_key=key).first()
        if existing:
            return existing
    else:
        key = f"copay-{enrollment.insured_person_id}-{day:%Y%m%d}-now-{uuid.uuid4().hex[:12]}"
    try:
        with transaction.atomic():
            lines = lines_chargeable(insured_person_id=enrollment.insured_person_id)
            if created_before is not None:
                lines = lines.filter(created_at__lt=created_before)
            lines = list(lines.select_for_update(of=("self",)))
            total = sum((line.copay_amount for line in lines), Decimal("0"))
            if not lines or total <= 0:
                return None
            charge = Charge.objects.create(
                user=enrollment.user,
                insured_person_id=enrollment.insured_person_id,
                card=card,
                day=day,
                kind=kind,
                idempotency_key=key,
                amount=total,
            )
            ChargeLine.objects.bulk_create(
                [
                    ChargeLine(charge=charge, service_line=line, amount=line.copay_amount)
                    for line in lines
                ]
            )
    except IntegrityError:
        # The same day's charge written by a concurrent run, or a line just taken by another
        # charge: nothing new to write.
        return Charge.objects.filter(idempotency_key=key).first()
    return charge


def charge_send(*, charge_id: int) -> Charge:
    """Call the provider for a committed charge. Only the worker that moves it from pending to
    in doubt sends it; the others return. The result is settled in one transaction."""
    charge = Charge.objects.select_related("card").get(pk=charge_id)
    return _charges_send([charge])[0]


def _charges_mark_sent(charges: list[Charge]) -> list[Charge]:
    """pending → in doubt, committed before any provider call, for the charges this worker owns
    (the others are being sent by another worker, or were). The charges are locked first, then
    their lines, so a dispute either waits for this commit or finds the charges sent; a line
    disputed meanwhile leaves its charge here (see _charge_withdraw_disputed_lines). Returns the
    charges to send."""
    pending = {c.pk: c for c in charges if c.status == Charge.Status.PENDING}
    if not pending:
        return []
    now = timezone.now()
    with transaction.atomic():
        mine = list(
            Charge.objects.select_for_update()
            .filter(pk__in=list(pending), status=Charge.Status.PENDING)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        if not mine:
            return []
        Charge.objects.filter(pk__in=mine).update(
            status=Charge.Status.IN_DOUBT, sent_at=now, updated_at=now
        )
        disputed = {
            charge_id
            for charge_id, state in ServiceLine.objects.select_for_update()
            .filter(charge_lines__charge_id__in=mine, charge_lines__active=True)
            .values_list("charge_lines__charge_id", "copay_state")
            if state != ServiceLine.CopayState.UNPAID
        }
        to_send = []
        for pk in mine:
            charge = pending[pk]
            charge.status, charge.sent_at, charge.updated_at = Charge.Status.IN_DOUBT, now, now
            if pk in disputed:
                if not _charge_withdraw_disputed_lines(charge):
                    continue
                Charge.objects.filter(pk=pk).update(amount=charge.amount)
            to_send.append(charge)
    return to_send


def _charges_send(charges: list[Charge]) -> list[Charge]:
    """Send committed charges (their cards loaded) one provider call each, then write the
    outcomes: the paid ones together in one transaction, the others one by one. A worker killed
    before that commit leaves the charges in doubt, for reconciliation."""
    gw = gateway()
    outcomes: list[tuple[Charge, PaymentResult]] = []
    for charge in _charges_mark_sent(charges):
        try:
            result = gw.payment_create(
                amount=charge.amount,
                customer_id=charge.card.provider_customer_id,
                payment_method_id=charge.card.provider_payment_method_id,
                idempotency_key=charge.idempotency_key,
                metadata={"charge_id": str(charge.pk), "idempotency_key": charge.idempotency_key},
                off_session=charge.kind == Charge.Kind.DAILY,
            )
        except GatewayError:
            logger.warning("charge %s: provider outcome unknown, for reconciliation", charge.pk)
            continue
        outcomes.append((charge, result))
    settled = {c.pk: c for c in charges_settle(outcomes)} if outcomes else {}
    return [settled.get(charge.pk, charge) for charge in charges]


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
    charge.status = Charge.Status.FAILED
    charge.decline_code = "lines_disputed"
    charge.settled_at = timezone.now()
    charge.save(update_fields=["status", "decline_code", "settled_at", "updated_at"])
    _refunds_release(charge, paid=False)
    return False


def charge_settle(*, charge_id: int, result: PaymentResult, notify: bool = True) -> Charge:
    """Write the provider's outcome of one charge (see charges_settle)."""
    charge = Charge(pk=charge_id)
    return charges_settle([(charge, result)], notify=notify)[0]


def charges_settle(
    outcomes: list[tuple[Charge, PaymentResult]], *, notify: bool = True
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
        for charge in paid:
            result = results[charge.pk]
            charge.provider_payment_id = result.payment_id or charge.provider_payment_id
            charge.status = Charge.Status.SUCCEEDED
            charge.settled_at = charge.updated_at = now
            charge.client_secret = ""
        if paid:
            paid_ids = [c.pk for c in paid]
            Charge.objects.filter(pk__in=paid_ids).update(
                status=Charge.Status.SUCCEEDED, settled_at=now, client_secret="", updated_at=now
            )
            _charges_payment_ids_write(paid)
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
            waiting = set(
                Refund.objects.filter(
                    charge_id__in=paid_ids, status=Refund.Status.WAITING
                ).values_list("charge_id", flat=True)
            )
            for charge in paid:
                if charge.pk in waiting:
                    _refunds_release(charge, paid=True)
        for charge in open_charges:
            if charge.status != Charge.Status.SUCCEEDED:
                _charge_settle_unpaid(charge, results[charge.pk], notify=notify, now=now)
    return charges


def _charges_payment_ids_write(charges: list[Charge]) -> None:
    """The provider's payment id of each charge in one UPDATE (a CASE over the ids). Django's
    bulk_update writes the same statement but builds one expression per row and field, which
    cost more than the provider call itself for a chunk of the daily run."""
    table = connection.ops.quote_name(Charge._meta.db_table)
    cases = " ".join("WHEN %s THEN %s" for _ in charges)
    params: list = []
    for charge in charges:
        params += [charge.pk, charge.provider_payment_id]
    placeholders = ", ".join("%s" for _ in charges)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET provider_payment_id = CASE id {cases} END "  # noqa: S608  (no input in the SQL text: only placeholders)
            f"WHERE id IN ({placeholders})",
            [*params, *(charge.pk for charge in charges)],
        )


def _charge_settle_unpaid(
    charge: Charge, result: PaymentResult, *, notify: bool, now: datetime.datetime
) -> None:
    """A decline or an authentication request (inside charges_settle's transaction)."""
    if result.payment_id:
        charge.provider_payment_id = result.payment_id
    if result.status == PaymentStatus.REQUIRES_ACTION and result.client_secret:
        charge.status = Charge.Status.REQUIRES_ACTION
        charge.client_secret = result.client_secret
        _schedule_retry(charge)
    elif result.status == PaymentStatus.PROCESSING:
        charge.status = Charge.Status.IN_DOUBT
    else:
        charge.status = Charge.Status.FAILED
        charge.decline_code = result.decline_code or result.status
        charge.settled_at = now
        line_ids = list(charge.lines.values_list("service_line_id", flat=True))
        charge.lines.update(active=False)
        # A line disputed while this charge was at the bank was left unpaid, not frozen: with
        # the charge failed it is frozen now, so no later charge takes it before the decision.
        ServiceLine.objects.filter(
            pk__in=line_ids,
            copay_state=ServiceLine.CopayState.UNPAID,
            disputed_at__isnull=False,
        ).update(copay_state=ServiceLine.CopayState.FROZEN, updated_at=now)
        _refunds_release(charge, paid=False)
        if notify:
            _schedule_retry(charge)
    charge.save()
    if notify and charge.status in (Charge.Status.FAILED, Charge.Status.REQUIRES_ACTION):
        from ..tasks import charge_failed_notify

        transaction.on_commit(lambda pk=charge.pk: charge_failed_notify.delay(pk))


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


def enrollments_due(*, day: datetime.date):
    return (
        CopayEnrollment.objects.filter(
            card_bound_at__isnull=False,
            cards__removed_at__isnull=True,
        )
        .filter(Q(next_charge_on__isnull=True) | Q(next_charge_on__lte=day))
        .exclude(
            insured_person__charges__status=Charge.Status.REQUIRES_ACTION,
        )
        .select_related("user")
        .distinct()
    )


DAILY_BATCH = 100


def charge_daily(*, enrollment_id: int, day: datetime.date) -> Charge | None:
    """The day's charge of one person (see charges_daily)."""
    return charges_daily(enrollment_ids=[enrollment_id], day=day).get(enrollment_id)


def charges_daily(*, enrollment_ids: list[int], day: datetime.date) -> dict[int, Charge]:
    """The day's charges of many persons, in chunks: per person, one charge of the unfrozen
    unpaid lines its day-before notice announced (known when the notice was written). No notice
    sent for the day, no automatic charge: a person is never charged for a line they were not
    told about. Each chunk's charges and lines are written with a few bulk statements and
    committed before any provider call; a second run of the day finds them by their keys and
    sends only those still pending. Returns {enrollment id: the day's charge}."""
    charges: dict[int, Charge] = {}
    for start in range(0, len(enrollment_ids), DAILY_BATCH):
        prepared = _charges_daily_prepare(enrollment_ids[start : start + DAILY_BATCH], day)
        sent = {c.pk: c for c in _charges_send(list(prepared.values()))}
        charges.update({eid: sent.get(c.pk, c) for eid, c in prepared.items()})
    return charges


def _charges_daily_prepare(enrollment_ids: list[int], day: datetime.date) -> dict[int, Charge]:
    enrollments = list(
        CopayEnrollment.objects.filter(pk__in=enrollment_ids).only(
            "pk", "user_id", "insured_person_id"
        )
    )
    person_of = {e.pk: e.insured_person_id for e in enrollments}
    keys = {daily_key(insured_person_id=pid, day=day): eid for eid, pid in person_of.items()}
    charges = {
        keys[c.idempotency_key]: c
        for c in Charge.objects.filter(idempotency_key__in=list(keys)).select_related("card")
    }
    todo = [e for e in enrollments if e.pk not in charges]
    if not todo:
        return charges
    noticed = dict(
        CopayNotice.objects.filter(
            insured_person_id__in=[e.insured_person_id for e in todo],
            charge_day=day,
            sent_at__isnull=False,
        ).values_list("insured_person_id", "created_at")
    )
    todo = [e for e in todo if e.insured_person_id in noticed]
    cards = {
        c.enrollment_id: c
        for c in PaymentCard.objects.filter(
            enrollment_id__in=[e.pk for e in todo], removed_at__isnull=True
        )
    }
    todo = [e for e in todo if e.pk in cards]
    if not todo:
        return charges
    try:
        with transaction.atomic():
            lines_of: dict[int, list[ServiceLine]] = {}
            for line in (
                lines_chargeable_for(insured_person_ids=[e.insured_person_id for e in todo])
                .select_for_update(of=("self",))
                .only("pk", "insured_person_id", "copay_amount", "created_at")
            ):
                if line.created_at < noticed[line.insured_person_id]:
                    lines_of.setdefault(line.insured_person_id, []).append(line)
            # Read again now that the lines are locked: a charge of the day written meanwhile by
            # a concurrent run is found here rather than by our insert, which would wait for the
            # worker now sending it while that worker waits for our lines (a deadlock).
            written = {
                keys[key]: charge
                for key, charge in Charge.objects.filter(
                    idempotency_key__in=[
                        daily_key(insured_person_id=e.insured_person_id, day=day) for e in todo
                    ]
                )
                .select_related("card")
                .in_bulk(field_name="idempotency_key")
                .items()
            }
            charges.update(written)
            new = {}
            for e in todo:
                if e.pk in written:
                    continue
                lines = lines_of.get(e.insured_person_id)
                total = sum((line.copay_amount for line in lines or ()), Decimal("0"))
                if lines and total > 0:
                    new[e.pk] = Charge(
                        user_id=e.user_id,
                        insured_person_id=e.insured_person_id,
                        card=cards[e.pk],
                        day=day,
                        kind=Charge.Kind.DAILY,
                        idempotency_key=daily_key(insured_person_id=e.insured_person_id, day=day),
                        amount=total,
                    )
            Charge.objects.bulk_create(new.values())
            ChargeLine.objects.bulk_create(
                ChargeLine(charge=charge, service_line=line, amount=line.copay_amount)
                for charge in new.values()
                for line in lines_of[charge.insured_person_id]
            )
    except IntegrityError:
        # A concurrent run wrote some of these charges, or took some lines: person by person,
        # each finding what the other wrote.
        for e in todo:
            charge = charge_prepare(
                enrollment=e, day=day, created_before=noticed[e.insured_person_id]
            )
            if charge is not None:
                charges[e.pk] = charge
        return charges
    charges.update(new)
    return charges


def charge_pay_now(*, enrollment: CopayEnrollment) -> Charge | None:
    """The "pay now" button: a charge awaiting the person's confirmation is returned as it is
    (the page confirms it with the provider's script); otherwise a new on-session charge."""
    waiting = Charge.objects.filter(
        insured_person_id=enrollment.insured_person_id, status=Charge.Status.REQUIRES_ACTION
    ).first()
    if waiting:
        return waiting
    charge = charge_prepare(
        enrollment=enrollment, day=timezone.localdate(), kind=Charge.Kind.ON_SESSION
    )
    if charge is None:
        return None
    if charge.status != Charge.Status.PENDING:
        return charge
    return charge_send(charge_id=charge.pk)


def charge_refresh(*, charge_id: int) -> Charge:
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
    return charge_settle(charge_id=charge.pk, result=result)


def charges_awaiting_release(*, insured_person_id: int) -> None:
    """A card replaced or removed: payments of the old card still awaiting the person's
    confirmation are cancelled at the provider first (so a late confirmation cannot pay twice),
    then their lines are released for the next charge. One that succeeded meanwhile is settled."""
    for charge in Charge.objects.filter(
        insured_person_id=insured_person_id, status=Charge.Status.REQUIRES_ACTION
    ):
        _charge_awaiting_cancel(charge, decline_code="card_replaced")


def _charge_awaiting_cancel(charge: Charge, *, decline_code: str) -> Charge:
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
    return charge_settle(charge_id=charge.pk, result=result, notify=False)


def charge_in_flight(charge: Charge, *, older_than: datetime.timedelta = RECONCILE_AFTER) -> bool:
    """Pending or in doubt and touched (sent) less than `older_than` ago: its call may still be
    on its way to the provider, so nothing is looked up or sent for it yet."""
    return charge.status in Charge.OPEN and charge.updated_at > timezone.now() - older_than


def charge_reconcile(*, charge: Charge, older_than: datetime.timedelta = RECONCILE_AFTER) -> Charge:
    """Settle one charge left pending or in doubt from the provider's records (found by our
    charge id in their metadata); none found means the call never reached the provider, and the
    charge is sent again with the same idempotency key (the provider then returns the first
    payment rather than make a second, should the first call arrive after all). One awaiting the
    person is read from the provider. Raises GatewayError when the provider cannot be asked.

    The charge is claimed first: only the caller that moves its updated_at on from the value it
    read goes on. A worker that sent it meanwhile (pending → in doubt writes updated_at) or
    another reconciliation has touched it, and this one leaves it to them rather than send it
    while their call may still be in flight; so is a charge sent less than `older_than` ago."""
    if charge.status == Charge.Status.REQUIRES_ACTION:
        return charge_refresh(charge_id=charge.pk)
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
        return charge_settle(charge_id=charge.pk, result=(succeeded or found)[0])
    if not Charge.objects.filter(
        pk=charge.pk, status__in=Charge.OPEN, updated_at=claimed_at
    ).update(status=Charge.Status.PENDING, updated_at=timezone.now()):
        return Charge.objects.get(pk=charge.pk)
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
            charge_refresh(charge_id=charge_id)
        except GatewayError:
            continue
    return len(stale)


# --- Refunds -----------------------------------------------------------------------------------


def refund_key(*, service_line_id: int) -> str:
    """One refund per service line, ever: the key (and the row's unique line) say so."""
    return f"copay-refund-{service_line_id}"


def refund_request(*, service_line_id: int) -> Refund | None:
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
    if refund.status == Refund.Status.WAITING and charge_awaiting_person(refund.charge_id):
        # Its charge awaits the person's 3-D Secure confirmation: rather than let them pay for
        # a service not provided and refund it, the payment is cancelled (the other lines are
        # charged again later); one confirmed meanwhile is settled paid and refunded.
        charge = Charge.objects.get(pk=refund.charge_id)
        try:
            _charge_awaiting_cancel(charge, decline_code="line_disputed")
        except GatewayError:
            logger.warning("refund %s: could not cancel charge %s", refund.pk, charge.pk)
        refund.refresh_from_db()
    if refund.status != Refund.Status.PENDING:
        return refund
    return refund_send(refund_id=refund.pk)


def charge_awaiting_person(charge_id: int) -> bool:
    return Charge.objects.filter(pk=charge_id, status=Charge.Status.REQUIRES_ACTION).exists()


def charge_refunds_due(*, charge: Charge) -> list[Refund]:
    """The operator's "refund" of a charge: the refund of each of its lines whose "service not
    provided" dispute was confirmed and that has none yet (a lost request); lines without a
    confirmed dispute are never refunded from here. Returns the refunds made or found."""
    line_ids = charge.lines.filter(
        active=True, service_line__recovery_flagged_at__isnull=False
    ).values_list("service_line_id", flat=True)
    refunds = [refund_request(service_line_id=pk) for pk in line_ids]
    return [refund for refund in refunds if refund is not None]


def _refunds_release(charge: Charge, *, paid: bool) -> None:
    """The charge's outcome is known (inside its settlement): refunds waiting for it go on
    (paid, their line still in it) or are not needed (failed, or the line left before sending)."""
    waiting = Refund.objects.filter(charge=charge, status=Refund.Status.WAITING)
    if not waiting.exists():
        return
    now = timezone.now()
    if paid:
        waiting.filter(charge_line__active=False).update(
            status=Refund.Status.NOT_NEEDED, settled_at=now, updated_at=now
        )
        ids = list(waiting.values_list("pk", flat=True))
        waiting.update(status=Refund.Status.PENDING, updated_at=now)
        from ..tasks import refund_send as refund_send_task

        for refund_id in ids:
            transaction.on_commit(lambda pk=refund_id: refund_send_task.delay(pk))
    else:
        waiting.update(status=Refund.Status.NOT_NEEDED, settled_at=now, updated_at=now)


def refund_send(*, refund_id: int) -> Refund:
    """Call the provider for a committed refund; only the worker moving it pending → in doubt
    sends it. Metadata carries our refund id, which reconciliation looks for."""
    with transaction.atomic():
        refund = Refund.objects.select_for_update().select_related("charge").get(pk=refund_id)
        if refund.status != Refund.Status.PENDING:
            return refund
        refund.status = Refund.Status.IN_DOUBT
        refund.sent_at = timezone.now()
        refund.save(update_fields=["status", "sent_at", "updated_at"])
    try:
        result = gateway().refund_create(
            payment_id=refund.charge.provider_payment_id,
            amount=refund.amount,
            idempotency_key=refund.idempotency_key,
            metadata={
                "refund_id": str(refund.pk),
                "charge_id": str(refund.charge_id),
                "service_line_id": str(refund.service_line_id),
            },
        )
    except GatewayError:
        logger.warning("refund %s: provider outcome unknown, left for reconciliation", refund.pk)
        return refund
    return refund_settle(refund_id=refund.pk, result=result)


def refund_settle(*, refund_id: int, result: RefundResult) -> Refund:
    """Write the provider's answer. Succeeded: the line's co-pay is cancelled (nothing owed,
    nothing kept) and the person is told on commit. A settled refund is left as it is."""
    with transaction.atomic():
        refund = Refund.objects.select_for_update().get(pk=refund_id)
        if refund.status in Refund.FINAL:
            return refund
        now = timezone.now()
        if result.refund_id:
            refund.provider_refund_id = result.refund_id
        if result.status == RefundStatus.SUCCEEDED:
            refund.status = Refund.Status.SUCCEEDED
            refund.settled_at = now
            ServiceLine.objects.filter(pk=refund.service_line_id).exclude(
                copay_state=ServiceLine.CopayState.CANCELLED
            ).update(copay_state=ServiceLine.CopayState.CANCELLED, updated_at=now)
            from ..tasks import refund_notify

            transaction.on_commit(lambda: refund_notify.delay(refund.pk))
        elif result.status == RefundStatus.FAILED:
            refund.status = Refund.Status.FAILED
            refund.failure_code = result.failure_code or "failed"
            refund.settled_at = now
            logger.error("refund %s refused by the provider: %s", refund.pk, refund.failure_code)
        else:
            refund.status = Refund.Status.IN_DOUBT
        refund.save()
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
            _refunds_release(charge, paid=charge.status == Charge.Status.SUCCEEDED)
    stale = list(
        Refund.objects.filter(status__in=Refund.OPEN, updated_at__lte=cutoff)
        .select_related("charge")
        .order_by("pk")
    )
    gw = gateway()
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
            refund_settle(refund_id=refund.pk, result=(done or found)[0])
        else:
            Refund.objects.filter(pk=refund.pk, status=Refund.Status.IN_DOUBT).update(
                status=Refund.Status.PENDING, updated_at=timezone.now()
            )
            refund_send(refund_id=refund.pk)
    return len(stale)


# --- Webhooks ----------------------------------------------------------------------------------


def webhook_process(*, payload: bytes, signature: str) -> bool:
    """Verify a provider event, then act once on what the provider itself answers about the
    event's object, asked again by its id: the event's body is only compared with that answer.
    An event the provider contradicts (forged with a leaked secret, or stale), or naming an
    object it does not know, changes nothing and is logged. Returns whether the event was acted
    on. Raises InvalidSignature for a forged signature, and GatewayError when the provider cannot
    be asked (the view answers 503 and the provider sends the event again)."""
    gw = gateway()
    event = gw.webhook_event(payload=payload, signature=signature)
    if ProcessedEvent.objects.filter(event_id=event.id).exists():
        logger.info("webhook event %s (%s) already processed", event.id, event.type)
        return False
    try:
        if event.object_kind == WebhookObject.PAYMENT:
            actual: PaymentResult | RefundResult | None = gw.payment_retrieve(
                payment_id=event.object_id
            )
        elif event.object_kind == WebhookObject.REFUND:
            actual = gw.refund_retrieve(refund_id=event.object_id)
        else:
            actual = None  # nothing of ours acts on it
    except ObjectNotFound:
        logger.warning(
            "webhook event %s (%s) names %s %r, unknown to the provider: ignored",
            event.id,
            event.type,
            event.object_kind,
            event.object_id,
        )
        return False
    contradicted = _webhook_contradictions(event, actual)
    if contradicted:
        logger.warning(
            "webhook event %s (%s) about %s %s contradicts the provider on %s: ignored",
            event.id,
            event.type,
            event.object_kind,
            event.object_id,
            ", ".join(contradicted),
        )
        return False
    with transaction.atomic():
        try:
            with transaction.atomic():
                ProcessedEvent.objects.create(event_id=event.id, type=event.type)
        except IntegrityError:
            return False
        if isinstance(actual, PaymentResult):
            _charge_payment_apply(actual)
            shop_payment_event_apply(actual)  # a purchase's payment issues its policy, once
        elif isinstance(actual, RefundResult):
            _refund_result_apply(actual)
    return True


def _webhook_contradictions(
    event: WebhookEvent, actual: PaymentResult | RefundResult | None
) -> list[str]:
    """The fields whose value in the event's body is not the provider's (of the metadata, each
    key the body states)."""
    if actual is None:
        return []
    contradicted = []
    for name, claimed in event.claims.items():
        value = getattr(actual, name)
        if name == "metadata":
            if any(value.get(key) != item for key, item in claimed.items()):
                contradicted.append(name)
        elif value != claimed:
            contradicted.append(name)
    claimed_id = actual.payment_id if isinstance(actual, PaymentResult) else actual.refund_id
    if claimed_id != event.object_id:
        contradicted.append("id")
    return contradicted


def _charge_payment_apply(payment: PaymentResult) -> None:
    """A payment the provider answered for, of a co-pay charge (by our charge id in its
    metadata): settled when it is final and is this charge's (amount, currency, customer)."""
    charge_id = payment.metadata.get("charge_id") or ""
    if not charge_id.isdigit() or payment.status not in (
        PaymentStatus.SUCCEEDED,
        PaymentStatus.DECLINED,
    ):
        return
    charge = Charge.objects.select_related("card").filter(pk=charge_id).first()
    if charge is None:
        logger.warning(
            "payment %s names charge %s, which does not exist", payment.payment_id, charge_id
        )
        return
    if (
        payment.amount != charge.amount
        or payment.currency != CURRENCY
        or payment.customer_id != charge.card.provider_customer_id
    ):
        logger.error(
            "payment %s (%s %s) is not charge %s's (%s %s): not settled",
            payment.payment_id,
            payment.amount,
            payment.currency,
            charge.pk,
            charge.amount,
            CURRENCY,
        )
        return
    charge_settle(charge_id=charge.pk, result=payment)


def _refund_result_apply(result: RefundResult) -> None:
    """A refund the provider answered for, of ours (by our refund id in its metadata): a final
    answer settles a refund sent to the provider, when it refunds that charge's payment by the
    refund's amount."""
    refund_id = result.metadata.get("refund_id") or ""
    if not refund_id.isdigit() or result.status not in (
        RefundStatus.SUCCEEDED,
        RefundStatus.FAILED,
    ):
        return
    refund = Refund.objects.select_related("charge").filter(pk=refund_id).first()
    if refund is None or refund.status != Refund.Status.IN_DOUBT:
        return  # not ours, not sent yet, or settled already
    if (
        result.payment_id != refund.charge.provider_payment_id
        or result.amount != refund.amount
        or result.currency != CURRENCY
        or (refund.provider_refund_id and refund.provider_refund_id != result.refund_id)
    ):
        logger.error(
            "provider refund %s (%s %s of %s) is not refund %s's: not settled",
            result.refund_id,
            result.amount,
            result.currency,
            result.payment_id,
            refund.pk,
        )
        return
    refund_settle(refund_id=refund.pk, result=result)


# --- Notices -----------------------------------------------------------------------------------


def copay_notice_send(*, enrollment_id: int, charge_day: datetime.date) -> bool:
    """The day-before notice of the amount and the lines. One per person and charge day; a
    notice whose e-mail failed is sent again by the next run."""
    enrollment = CopayEnrollment.objects.select_related("user", "insured_person").get(
        pk=enrollment_id
    )
    lines = list(lines_chargeable(insured_person_id=enrollment.insured_person_id))
    total = sum((line.copay_amount for line in lines), Decimal("0"))
    if not lines:
        return False
    notice, _created = CopayNotice.objects.get_or_create(
        insured_person_id=enrollment.insured_person_id,
        charge_day=charge_day,
        defaults={"amount": total},
    )
    if notice.sent_at is not None:
        return False
    context = {
        "person": enrollment.insured_person,
        "lines": lines,
        "total": total,
        "charge_day": charge_day,
        "hotline": settings.HOTLINE_PHONE_DISPLAY,
    }
    send_mail(
        _("Завтра будет списана со-оплата"),
        render_to_string("payments/email/notice.txt", context),
        None,
        [enrollment.user.email],
    )
    CopayNotice.objects.filter(pk=notice.pk, sent_at__isnull=True).update(sent_at=timezone.now())
    return True


def debt_total(*, insured_person_id: int) -> Decimal:
    return ServiceLine.objects.filter(
        insured_person_id=insured_person_id, copay_state=ServiceLine.CopayState.UNPAID
    ).aggregate(total=Sum("copay_amount"))["total"] or Decimal("0")
