"""Reads of the co-pay side: scoped to the user; the clinics' booking rule and the policy card
read from here too."""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Exists, OuterRef, QuerySet, Sum
from django.utils import timezone

from claims.models import ServiceLine
from policies.models import InsuredPerson
from policies.selectors import insured_persons_for_user
from portal.core.dates import working_days_after

from .models import Charge, ChargeLine, CopayEnrollment, PaymentCard, Refund

CLINIC_PROCESSING_WORKING_DAYS = 5


@dataclass(frozen=True)
class CopayAccess:
    """Where the person stands with the co-pay program's clinic access: the booking rule, the
    coverage check and the co-pay page read it alike."""

    enrolled: bool = False  # consent given and not withdrawn
    card_bound_at: datetime.datetime | None = None  # the first binding: the clocks start here
    clinic_access_from: datetime.datetime | None = None  # visits from (binding + 30 minutes)
    card_active: bool = False
    card_removed_at: datetime.datetime | None = None  # without an active card: when it went
    processing_until: datetime.date | None = None  # clinics' attachment lists, 5 working days

    @property
    def suspended(self) -> bool:
        """A card was bound once and is bound no more: clinic access is suspended."""
        return self.enrolled and self.card_bound_at is not None and not self.card_active

    def visit_allowed(self, starts_at: datetime.datetime) -> bool:
        return (
            self.card_active
            and self.clinic_access_from is not None
            and starts_at >= self.clinic_access_from
        )

    def processing(self, today: datetime.date) -> bool:
        """The clinics may not have the person on their lists yet: call the hotline."""
        return self.card_active and bool(self.processing_until and today <= self.processing_until)


def clinic_processing_until(card_bound_at: datetime.datetime | None) -> datetime.date | None:
    """«до 5 рабочих дней» counted from the binding day (the binding day itself not counted)."""
    if card_bound_at is None:
        return None
    return working_days_after(timezone.localdate(card_bound_at), CLINIC_PROCESSING_WORKING_DAYS)


def copay_access(*, insured_person: InsuredPerson) -> CopayAccess:
    """The insured person's co-pay clinic access (two small queries)."""
    enrollment = (
        CopayEnrollment.objects.filter(insured_person=insured_person, withdrawn_at__isnull=True)
        .only("card_bound_at", "clinic_access_from")
        .first()
    )
    if enrollment is None:
        return CopayAccess()
    cards = list(enrollment.cards.order_by("-created_at").values_list("removed_at", flat=True)[:1])
    active = bool(cards) and cards[0] is None
    return CopayAccess(
        enrolled=True,
        card_bound_at=enrollment.card_bound_at,
        clinic_access_from=enrollment.clinic_access_from,
        card_active=active,
        card_removed_at=cards[0] if cards and not active else None,
        processing_until=clinic_processing_until(enrollment.card_bound_at),
    )


def copay_debt(*, insured_person_ids) -> dict[int, Decimal]:
    """«Сумма задолженности» per insured person: unpaid co-pay lines (frozen ones are not debt
    until the dispute is settled). The policy card's figure, and the co-pay ledger's rule."""
    return dict(
        ServiceLine.objects.filter(
            insured_person_id__in=list(insured_person_ids),
            copay_state=ServiceLine.CopayState.UNPAID,
        )
        # no ordering: the model's default one (by clinic) joined the clinics to the sum
        .order_by()
        .values("insured_person_id")
        .annotate(total=Sum("copay_amount"))
        .values_list("insured_person_id", "total")
    )


def lines_chargeable(*, insured_person_id: int) -> QuerySet[ServiceLine]:
    """Unpaid, unfrozen co-pay lines not already in a charge that has not failed."""
    return lines_chargeable_for(insured_person_ids=[insured_person_id])


def lines_chargeable_for(*, insured_person_ids: list[int]) -> QuerySet[ServiceLine]:
    """The same for many persons at once (the daily run's chunks): one query."""
    in_charge = ChargeLine.objects.filter(service_line=OuterRef("pk"), active=True)
    return (
        ServiceLine.objects.filter(
            insured_person_id__in=insured_person_ids,
            copay_state=ServiceLine.CopayState.UNPAID,
            copay_amount__gt=0,
        )
        .exclude(Exists(in_charge))
        .order_by("insured_person_id", "service_date", "pk")
    )


def card_active(*, enrollment: CopayEnrollment) -> PaymentCard | None:
    return enrollment.cards.filter(removed_at__isnull=True).first()


def enrollments_for_user(user) -> QuerySet[CopayEnrollment]:
    return CopayEnrollment.objects.filter(
        user=user, insured_person__in=insured_persons_for_user(user), withdrawn_at__isnull=True
    ).select_related("insured_person", "program")


def charges_for_user(user) -> QuerySet[Charge]:
    return Charge.objects.filter(user=user).select_related("insured_person", "card")


@dataclass
class Ledger:
    person: InsuredPerson
    enrollment: CopayEnrollment | None
    card: PaymentCard | None
    unpaid: list[ServiceLine] = field(default_factory=list)
    frozen: list[ServiceLine] = field(default_factory=list)
    paid: list[ServiceLine] = field(default_factory=list)
    refunded: list[ServiceLine] = field(default_factory=list)  # refund asked, under way or done
    debt: Decimal = Decimal("0")
    awaiting_action: Charge | None = None


LEDGER_LINE_FIELDS = (
    "insured_person_id",
    "service_date",
    "service_name",
    "copay_amount",
    "copay_state",
    "clinic__name",
)


def ledgers_for_user(user) -> list[Ledger]:
    """One ledger per insured person of the user whose program has a co-pay."""
    persons = [p for p in insured_persons_for_user(user) if p.program.has_copay]
    enrollments = {e.insured_person_id: e for e in enrollments_for_user(user)}
    cards = {
        c.enrollment_id: c
        for c in PaymentCard.objects.filter(
            enrollment__in=enrollments.values(), removed_at__isnull=True
        )
    }
    lines = list(
        ServiceLine.objects.filter(insured_person__in=persons)
        .exclude(copay_state=ServiceLine.CopayState.NONE)
        .select_related("clinic")
        # what the ledger shows: whole rows of lines and clinics cost more to convert than to read
        .only(*LEDGER_LINE_FIELDS)
        .order_by("-service_date", "pk")
    )
    # The lines' charges and refunds by hand, two queries as prefetch_related made, without its
    # queryset per line (60 lines: ~8 ms of a ~30 ms page, `make bench`).
    line_ids = [line.pk for line in lines]
    paid_by = {
        cl.service_line_id: cl.charge
        for cl in ChargeLine.objects.filter(
            service_line_id__in=line_ids, charge__status=Charge.Status.SUCCEEDED
        )
        .select_related("charge")
        .order_by("-pk")  # the line's first succeeded charge is the last written, and wins
    }
    refund_of = {
        refund.service_line_id: refund
        for refund in Refund.objects.filter(service_line_id__in=line_ids).exclude(
            status=Refund.Status.NOT_NEEDED
        )
    }
    awaiting = {
        c.insured_person_id: c
        for c in Charge.objects.filter(
            user=user, insured_person__in=persons, status=Charge.Status.REQUIRES_ACTION
        )
    }
    ledgers = {}
    for person in persons:
        enrollment = enrollments.get(person.pk)
        ledgers[person.pk] = Ledger(
            person=person,
            enrollment=enrollment,
            card=cards.get(enrollment.pk) if enrollment else None,
            awaiting_action=awaiting.get(person.pk),
        )
    for line in lines:
        ledger = ledgers[line.insured_person_id]
        line.paid_charge = paid_by.get(line.pk)
        line.refund = refund_of.get(line.pk)
        if line.refund is not None:
            ledger.refunded.append(line)
        elif line.copay_state == ServiceLine.CopayState.UNPAID:
            ledger.unpaid.append(line)
            ledger.debt += line.copay_amount
        elif line.copay_state == ServiceLine.CopayState.FROZEN:
            ledger.frozen.append(line)
        elif line.copay_state == ServiceLine.CopayState.PAID:
            ledger.paid.append(line)
    return list(ledgers.values())


def debt_total(*, insured_person_id: int) -> Decimal:
    """The person's unpaid co-pay (frozen lines are not owed until their dispute is decided):
    copay_debt's figure for one person."""
    return copay_debt(insured_person_ids=[insured_person_id]).get(insured_person_id, Decimal("0"))
