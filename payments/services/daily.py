"""The daily co-pay run: the persons due a charge today, and their charges written, sent and
settled a chunk at a time (a constant number of statements per chunk: see tests/payments/
test_queries.py and bench/copay_run.py). A charge of the day is found again by its key, so a
second run of the day (a task delivered twice) sends nothing new."""

from __future__ import annotations

import datetime

from django.db.models import Q, QuerySet

from ..models import Charge, CopayEnrollment, CopayNotice, PaymentCard
from .charges import ChargeRequest, charges_create, charges_send

DAILY_BATCH = 100


def daily_key(*, insured_person_id: int, day: datetime.date) -> str:
    return f"copay-{insured_person_id}-{day:%Y%m%d}"


def enrollments_due(*, day: datetime.date) -> QuerySet[CopayEnrollment]:
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
        sent = {c.pk: c for c in charges_send(list(prepared.values()))}
        charges.update({eid: sent.get(c.pk, c) for eid, c in prepared.items()})
    return charges


def _charges_daily_prepare(enrollment_ids: list[int], day: datetime.date) -> dict[int, Charge]:
    """The chunk's charges of the day: those already written, and the new ones of the persons
    noticed and with a card (charges_create)."""
    enrollments = list(
        CopayEnrollment.objects.filter(pk__in=enrollment_ids).only(
            "pk", "user_id", "insured_person_id"
        )
    )
    keys = {daily_key(insured_person_id=e.insured_person_id, day=day): e.pk for e in enrollments}
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
    requests = [
        ChargeRequest(
            enrollment=e,
            card=cards[e.pk],
            key=daily_key(insured_person_id=e.insured_person_id, day=day),
            lines_before=noticed[e.insured_person_id],
        )
        for e in todo
        if e.pk in cards
    ]
    charges.update(charges_create(requests=requests, day=day, kind=Charge.Kind.DAILY))
    return charges
