"""Reads of the clinic network, coverage, schedules and bookings.

Clinics are the insurer's public network: any logged-in person may look at any of them. What a
person may see of bookings, saved places and policies is limited to their own here.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import (
    Exists,
    FloatField,
    Max,
    Min,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    TextField,
    Value,
)
from django.db.models.functions import Cast, Cos, Radians, Sqrt
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from policies.models import CareKind, InsuredPerson, Policy
from policies.selectors import insured_persons_for_user, policies_for_user
from portal.accounts.models import User

from . import schedule
from .db import SearchText, search_normalize
from .models import Appointment, Clinic, Doctor, ProgramClinic, SavedPlace, Slot

# Mean Earth radius (IUGG). Within a city the equirectangular approximation below differs from
# the great-circle distance by far less than the 100 m the list shows.
EARTH_RADIUS_KM = 6371.0088
SCHEDULE_DAYS = 14


@dataclass(frozen=True)
class BBox:
    """A map rectangle: west, south, east, north (the order of GeoJSON's bbox)."""

    min_lon: Decimal
    min_lat: Decimal
    max_lon: Decimal
    max_lat: Decimal


@dataclass(frozen=True)
class Origin:
    latitude: float
    longitude: float


@dataclass(frozen=True)
class ClinicQuery:
    """What a person looks for in the network.

    `program_ids` None means the whole network; otherwise clinics that one of these programs
    covers (for `care_kind`, when it is given)."""

    program_ids: tuple[int, ...] | None = None
    care_kind: CareKind | None = None
    city: str = ""
    online_booking: bool = False
    text: str = ""
    origin: Origin | None = None
    bbox: BBox | None = None


# --- The person's side of the filters --------------------------------------------------------


def dms_policies_for_user(user: User) -> QuerySet[Policy]:
    """The person's DMS policies (own and children's) in force now or later: a policy's program
    decides which clinics are theirs."""
    return (
        policies_for_user(user)
        .filter(
            product=Policy.Product.DMS,
            status=Policy.Status.ACTIVE,
            ends_on__gte=timezone.localdate(),
        )
        # what the clinic pages read of them: the number, the person's name and program (the
        # contract, the policyholder and the register row in full cost more to convert than read)
        .select_related(None)
        .select_related("insured_person")
        .only(
            "number",
            "insured_person__last_name",
            "insured_person__first_name",
            "insured_person__middle_name",
            "insured_person__program_id",
        )
    )


def saved_places_for_user(user: User) -> dict[str, SavedPlace]:
    return {place.kind: place for place in SavedPlace.objects.filter(user=user)}


def clinic_cities() -> list[str]:
    return list(Clinic.objects.order_by("city").values_list("city", flat=True).distinct())


def care_kinds() -> list[CareKind]:
    return list(CareKind.objects.all())


# --- Clinics ---------------------------------------------------------------------------------


def distance_km(origin: Origin):
    """Kilometres from the origin, in SQL (equirectangular approximation: fine at city scale,
    and made of functions that both SQLite and PostgreSQL have)."""
    lat = Cast("latitude", FloatField())
    lon = Cast("longitude", FloatField())
    lat0 = Value(origin.latitude, output_field=FloatField())
    lon0 = Value(origin.longitude, output_field=FloatField())
    x = Radians(lon - lon0) * Cos(Radians((lat + lat0) / Value(2.0, output_field=FloatField())))
    y = Radians(lat - lat0)
    return Value(EARTH_RADIUS_KM, output_field=FloatField()) * Sqrt(x * x + y * y)


def _coverage(query: ClinicQuery) -> QuerySet[ProgramClinic]:
    links = ProgramClinic.objects.filter(clinic=OuterRef("pk"))
    if query.program_ids is not None:
        links = links.filter(program_id__in=query.program_ids)
    if query.care_kind is not None:
        links = links.filter(care_kind=query.care_kind)
    return links


def clinics_matching(query: ClinicQuery) -> QuerySet[Clinic]:
    """The clinics of the query, by name (or nearest first when it has an origin)."""
    clinics = Clinic.objects.all()
    if query.program_ids is not None or query.care_kind is not None:
        clinics = clinics.filter(Exists(_coverage(query)))
    if query.city:
        clinics = clinics.filter(city=query.city)
    if query.online_booking:
        clinics = clinics.filter(online_booking=True)
    if query.text:
        term = search_normalize(query.text.strip())
        clinics = clinics.alias(
            name_search=SearchText("name"), address_search=SearchText("address")
        ).filter(Q(name_search__contains=term) | Q(address_search__contains=term))
    if query.bbox is not None:
        box = query.bbox
        clinics = clinics.filter(
            latitude__gte=box.min_lat,
            latitude__lte=box.max_lat,
            longitude__gte=box.min_lon,
            longitude__lte=box.max_lon,
        )
    if query.origin is not None:
        return clinics.annotate(distance_km=distance_km(query.origin)).order_by(
            "distance_km", "name", "pk"
        )
    return clinics.order_by("city", "name", "pk")


def clinics_for_list(query: ClinicQuery) -> QuerySet[Clinic]:
    """`clinics_matching` with what the list prints of each clinic's coverage (one query for a
    whole page): `clinic.coverage_links`, ordered by kind of care."""
    links = ProgramClinic.objects.select_related("care_kind").order_by(
        "care_kind__order", "care_kind__name", "pk"
    )
    if query.program_ids is not None:
        links = links.filter(program_id__in=query.program_ids)
    return clinics_matching(query).prefetch_related(
        Prefetch("program_links", queryset=links, to_attr="coverage_links")
    )


@dataclass(frozen=True)
class CoveredKind:
    care_kind: CareKind
    guarantee_letter_required: bool


def covered_kinds(links: Iterable[ProgramClinic]) -> list[CoveredKind]:
    """One entry per kind of care; a letter is needed only when no program covers it without."""
    kinds: dict[int, CareKind] = {}
    letter: dict[int, bool] = {}
    for link in links:
        kinds.setdefault(link.care_kind_id, link.care_kind)
        letter[link.care_kind_id] = letter.get(link.care_kind_id, True) and (
            link.guarantee_letter_required
        )
    return [CoveredKind(kind, letter[pk]) for pk, kind in kinds.items()]


def clinics_extent(query: ClinicQuery) -> BBox | None:
    found = (
        clinics_matching(query)
        .order_by()
        .aggregate(
            min_lat=Min("latitude"),
            max_lat=Max("latitude"),
            min_lon=Min("longitude"),
            max_lon=Max("longitude"),
        )
    )
    if found["min_lat"] is None:
        return None
    return BBox(found["min_lon"], found["min_lat"], found["max_lon"], found["max_lat"])


GEOJSON_FIELDS = ("id", "name", "address", "city", "lat", "lon", "phones_json", "online_booking")


def clinics_geojson_rows(query: ClinicQuery, kinds: list[CareKind]) -> QuerySet:
    """Plain rows for the map, in one query: the clinic's fields (phones as their JSON text),
    then for each kind of care a flag «covered here» (one index probe each; kinds of care are
    a handful, clinics thousands)."""
    links = ProgramClinic.objects.filter(clinic=OuterRef("pk"))
    if query.program_ids is not None:
        links = links.filter(program_id__in=query.program_ids)
    flags = {f"kind_{kind.pk}": Exists(links.filter(care_kind_id=kind.pk)) for kind in kinds}
    plain = ClinicQuery(**{**query.__dict__, "origin": None})
    return (
        clinics_matching(plain)
        .annotate(
            lat=Cast("latitude", FloatField()),
            lon=Cast("longitude", FloatField()),
            phones_json=Cast("phones", TextField()),
            **flags,
        )
        .order_by("pk")
        .values_list(*GEOJSON_FIELDS, *flags)
    )


def clinic_viewable(pk: int) -> QuerySet[Clinic]:
    """Any clinic of the network may be looked at by a logged-in person."""
    return Clinic.objects.filter(pk=pk)


@dataclass
class ClinicKind:
    """A kind of care the clinic offers in the network, and what the person's programs say."""

    care_kind: CareKind
    covered: bool = False
    guarantee_letter_required: bool = True


def clinic_kinds_for_user(*, clinic: Clinic, program_ids: Iterable[int]) -> list[ClinicKind]:
    programs = set(program_ids)
    found: dict[int, ClinicKind] = {}
    # Rows as tuples: a clinic has a link per program and kind of care (71 at the bench's large
    # scale), and two model instances per link cost more than the query.
    links = (
        ProgramClinic.objects.filter(clinic=clinic)
        .order_by("care_kind__order", "care_kind__name")
        .values_list(
            "care_kind_id",
            "care_kind__code",
            "care_kind__name",
            "care_kind__order",
            "program_id",
            "guarantee_letter_required",
        )
    )
    for kind_id, code, name, order, program_id, letter_required in links:
        entry = found.get(kind_id)
        if entry is None:
            kind = CareKind(pk=kind_id, code=code, name=name, order=order)
            entry = found[kind_id] = ClinicKind(kind)
        if program_id in programs:
            entry.covered = True
            entry.guarantee_letter_required &= letter_required
    for entry in found.values():
        if not entry.covered:
            entry.guarantee_letter_required = False
    return list(found.values())


# --- Coverage --------------------------------------------------------------------------------


def policy_in_force(*, insured_person: InsuredPerson, on: datetime.date) -> Policy | None:
    """The insured person's DMS policy in force on the day (issued, within its term)."""
    if not insured_person.is_active_on(on):
        return None
    return (
        Policy.objects.filter(
            insured_person=insured_person,
            product=Policy.Product.DMS,
            status=Policy.Status.ACTIVE,
            starts_on__lte=on,
            ends_on__gte=on,
        )
        .order_by("-starts_on", "pk")
        .first()
    )


@dataclass(frozen=True)
class Coverage:
    COVERED = "covered"
    LETTER = "letter"
    NOT_COVERED = "not_covered"
    NO_POLICY = "no_policy"
    # A co-pay program covers the clinic, but only with a bound card: none bound yet, or the
    # card was removed (access suspended from `card_removed_at`).
    CARD_REQUIRED = "card_required"
    CARD_REMOVED = "card_removed"

    status: str
    insured_person: InsuredPerson
    care_kind: CareKind
    clinic: Clinic
    on: datetime.date
    policy: Policy | None = None
    copay_share: Decimal = Decimal("0")
    card_removed_at: datetime.datetime | None = None
    # the clinics may not have the person on their attachment list until this day
    processing_until: datetime.date | None = None

    @property
    def is_covered(self) -> bool:
        return self.status in (self.COVERED, self.LETTER)

    @property
    def has_copay(self) -> bool:
        return self.is_covered and self.copay_share > 0

    @property
    def copay_text(self) -> str:
        if not self.has_copay:
            return _("без со-оплаты")
        share = f"{self.copay_share.normalize():f}".replace(".", ",")
        return _("со-оплата %(share)s\u00a0%% стоимости услуги") % {"share": share}

    @property
    def needs_card(self) -> bool:
        return self.status in (self.CARD_REQUIRED, self.CARD_REMOVED)

    @property
    def message(self) -> str:
        if self.status == self.CARD_REQUIRED:
            return _(
                "Программа «%(program)s» — со-оплатная: обращаться в клиники по ней можно только "
                "с привязанной банковской картой."
            ) % {"program": self.insured_person.program.name}
        if self.status == self.CARD_REMOVED:
            return _(
                "Обращения в клиники по со-оплатной программе приостановлены с %(day)s: карта "
                "отвязана. Привяжите карту, чтобы снова обращаться в клиники."
            ) % {"day": formats.date_format(timezone.localtime(self.card_removed_at), "d.m.Y")}
        if self.status == self.NO_POLICY:
            return _("Нет полиса ДМС, действующего на %(day)s.") % {
                "day": self.on.strftime("%d.%m.%Y")
            }
        if self.status == self.NOT_COVERED:
            return _(
                "Не покрывается: клиника не входит в программу «%(program)s» "
                "по виду помощи «%(kind)s»."
            ) % {"program": self.insured_person.program.name, "kind": self.care_kind.name}
        text = _("Покрывается полисом № %(number)s, %(copay)s.") % {
            "number": self.policy.number,
            "copay": self.copay_text,
        }
        if self.status == self.LETTER:
            text += " " + _(
                "Клинике нужно гарантийное письмо страховщика: запросите его до визита."
            )
        return text


def coverage_for(
    *, insured_person: InsuredPerson, clinic: Clinic, care_kind: CareKind, on: datetime.date
) -> Coverage:
    """Does the person's DMS policy in force on the day cover this kind of care in this clinic?"""
    common = {"insured_person": insured_person, "care_kind": care_kind, "clinic": clinic, "on": on}
    policy = policy_in_force(insured_person=insured_person, on=on)
    if policy is None:
        return Coverage(Coverage.NO_POLICY, **common)
    link = ProgramClinic.objects.filter(
        program_id=insured_person.program_id, clinic=clinic, care_kind=care_kind
    ).first()
    if link is None:
        return Coverage(Coverage.NOT_COVERED, policy=policy, **common)
    return Coverage(
        Coverage.LETTER if link.guarantee_letter_required else Coverage.COVERED,
        policy=policy,
        copay_share=insured_person.program.copay_share,
        **common,
    )


def patients_for_user(user: User) -> list[InsuredPerson]:
    """Who the person may book for: themselves and their linked children, self first."""
    people = list(insured_persons_for_user(user))
    return sorted(people, key=lambda p: (p.relation != InsuredPerson.Relation.EMPLOYEE, p.pk))


# --- Schedules and bookings ------------------------------------------------------------------


def clinic_doctors(clinic: Clinic) -> list[Doctor]:
    return list(clinic.doctors.select_related("care_kind").order_by("specialty", "full_name"))


def schedule_window(now: datetime.datetime | None = None) -> tuple[datetime.datetime, ...]:
    """From now to the end of the 14th day, today included."""
    now = now or timezone.now()
    last = timezone.localdate(now) + datetime.timedelta(days=SCHEDULE_DAYS)
    end = timezone.make_aware(datetime.datetime.combine(last, datetime.time.min))
    return now, end


def free_slots_by_doctor(
    *, doctors: list[Doctor], now: datetime.datetime | None = None
) -> dict[int, list[Slot]]:
    start, end = schedule_window(now)
    return schedule.free_slots_by_doctor(doctors, start, end)


@dataclass
class Day:
    day: datetime.date
    slots: list[Slot] = field(default_factory=list)


def slots_by_day(slots: Iterable[Slot]) -> list[Day]:
    days: dict[datetime.date, Day] = {}
    for slot in slots:
        local_day = timezone.localtime(slot.starts_at).date()
        days.setdefault(local_day, Day(local_day)).slots.append(slot)
    return list(days.values())


def slot_for_booking(*, clinic: Clinic, pk: int) -> QuerySet[Slot]:
    """A slot of this clinic's doctors (the URL names both)."""
    return Slot.objects.filter(pk=pk, doctor__clinic=clinic).select_related(
        "doctor__clinic", "doctor__care_kind"
    )


def slot_is_booked(slot: Slot) -> bool:
    return Appointment.objects.filter(slot=slot, status=Appointment.Status.BOOKED).exists()


def appointments_for_user(user: User) -> QuerySet[Appointment]:
    """The bookings the person made (for themselves or a child)."""
    return (
        Appointment.objects.filter(user=user)
        .select_related("slot__doctor__clinic", "slot__doctor__care_kind", "insured_person")
        .order_by("slot__starts_at", "pk")
    )


@dataclass(frozen=True)
class AppointmentLists:
    upcoming: list[Appointment]
    past: list[Appointment]


PAST_SHOWN = 30


# What «Мои записи к врачу» shows of a booking: the joined rows in full (the clinic's and the
# register row's many columns) cost more to convert than to read.
APPOINTMENT_LIST_FIELDS = (
    "status",
    "slot__starts_at",
    "slot__doctor__full_name",
    "slot__doctor__specialty",
    "slot__doctor__clinic__name",
    "slot__doctor__clinic__city",
    "slot__doctor__clinic__address",
    "insured_person__last_name",
    "insured_person__first_name",
    "insured_person__middle_name",
)


def appointment_lists(user: User, *, now: datetime.datetime | None = None) -> AppointmentLists:
    now = now or timezone.now()
    mine = (
        appointments_for_user(user)
        .select_related(None)
        .select_related("slot__doctor__clinic", "insured_person")
        .only(*APPOINTMENT_LIST_FIELDS)
    )
    upcoming = mine.filter(status=Appointment.Status.BOOKED, slot__starts_at__gte=now)
    past = mine.exclude(pk__in=upcoming.values("pk")).order_by("-slot__starts_at", "-pk")
    return AppointmentLists(list(upcoming), list(past[:PAST_SHOWN]))


def appointments_due_for_reminder(*, now: datetime.datetime | None = None) -> list[int]:
    """Booked appointments of tomorrow (Moscow time) that have not been reminded of yet."""
    now = now or timezone.now()
    tomorrow = timezone.localdate(now) + datetime.timedelta(days=1)
    start = timezone.make_aware(datetime.datetime.combine(tomorrow, datetime.time.min))
    end = start + datetime.timedelta(days=1)
    return list(
        Appointment.objects.filter(
            status=Appointment.Status.BOOKED,
            reminded_at__isnull=True,
            slot__starts_at__gte=max(start, now),
            slot__starts_at__lt=end,
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )


SOON = datetime.timedelta(hours=2)


def appointments_due_for_soon_reminder(*, now: datetime.datetime | None = None) -> list[int]:
    """Booked appointments starting within two hours that have not had that reminder yet."""
    now = now or timezone.now()
    return list(
        Appointment.objects.filter(
            status=Appointment.Status.BOOKED,
            reminded_soon_at__isnull=True,
            slot__starts_at__gt=now,
            slot__starts_at__lte=now + SOON,
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def free_slots_of_doctor(
    *, doctor: Doctor, now: datetime.datetime | None = None, exclude: Slot | None = None
) -> list[Slot]:
    start, end = schedule_window(now)
    slots = schedule.free_slots(doctor, start, end)
    return [slot for slot in slots if exclude is None or slot.pk != exclude.pk]


def group_program_ids(policies: Iterable[Policy]) -> tuple[int, ...]:
    return tuple(sorted({p.insured_person.program_id for p in policies if p.insured_person}))
