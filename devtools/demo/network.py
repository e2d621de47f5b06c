"""The demo clinic network: clinics, what each program covers where, doctors and schedules."""

import datetime
import random
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from clinics import schedule
from clinics.geojson import network_changed
from clinics.models import Clinic, Doctor, ProgramClinic, Slot
from policies.models import CareKind

from .clinics import (
    CITY_BOXES,
    CITY_PHONE_CODES,
    CLINICS,
    HOURS_BY_PROFILE,
    PROFILE_CARE_KINDS,
    takes_online_booking,
)
from .medicine import SPECIALTIES_BY_PROFILE
from .names import random_full_name
from .register import COMPANIES, ContractBundle

# Both cities of the network live on Moscow time, whatever TIME_ZONE the server runs with.
CLINIC_TZ = ZoneInfo("Europe/Moscow")
SCHEDULE_DAYS = 14
SLOT_LENGTH = datetime.timedelta(minutes=30)
COVERED_SHARE = 0.8
# Care that the insurer pays only against a guarantee letter to the clinic.
LETTER_KINDS = frozenset({"hospital", "rehab"})


def clinics_ensure(rng: random.Random, *, today: datetime.date) -> list[Clinic]:
    """The clinics in the order of the data list (positions matter: see `CLINICS`)."""
    rows = []
    for position, data in enumerate(CLINICS):
        codes = CITY_PHONE_CODES[data.city]
        phones = [
            f"+7{rng.choice(codes)}{rng.randint(2_000_000, 9_999_999)}"
            for _ in range(rng.randint(1, 2))
        ]
        rows.append(
            Clinic(
                name=data.name,
                address=data.address,
                city=data.city,
                latitude=data.latitude,
                longitude=data.longitude,
                phones=phones,
                hours=rng.choice(HOURS_BY_PROFILE[data.profile]),
                site=data.site,
                online_booking=takes_online_booking(position),
                last_verified_on=today - datetime.timedelta(days=rng.randint(0, 89)),
            )
        )
    Clinic.objects.bulk_create(rows, ignore_conflicts=True)
    found = {
        (clinic.name, clinic.address): clinic
        for clinic in Clinic.objects.filter(name__in=[data.name for data in CLINICS])
    }
    return [found[(data.name, data.address)] for data in CLINICS]


# (company index, program code) → kind of care → positions of the clinics covered for it
CoveragePlan = dict[tuple[int, str], dict[str, list[int]]]


def plan_coverage(rng: random.Random) -> CoveragePlan:
    """Each program covers about 80 % of the network, for the kinds of care each clinic offers;
    a kind the program covers is never left without a clinic in either city."""
    plan: CoveragePlan = {}
    count = len(CLINICS)
    for company_index, company in enumerate(COMPANIES):
        for program in company.programs:
            sample = set(rng.sample(range(count), round(count * COVERED_SHARE)))
            by_kind = {}
            for kind in program.care_kinds:
                offering = [
                    p for p in range(count) if kind in PROFILE_CARE_KINDS[CLINICS[p].profile]
                ]
                chosen = [p for p in offering if p in sample]
                for city in CITY_BOXES:
                    in_city = [p for p in offering if CLINICS[p].city == city]
                    if in_city and not any(CLINICS[p].city == city for p in chosen):
                        chosen.append(in_city[0])
                by_kind[kind] = sorted(chosen)
            plan[(company_index, program.code)] = by_kind
    return plan


def needs_guarantee_letter(*, kind: str, position: int) -> bool:
    # A consultation inside a hospital is arranged through the insurer as well.
    return kind in LETTER_KINDS or (
        kind == "outpatient" and CLINICS[position].profile == "hospital"
    )


def coverage_ensure(
    *,
    plan: CoveragePlan,
    bundles: list[ContractBundle],
    clinics: list[Clinic],
    kinds: dict[str, CareKind],
) -> None:
    rows = [
        ProgramClinic(
            program=bundles[company_index].programs[program_code],
            clinic=clinics[position],
            care_kind=kinds[kind],
            guarantee_letter_required=needs_guarantee_letter(kind=kind, position=position),
        )
        for (company_index, program_code), by_kind in plan.items()
        for kind, positions in by_kind.items()
        for position in positions
    ]
    ProgramClinic.objects.bulk_create(rows, ignore_conflicts=True)
    network_changed()  # bulk_create sends no signals: the map's cached GeoJSON is stale


@dataclass(frozen=True)
class DoctorPlan:
    position: int
    full_name: str
    specialty: str
    care_kind: str


def plan_doctors(rng: random.Random) -> list[DoctorPlan]:
    """Three to six doctors in each clinic that takes online bookings."""
    plans = []
    for position, data in enumerate(CLINICS):
        if not takes_online_booking(position):
            continue
        specialties = SPECIALTIES_BY_PROFILE[data.profile]
        for specialty, kind in rng.sample(specialties, rng.randint(3, min(6, len(specialties)))):
            name = random_full_name(rng, male=rng.random() < 0.4)
            plans.append(DoctorPlan(position, str(name), specialty, kind))
    return plans


def doctors_ensure(
    *, plans: list[DoctorPlan], clinics: list[Clinic], kinds: dict[str, CareKind]
) -> list[Doctor]:
    Doctor.objects.bulk_create(
        [
            Doctor(
                clinic=clinics[plan.position],
                full_name=plan.full_name,
                specialty=plan.specialty,
                care_kind=kinds[plan.care_kind],
            )
            for plan in plans
        ],
        ignore_conflicts=True,
    )
    wanted = {(clinics[p.position].pk, p.full_name, p.specialty) for p in plans}
    booking_clinics = {clinics[p.position].pk for p in plans}
    return [
        doctor
        for doctor in Doctor.objects.filter(clinic_id__in=booking_clinics)
        if (doctor.clinic_id, doctor.full_name, doctor.specialty) in wanted
    ]


def slot_starts(
    *, hours: str, today: datetime.date, now: datetime.datetime
) -> list[datetime.datetime]:
    """The clinic's visit times over the next two weeks, in its own hours (weekends included
    when it works then), those still ahead of `now`."""
    opening = schedule.opening_hours(hours)
    starts = []
    for offset in range(SCHEDULE_DAYS):
        day = today + datetime.timedelta(days=offset)
        starts.extend(schedule.slot_starts_for_day(opening, day, SLOT_LENGTH, CLINIC_TZ))
    return [start for start in starts if start > now]


def slots_ensure(*, doctors: list[Doctor], today: datetime.date, now: datetime.datetime) -> None:
    """Tops the schedules up to two weeks ahead; a time that exists is left alone."""
    hours = dict(Clinic.objects.filter(doctors__in=doctors).values_list("pk", "hours").distinct())
    by_clinic = {pk: slot_starts(hours=text, today=today, now=now) for pk, text in hours.items()}
    Slot.objects.bulk_create(
        [
            Slot(doctor=doctor, starts_at=start, ends_at=start + SLOT_LENGTH)
            for doctor in doctors
            for start in by_clinic.get(doctor.clinic_id, [])
        ],
        ignore_conflicts=True,
        batch_size=2000,
    )
