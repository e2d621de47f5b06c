"""A year of DMS service history from the clinics' monthly registers, for every insured person."""

import datetime
import random
from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from claims.history_version import service_history_changed
from claims.models import ServiceLine
from clinics.models import Clinic
from policies.models import CareKind, InsuredPerson

from .clinics import CLINICS
from .medicine import (
    ADULT_VISITS,
    BACK_PAIN,
    CHILD_VISITS,
    MAGNETOTHERAPY,
    NECK_MASSAGE,
    UNPAID_COURSE,
    UNPAID_COURSE_START,
    Service,
    VisitKind,
)
from .network import CoveragePlan
from .register import COMPANIES, DEMO_CHILD, DEMO_PERSON, PersonPlan

KOPECK = Decimal("0.01")
DEMO_REGULAR_LINES = 36
DEMO_CHILD_LINES = 12
# The demo person's regular history stops three weeks back, before the unpaid course.
DEMO_QUIET_DAYS = 21
COURSE_SERVICES = frozenset({MAGNETOTHERAPY, NECK_MASSAGE})
ADULT_PROFILES = frozenset({"multi", "polyclinic", "dental", "hospital", "rehab"})
CHILD_PROFILES = frozenset({"children", "multi", "dental"})


@dataclass(frozen=True)
class LinePlan:
    person_number: str
    position: int
    care_kind: str
    service: Service
    quantity: int
    service_date: datetime.date
    diagnosis: tuple[str, str]
    unpaid: bool = False


def copay_for(amount: Decimal, share: Decimal) -> Decimal:
    return (amount * share / Decimal(100)).quantize(KOPECK, rounding=ROUND_HALF_UP)


def register_number(*, position: int, day: datetime.date) -> str:
    """A clinic's register for a month: «Р-2026-03-0012», the last part numbering the clinic."""
    return f"Р-{day.year}-{day.month:02d}-{position + 1:04d}"


def _clinics_for(by_kind: dict[str, list[int]], *, kind: str, city: str, child: bool) -> list[int]:
    in_city = [p for p in by_kind.get(kind, []) if CLINICS[p].city == city]
    profiles = CHILD_PROFILES if child else ADULT_PROFILES
    return [p for p in in_city if CLINICS[p].profile in profiles] or in_city


def _visits(
    rng: random.Random,
    *,
    plan: PersonPlan,
    by_kind: dict[str, list[int]],
    first_day: datetime.date,
    last_day: datetime.date,
    target: int,
) -> list[LinePlan]:
    child = plan.parent_number is not None
    city = COMPANIES[plan.company].city
    kinds: tuple[VisitKind, ...] = CHILD_VISITS if child else ADULT_VISITS
    choices = [v for v in kinds if _clinics_for(by_kind, kind=v.care_kind, city=city, child=child)]
    span = (last_day - first_day).days
    lines: list[LinePlan] = []
    while len(lines) < target:
        visit = rng.choices(choices, weights=[v.weight for v in choices])[0]
        position = rng.choice(_clinics_for(by_kind, kind=visit.care_kind, city=city, child=child))
        day = first_day + datetime.timedelta(days=rng.randint(0, span))
        diagnosis = rng.choice(visit.diagnoses)
        services = [(visit.main, day, 1)]
        for extra in visit.extras:
            if rng.random() < 0.5:
                continue
            if extra.code.endswith(".002"):  # a repeat consultation comes a week or two later
                later = day + datetime.timedelta(days=rng.randint(5, 14))
                services.append((extra, min(later, last_day), 1))
            else:
                services.append((extra, day, rng.randint(2, 5) if extra in COURSE_SERVICES else 1))
        lines += [
            LinePlan(
                plan.policy_number, position, visit.care_kind, service, quantity, when, diagnosis
            )
            for service, when, quantity in services
        ]
    return lines


def _unpaid_course(*, by_kind: dict[str, list[int]], today: datetime.date) -> list[LinePlan]:
    """The demo person's latest lines: a neurologist, then three unpaid physiotherapy visits at a
    Moscow clinic that takes online bookings."""
    moscow = _clinics_for(by_kind, kind="outpatient", city=COMPANIES[0].city, child=False)
    position = next((p for p in moscow if CLINICS[p].profile == "multi" and p % 3 == 0), moscow[0])
    days_ago, consultation = UNPAID_COURSE_START
    lines = [
        LinePlan(
            DEMO_PERSON.policy_number,
            position,
            "outpatient",
            consultation,
            1,
            today - datetime.timedelta(days=days_ago),
            BACK_PAIN,
        )
    ]
    for days_ago, service, quantity in UNPAID_COURSE:
        lines.append(
            LinePlan(
                DEMO_PERSON.policy_number,
                position,
                "outpatient",
                service,
                quantity,
                today - datetime.timedelta(days=days_ago),
                BACK_PAIN,
                unpaid=True,
            )
        )
    return lines


def plan_history(
    rng: random.Random,
    *,
    people: list[PersonPlan],
    persons: dict[str, InsuredPerson],
    coverage: CoveragePlan,
    today: datetime.date,
) -> list[LinePlan]:
    yesterday = today - datetime.timedelta(days=1)
    lines: list[LinePlan] = []
    for plan in people:
        person = persons[plan.policy_number]
        by_kind = coverage[(plan.company, plan.program_code)]
        first_day = max(person.starts_on, person.birth_date)
        if plan == DEMO_PERSON:
            last_day, target = today - datetime.timedelta(days=DEMO_QUIET_DAYS), DEMO_REGULAR_LINES
        elif plan == DEMO_CHILD:
            last_day, target = yesterday, DEMO_CHILD_LINES
        else:
            last_day, target = yesterday, rng.randint(4, 6)
        lines += _visits(
            rng, plan=plan, by_kind=by_kind, first_day=first_day, last_day=last_day, target=target
        )
        if plan == DEMO_PERSON:
            lines += _unpaid_course(by_kind=by_kind, today=today)
    return lines


def history_ensure(
    *,
    lines: list[LinePlan],
    persons: dict[str, InsuredPerson],
    clinics: list[Clinic],
    kinds: dict[str, CareKind],
) -> None:
    """Writes the history of the people who have none yet; line numbers run through each
    clinic's monthly register in date order."""
    with_history = set(
        ServiceLine.objects.filter(insured_person__in=persons.values())
        .values_list("insured_person_id", flat=True)
        .distinct()
    )
    counters: dict[tuple[int, str], int] = defaultdict(int)
    rows = []
    ordered = sorted(
        enumerate(lines), key=lambda item: (item[1].service_date, item[1].position, item[0])
    )
    for _index, plan in ordered:
        register = register_number(position=plan.position, day=plan.service_date)
        counters[(plan.position, register)] += 1
        person = persons[plan.person_number]
        if person.pk in with_history:
            continue
        amount = plan.service.price * plan.quantity
        share = person.program.copay_share
        if share > 0:
            copay = copay_for(amount, share)
            state = ServiceLine.CopayState.UNPAID if plan.unpaid else ServiceLine.CopayState.PAID
        else:
            copay, state = Decimal("0.00"), ServiceLine.CopayState.NONE
        rows.append(
            ServiceLine(
                clinic=clinics[plan.position],
                register_number=register,
                line_number=counters[(plan.position, register)],
                insured_person=person,
                service_code=plan.service.code,
                service_name=plan.service.name,
                care_kind=kinds[plan.care_kind],
                service_date=plan.service_date,
                quantity=plan.quantity,
                amount=amount,
                copay_amount=copay,
                copay_state=state,
                icd10_code=plan.diagnosis[0],
                icd10_name=plan.diagnosis[1],
            )
        )
    ServiceLine.objects.bulk_create(rows, ignore_conflicts=True)
    service_history_changed()  # a bulk write sends no signals
