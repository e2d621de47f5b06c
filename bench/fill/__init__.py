"""Fill the bench database with a scaled data set, fast: PostgreSQL COPY of generated rows.

Rows are produced by generators and streamed into `COPY ... FROM STDIN`, so memory stays flat
whatever the scale. Every row carries its own primary key: the foreign keys of later tables are
computed from the same index arithmetic instead of being read back, and the identity sequences
are moved past the largest id at the end so that ORM inserts keep working.

The bench person (the one the pages are measured as) is then created with the ORM, on top of the
bulk: a few dozen rows, written through the models like the product writes them.
"""

from __future__ import annotations

import datetime
import json
import random
import resource
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.utils import timezone
from psycopg import sql

from bench import vocab
from bench.subjects import (
    BENCH_CHILD_POLICY,
    BENCH_OWN_POLICY,
    BENCH_PASSWORD,
    BENCH_PERSON_EMAIL,
    BENCH_STAFF_TOTP_SECRET,
    HR_EMAIL,
    OPERATOR_EMAIL,
)
from claims.models import Claim, ClaimEvent, ServiceLine
from clinics.geojson import network_changed
from clinics.models import Appointment, Clinic, Doctor, ProgramClinic, Slot
from feedback.models import Appeal, AppealMessage, GuaranteeLetter
from policies.models import (
    CareKind,
    Contract,
    InsuredPerson,
    Policy,
    Policyholder,
    PolicyLink,
    Program,
)
from portal.accounts.models import Consent, User

# Apps whose tables the fill owns: truncated and refilled on every run.
OUR_APPS = ("core", "accounts", "policies", "clinics", "claims", "feedback", "payments")
MSK = ZoneInfo("Europe/Moscow")
# Django reads a leading "!" as "no password: cannot log in"; force_login does not need one.
UNUSABLE_PASSWORD = "!bench-no-password"  # noqa: S105
CONSENT_VERSION = "2025-01"

# What the bench person has on top of the bulk (the test checks the counts with these).
BENCH_OWN_LINES = 45
BENCH_CHILD_LINES = 15
BENCH_EXTRA = {
    "accounts.User": 1,
    "accounts.Consent": 1,
    "policies.InsuredPerson": 2,
    "policies.PolicyLink": 2,
    "policies.Policy": 3,
    "claims.ServiceLine": BENCH_OWN_LINES + BENCH_CHILD_LINES,
    "claims.Claim": 2,
    "feedback.Appeal": 4,
    "feedback.GuaranteeLetter": 1,
    "clinics.Appointment": 3,
}


@dataclass(frozen=True)
class Scale:
    """How much of everything: the sizes the rest of the data set is derived from."""

    name: str
    insured: int
    clinics: int
    service_lines: int
    appointments: int
    appeals: int
    claims: int
    clinics_per_program: int
    doctors_per_clinic: int = 4
    slots_per_doctor: int = 20


SCALES: dict[str, Scale] = {
    s.name: s
    for s in (
        Scale("micro", 20, 3, 100, 10, 5, 2, clinics_per_program=3),
        Scale("tiny", 100, 10, 1_000, 100, 50, 20, clinics_per_program=10),
        Scale("small", 1_000, 50, 10_000, 1_000, 500, 200, clinics_per_program=40),
        Scale("medium", 10_000, 500, 100_000, 10_000, 5_000, 2_000, clinics_per_program=150),
        Scale("large", 100_000, 5_000, 1_000_000, 100_000, 50_000, 20_000, clinics_per_program=300),
    )
}


@dataclass(frozen=True)
class Plan:
    """Counts derived from a scale, and the index arithmetic that ties the tables together.

    Indexes are 0-based, ids are index + 1. Insured persons are the employees first, then the
    children; employee `e` is program `program_of_employee(e)`; the first `users` employees have
    a cabinet (user id e + 1), and so do the children of those employees.
    """

    scale: Scale

    @property
    def employees(self) -> int:
        return self.scale.insured - self.children

    @property
    def children(self) -> int:
        return self.scale.insured // 5

    @property
    def users(self) -> int:
        return max(1, self.employees * 2 // 5)

    @property
    def policyholders(self) -> int:
        return max(2, self.scale.insured // 1_000)

    @property
    def programs(self) -> int:
        return self.policyholders * len(vocab.PROGRAM_SHAPES)

    @property
    def doctors(self) -> int:
        return self.scale.clinics * self.scale.doctors_per_clinic

    @property
    def slots(self) -> int:
        return self.doctors * self.scale.slots_per_doctor

    @property
    def bought_policies(self) -> int:
        return max(1, self.users // 3)

    @property
    def guarantee_letters(self) -> int:
        return max(1, self.scale.appeals // 10)

    @property
    def operator_id(self) -> int:
        return self.users + 1

    @property
    def hr_id(self) -> int:
        return self.users + 2

    @property
    def window(self) -> int:
        """How many clinics each program covers."""
        return min(self.scale.clinics, self.scale.clinics_per_program)

    def program_of_employee(self, e: int) -> int:
        """Program index: contract `e % policyholders`, shape `(e // policyholders) % 3`."""
        h = self.policyholders
        return (e % h) * len(vocab.PROGRAM_SHAPES) + (e // h) % len(vocab.PROGRAM_SHAPES)

    def parent_of_child(self, j: int) -> int:
        # 3 * children <= employees, so no employee is the parent of two of them.
        return (j * 3) % self.employees

    def program_of_person(self, p: int) -> int:
        if p < self.employees:
            return self.program_of_employee(p)
        return self.program_of_employee(self.parent_of_child(p - self.employees))

    def copay_share(self, q: int) -> int:
        """The base program of every other contract has a 20 % co-pay."""
        return 20 if q % 6 == 0 else 0

    def program_clinic(self, q: int, n: int) -> int:
        """The id of the n-th clinic (mod window) that program q covers."""
        start = (q * 37) % self.scale.clinics
        return (start + n % self.window) % self.scale.clinics + 1


def _money(kopecks: int) -> str:
    return f"{kopecks // 100}.{kopecks % 100:02d}"


def _person_name(n: int) -> tuple[str, str, str]:
    female = n % 2
    last = vocab.SURNAMES[(n * 31 + n // 7) % len(vocab.SURNAMES)] + ("а" if female else "")
    names = vocab.FEMALE_NAMES if female else vocab.MALE_NAMES
    first = names[(n * 7 + n // 13) % len(names)]
    middle = vocab.PATRONYMICS[(n * 11 + n // 3) % len(vocab.PATRONYMICS)][female]
    return last, first, middle


class Generator:
    """The rows of every bulk table, as generators of tuples in the order of `columns`."""

    def __init__(self, plan: Plan, seed: int) -> None:
        self.plan = plan
        self.rng = random.Random(seed)
        self.now = timezone.now()
        self.today = timezone.localdate()
        self.year_start = datetime.date(self.today.year, 1, 1)
        self.year_end = datetime.date(self.today.year, 12, 31)
        self.care_kind_ids = {code: i + 1 for i, (code, _n, _o) in enumerate(vocab.CARE_KINDS)}
        shapes = vocab.PROGRAM_SHAPES
        # Services each program shape covers, to draw service lines from.
        self.shape_services = [
            [s for s in vocab.SERVICES if s[2] in kinds] for _c, _n, kinds in shapes
        ]

    # --- the register ------------------------------------------------------------------------
    def policyholders(self) -> Iterator[tuple]:
        for h in range(self.plan.policyholders):
            inn = f"77{h + 1:08d}"
            yield h + 1, f"ООО «Работодатель {h + 1}»", inn

    def contracts(self) -> Iterator[tuple]:
        centres = json.dumps([{"name": "Пульс 24/7", "phone": "+78003024419"}], ensure_ascii=False)
        for h in range(self.plan.policyholders):
            yield (
                h + 1,
                h + 1,
                f"ДМС-{self.today.year}-{h + 1:05d}",
                self.year_start,
                self.year_end,
                centres,
            )

    def care_kinds(self) -> Iterator[tuple]:
        for i, (code, name, order) in enumerate(vocab.CARE_KINDS):
            yield i + 1, code, name, order

    def programs(self) -> Iterator[tuple]:
        shapes = vocab.PROGRAM_SHAPES
        for q in range(self.plan.programs):
            code, name, _kinds = shapes[q % len(shapes)]
            share = self.plan.copay_share(q)
            title = f"{name} с со-оплатой {share} %" if share else name
            yield q + 1, q // len(shapes) + 1, code, title, share, q % len(shapes) == 2

    def program_care_kinds(self) -> Iterator[tuple]:
        n = 0
        shapes = vocab.PROGRAM_SHAPES
        for q in range(self.plan.programs):
            for code in shapes[q % len(shapes)][2]:
                n += 1
                yield n, q + 1, self.care_kind_ids[code]

    def insured_persons(self) -> Iterator[tuple]:
        plan = self.plan
        for p in range(self.plan.scale.insured):
            last, first, middle = _person_name(p)
            q = plan.program_of_person(p)
            contract_id = q // len(vocab.PROGRAM_SHAPES) + 1
            if p < plan.employees:
                birth = datetime.date(1962, 1, 1) + datetime.timedelta(days=(p * 7919) % 14_600)
                relation, parent_id, email = "employee", None, f"person{p + 1}@bench.example"
                phone = f"+79{p + 100_000_000:09d}"
            else:
                j = p - plan.employees
                # 1 to 14 years old: a child may be linked until 15.
                birth = self.today - datetime.timedelta(days=365 + (j * 3571) % 4_745)
                relation, parent_id, email, phone = "child", plan.parent_of_child(j) + 1, "", ""
            yield (
                p + 1,
                f"77-{contract_id:05d}-{p + 1:08d}",
                last,
                first,
                middle,
                birth,
                email,
                phone,
                contract_id,
                q + 1,
                self.year_start,
                self.year_end,
                relation,
                parent_id,
            )

    # --- people with a cabinet ----------------------------------------------------------------
    def users(self) -> Iterator[tuple]:
        for e in range(self.plan.users):
            last, first, middle = _person_name(e)
            joined = self.now - datetime.timedelta(days=e % 700, minutes=e % 1440)
            yield (
                e + 1,
                UNUSABLE_PASSWORD,
                f"person{e + 1}@bench.example",
                first,
                last,
                middle,
                False,
                True,
                False,
                joined,
                datetime.date(1962, 1, 1) + datetime.timedelta(days=(e * 7919) % 14_600),
                f"+79{e + 100_000_000:09d}",
                joined,
            )
        # The staff the staff pages are measured as.
        for uid, email, last, first in (
            (self.plan.operator_id, OPERATOR_EMAIL, "Операторова", "Ольга"),
            (self.plan.hr_id, HR_EMAIL, "Кадрова", "Елена"),
        ):
            yield (
                uid,
                UNUSABLE_PASSWORD,
                email,
                first,
                last,
                "",
                True,
                True,
                False,
                self.now,
                None,
                "",
                None,
            )

    def consents(self) -> Iterator[tuple]:
        for e in range(self.plan.users):
            yield e + 1, e + 1, "personal_data", CONSENT_VERSION, self.now

    def policy_links(self) -> Iterator[tuple]:
        plan = self.plan
        n = 0
        for e in range(plan.users):
            n += 1
            yield n, e + 1, e + 1, "self", self.now - datetime.timedelta(days=e % 300)
        for j in range(plan.children):
            parent = plan.parent_of_child(j)
            if parent < plan.users:
                n += 1
                linked = self.now - datetime.timedelta(days=j % 200)
                yield n, parent + 1, plan.employees + j + 1, "child", linked

    def policies(self) -> Iterator[tuple]:
        """A DMS policy for every insured person, a ВЗР one for the premium programs' employees,
        then the policies the users bought."""
        plan = self.plan
        n = 0
        for p in range(plan.scale.insured):
            n += 1
            contract_id = plan.program_of_person(p) // len(vocab.PROGRAM_SHAPES) + 1
            number = f"77-{contract_id:05d}-{p + 1:08d}"
            yield (n, "dms", number, None, p + 1, self.year_start, self.year_end, "active",
                   "0.00", "{}", "")  # fmt: skip
        for e in range(plan.employees):
            if plan.program_of_employee(e) % len(vocab.PROGRAM_SHAPES) == 2:
                n += 1
                yield (n, "vzr", f"VZR-{e + 1:08d}", None, e + 1, self.year_start, self.year_end,
                       "active", "0.00", '{"territory": "Весь мир"}', "")  # fmt: skip
        for b in range(plan.bought_policies):
            n += 1
            product = vocab.BOUGHT_PRODUCTS[b % len(vocab.BOUGHT_PRODUCTS)][0]
            starts = self.today - datetime.timedelta(days=b % 200)
            data = {"vehicle": {"model": vocab.CAR_MODELS[b % len(vocab.CAR_MODELS)]}}
            if product not in ("osago", "kasko"):
                data = {"sum_insured": 500_000 + (b % 10) * 100_000}
            yield (
                n,
                product,
                f"{product.upper()}-{b + 1:09d}",
                (b * 3) % plan.users + 1,
                None,
                starts,
                starts + datetime.timedelta(days=364),
                "active",
                _money(350_000 + (b % 40) * 25_000),
                json.dumps(data, ensure_ascii=False),
                "2025.1",
            )

    def bought_policy_id(self, b: int) -> int:
        plan = self.plan
        vzr = sum(
            1
            for e in range(plan.employees)
            if plan.program_of_employee(e) % len(vocab.PROGRAM_SHAPES) == 2
        )
        return plan.scale.insured + vzr + b + 1

    # --- clinics --------------------------------------------------------------------------------
    def clinics(self) -> Iterator[tuple]:
        weights = [c[3] for c in vocab.CITIES]
        for k in range(self.plan.scale.clinics):
            city, lat, lon, _w, code = self.rng.choices(vocab.CITIES, weights)[0]
            street = vocab.STREETS[k % len(vocab.STREETS)]
            brand = vocab.CLINIC_BRANDS[k % len(vocab.CLINIC_BRANDS)]
            phones = json.dumps([f"+7{code}{1_000_000 + (k * 7919) % 9_000_000}"])
            yield (
                k + 1,
                f"{brand} {k + 1}",
                f"г. {city}, {street}, д. {1 + (k * 7) % 150}",
                city,
                f"{lat + self.rng.uniform(-0.15, 0.15):.6f}",
                f"{lon + self.rng.uniform(-0.25, 0.25):.6f}",
                phones,
                "пн–пт 8:00–21:00, сб–вс 9:00–18:00",
                f"https://clinic{k + 1}.example.ru",
                k % 3 == 0,
                self.today - datetime.timedelta(days=k % 120),
            )

    def program_clinics(self) -> Iterator[tuple]:
        plan = self.plan
        hospital = self.care_kind_ids["hospital"]
        dental = self.care_kind_ids["dental"]
        shapes = vocab.PROGRAM_SHAPES
        n = 0
        for q in range(plan.programs):
            kinds = [self.care_kind_ids[c] for c in shapes[q % len(shapes)][2]]
            for w in range(plan.window):
                clinic = plan.program_clinic(q, w)
                for kind in kinds:
                    if kind == hospital and clinic % 3:
                        continue  # hospitals are fewer than outpatient clinics
                    n += 1
                    letter = kind == hospital or (kind == dental and clinic % 5 == 0)
                    yield n, q + 1, clinic, kind, letter

    def doctors(self) -> Iterator[tuple]:
        per_clinic = self.plan.scale.doctors_per_clinic
        if per_clinic > len(vocab.SPECIALTIES):
            raise ImproperlyConfigured("one doctor per specialty: raise SPECIALTIES first")
        for k in range(self.plan.scale.clinics):
            for d in range(per_clinic):
                n = k * per_clinic + d
                specialty, kind = vocab.SPECIALTIES[d]
                name = " ".join(_person_name(n + 1_000_003))
                yield n + 1, k + 1, name, specialty, self.care_kind_ids[kind]

    def _slot_times(self) -> list[tuple[str, str, int]]:
        """(start, end, day offset) of each slot of a doctor: 14 days from 3 days ago, half-hour
        slots from 9:00. The same for every doctor, so computed once."""
        times = []
        for s in range(self.plan.scale.slots_per_doctor):
            offset = s % 14 - 3
            day = self.today + datetime.timedelta(days=offset)
            starts = datetime.datetime.combine(day, datetime.time(9), tzinfo=MSK)
            starts += datetime.timedelta(minutes=30 * (s // 14))
            ends = starts + datetime.timedelta(minutes=30)
            times.append((starts.isoformat(), ends.isoformat(), offset))
        return times

    def slots(self) -> Iterator[tuple]:
        times = self._slot_times()
        n = 0
        for doctor in range(1, self.plan.doctors + 1):
            for starts, ends, _offset in times:
                n += 1
                yield n, doctor, starts, ends

    def appointments(self) -> Iterator[tuple]:
        plan = self.plan
        count = plan.scale.appointments
        if plan.slots < count:
            raise ImproperlyConfigured(f"{plan.scale.name}: fewer slots than appointments")
        step = plan.slots // count
        times = self._slot_times()
        for a in range(count):
            slot = a * step  # distinct slots: no two bookings of one
            offset = times[slot % plan.scale.slots_per_doctor][2]
            status = "completed" if offset < 0 else "cancelled" if a % 10 == 9 else "booked"
            user = a % plan.users + 1
            created = self.now - datetime.timedelta(days=5 + a % 20)
            yield a + 1, slot + 1, user, user, status, created, created

    # --- DMS services -------------------------------------------------------------------------
    def service_lines(self) -> Iterator[tuple]:
        plan = self.plan
        rng = self.rng
        insured = plan.scale.insured
        shapes = len(vocab.PROGRAM_SHAPES)
        days = [self.today - datetime.timedelta(days=d) for d in range(366)]
        months = [d.strftime("%Y%m") for d in days]
        icd_default = vocab.ICD10
        for i in range(plan.scale.service_lines):
            p = i % insured
            q = plan.program_of_person(p)
            code, name, kind, price = rng.choice(self.shape_services[q % shapes])
            clinic = plan.program_clinic(q, (i // insured) * 13 + p)
            ago = rng.randrange(1, 366)
            quantity = 2 if i % 17 == 0 else 1
            amount = price * quantity * (90 + rng.randrange(21)) // 100
            share = plan.copay_share(q)
            if share:
                copay, state = amount * share // 100, "unpaid" if ago <= 30 else "paid"
            else:
                copay, state = 0, "none"
            icd = ("K02.1", "Кариес дентина") if kind == "dental" else rng.choice(icd_default)
            yield (
                i + 1,
                clinic,
                f"{clinic}/{months[ago]}",
                i + 1,  # line numbers are unique over the whole set, so any register is unique
                p + 1,
                code,
                name,
                self.care_kind_ids[kind],
                days[ago],
                quantity,
                _money(amount),
                _money(copay),
                state,
                icd[0],
                icd[1],
            )

    # --- appeals and guarantee letters --------------------------------------------------------
    APPEAL_KINDS = ("question", "review", "complaint", "thanks", "not_provided")
    APPEAL_SUBJECTS = {
        "question": "Вопрос о программе страхования",
        "review": "Отзыв о приёме врача",
        "complaint": "Жалоба на качество обслуживания",
        "thanks": "Благодарность врачу",
        "not_provided": "Услуга не была оказана",
    }

    def _appeal(self, a: int) -> tuple[int, str, str, int | None, int | None, datetime.datetime]:
        """(user id, kind, status, service line id, clinic id, created) of appeal a."""
        plan = self.plan
        u = (a * 7) % plan.users
        kind = self.APPEAL_KINDS[a % len(self.APPEAL_KINDS)]
        line = None
        if kind == "not_provided":
            # A line of the author's own register rows: line i belongs to person i % insured.
            per_person = max(1, plan.scale.service_lines // plan.scale.insured)
            i = u + ((a // 5) % per_person) * plan.scale.insured
            if i < plan.scale.service_lines:
                line = i + 1
            else:
                kind = "complaint"
        clinic = None
        if kind in ("review", "complaint", "thanks"):
            clinic = plan.program_clinic(plan.program_of_employee(u), a)
        ago = (a * 13) % 120
        if ago > 45:
            status = "closed"
        elif ago > 20:
            status = "answered"
        elif ago > 5:
            status = "in_progress"
        else:
            status = "new"
        if a % 50 == 0 and ago > 30:
            status = "in_progress"  # a few overdue, as in life
        created = self.now - datetime.timedelta(days=ago, minutes=a % 600)
        return u + 1, kind, status, line, clinic, created

    def appeals(self) -> Iterator[tuple]:
        for a in range(self.plan.scale.appeals):
            user, kind, status, line, clinic, created = self._appeal(a)
            yield (
                a + 1,
                f"ОБР-{a + 1:08d}",
                user,
                kind,
                status,
                self.APPEAL_SUBJECTS[kind],
                timezone.localdate(created) + datetime.timedelta(days=30),
                line,
                clinic,
                created,
                created,
            )

    def appeal_messages(self) -> Iterator[tuple]:
        n = 0
        for a in range(self.plan.scale.appeals):
            user, kind, status, _line, _clinic, created = self._appeal(a)
            n += 1
            yield n, a + 1, user, False, "Прошу рассмотреть моё обращение. " * 3, created
            if status in ("answered", "closed"):
                n += 1
                answer = "Ваше обращение рассмотрено, по результатам проверки сообщаем..."
                sent = created + datetime.timedelta(days=2)
                yield n, a + 1, self.plan.operator_id, True, answer, sent

    def guarantee_letters(self) -> Iterator[tuple]:
        plan = self.plan
        statuses = ("requested", "issued", "refused", "expired")
        kinds = (self.care_kind_ids["hospital"], self.care_kind_ids["diagnostics"])
        for g in range(plan.guarantee_letters):
            u = (g * 11) % plan.users
            status = statuses[g % len(statuses)]
            number, valid = "", None
            if status in ("issued", "expired"):
                number = f"ГП-{g + 1:08d}"
                valid = self.today + datetime.timedelta(days=30 if status == "issued" else -10)
            created = self.now - datetime.timedelta(days=g % 60)
            clinic = plan.program_clinic(plan.program_of_employee(u), g)
            yield (g + 1, u + 1, u + 1, clinic, kinds[g % 2], status, number, valid,
                   created, created)  # fmt: skip

    # --- claims ---------------------------------------------------------------------------------
    CLAIM_PATHS = (
        ("submitted",),
        ("submitted", "documents_requested"),
        ("submitted", "under_review"),
        ("submitted", "under_review", "approved"),
        ("submitted", "under_review", "refused"),
        ("submitted", "under_review", "approved", "paid"),
    )

    def claims(self) -> Iterator[tuple]:
        plan = self.plan
        first_bought = self.bought_policy_id(0)
        for c in range(plan.scale.claims):
            b = c % plan.bought_policies
            _product, event_type, place = vocab.BOUGHT_PRODUCTS[b % len(vocab.BOUGHT_PRODUCTS)]
            status = self.CLAIM_PATHS[c % len(self.CLAIM_PATHS)][-1]
            approved = (
                _money(1_500_000 + (c % 50) * 100_000) if status in ("approved", "paid") else None
            )
            event_at = self.now - datetime.timedelta(days=1 + (c * 7) % 200, hours=c % 24)
            created = event_at + datetime.timedelta(days=1)
            yield (
                c + 1,
                f"УБ-{c + 1:08d}",
                first_bought + b,
                event_type,
                event_at,
                place,
                "Описание обстоятельств страхового события.",
                "{}",
                status,
                approved,
                created,
                created,
            )

    def claim_events(self) -> Iterator[tuple]:
        plan = self.plan
        n = 0
        for c in range(plan.scale.claims):
            b = c % plan.bought_policies
            holder = (b * 3) % plan.users + 1
            at = self.now - datetime.timedelta(days=(c * 7) % 200)
            previous = ""
            for step, status in enumerate(self.CLAIM_PATHS[c % len(self.CLAIM_PATHS)]):
                n += 1
                by = holder if step == 0 else plan.operator_id
                yield n, c + 1, previous, status, at + datetime.timedelta(days=step), by, ""
                previous = status


@dataclass(frozen=True)
class Step:
    """One bulk table: the model, the attnames its generator yields (space-separated, in
    order), the generator."""

    model: type[models.Model]
    columns: str
    rows: Callable[[Generator], Iterable[tuple]]


# In dependency order (foreign keys are deferred, but reading the list top-down should make
# sense). A later issue that adds a table appends its step here.
STEPS: list[Step] = [
    Step(Policyholder, "id name inn", Generator.policyholders),
    Step(
        Contract,
        "id policyholder_id number starts_on ends_on contact_centres",
        Generator.contracts,
    ),
    Step(CareKind, "id code name order", Generator.care_kinds),
    Step(Program, "id contract_id code name copay_share includes_vzr", Generator.programs),
    Step(Program.care_kinds.through, "id program_id carekind_id", Generator.program_care_kinds),
    Step(
        InsuredPerson,
        "id policy_number last_name first_name middle_name birth_date email phone contract_id "
        "program_id starts_on ends_on relation parent_id",
        Generator.insured_persons,
    ),
    Step(
        User,
        "id password email first_name last_name middle_name is_staff is_active is_superuser "
        "date_joined birth_date phone phone_confirmed_at",
        Generator.users,
    ),
    Step(Consent, "id user_id document version given_at", Generator.consents),
    Step(PolicyLink, "id user_id insured_person_id relation linked_at", Generator.policy_links),
    Step(
        Policy,
        "id product number holder_id insured_person_id starts_on ends_on status premium "
        "product_data tariff_version",
        Generator.policies,
    ),
    Step(
        Clinic,
        "id name address city latitude longitude phones hours site online_booking last_verified_on",
        Generator.clinics,
    ),
    Step(
        ProgramClinic,
        "id program_id clinic_id care_kind_id guarantee_letter_required",
        Generator.program_clinics,
    ),
    Step(Doctor, "id clinic_id full_name specialty care_kind_id", Generator.doctors),
    Step(Slot, "id doctor_id starts_at ends_at", Generator.slots),
    Step(
        Appointment,
        "id slot_id user_id insured_person_id status created_at updated_at",
        Generator.appointments,
    ),
    Step(
        ServiceLine,
        "id clinic_id register_number line_number insured_person_id service_code service_name "
        "care_kind_id service_date quantity amount copay_amount copay_state icd10_code "
        "icd10_name",
        Generator.service_lines,
    ),
    Step(
        Appeal,
        "id number user_id kind status subject due_on service_line_id clinic_id created_at "
        "updated_at",
        Generator.appeals,
    ),
    Step(
        AppealMessage,
        "id appeal_id author_id from_staff body sent_at",
        Generator.appeal_messages,
    ),
    Step(
        GuaranteeLetter,
        "id user_id insured_person_id clinic_id care_kind_id status number valid_until "
        "created_at updated_at",
        Generator.guarantee_letters,
    ),
    Step(
        Claim,
        "id number policy_id event_type event_at place description payout_details status "
        "approved_amount created_at updated_at",
        Generator.claims,
    ),
    Step(
        ClaimEvent,
        "id claim_id from_status to_status at by_id comment",
        Generator.claim_events,
    ),
]


def _fill_values(model: type[models.Model], columns: Sequence[str], now: datetime.datetime):
    """The columns the generator does not yield, with the value the ORM would have written.

    Keeps the fill working when a field with a default is added to a model; a new required
    field without one stops the fill with its name, rather than a COPY error.
    """
    given = set(columns)
    names, values = [], []
    for f in model._meta.concrete_fields:
        if f.attname in given:
            continue
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            value = now
        elif f.has_default() or f.null or f.empty_strings_allowed:
            value = f.get_default()
            if isinstance(f, models.JSONField):
                value = json.dumps(value)
            else:
                value = f.get_db_prep_save(value, connection)
        else:
            raise ImproperlyConfigured(
                f"bench.fill: {model._meta.label}.{f.name} is required and has no default; "
                "add it to the table's Step in bench/fill.py"
            )
        names.append(f.column)
        values.append(value)
    column_of = {f.attname: f.column for f in model._meta.concrete_fields}
    return [column_of[c] for c in columns] + names, tuple(values)


def copy_rows(model: type[models.Model], columns: Sequence[str], rows: Iterable[tuple]) -> int:
    """Stream rows into the model's table with COPY; returns how many were written."""
    db_columns, extra = _fill_values(model, columns, timezone.now())
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(model._meta.db_table),
        sql.SQL(", ").join(sql.Identifier(c) for c in db_columns),
    )
    count = 0
    with connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row(row + extra if extra else row)
            count += 1
    return count


def our_models() -> list[type[models.Model]]:
    """Every model of our apps, with the auto-created many-to-many tables."""
    return [
        model
        for label in OUR_APPS
        if label in {c.label for c in apps.get_app_configs()}
        for model in apps.get_app_config(label).get_models(include_auto_created=True)
    ]


def tables_truncate() -> None:
    tables = sql.SQL(", ").join(sql.Identifier(m._meta.db_table) for m in our_models())
    with connection.cursor() as cursor:
        cursor.execute(sql.SQL("TRUNCATE {} RESTART IDENTITY CASCADE").format(tables).as_string())


def sequences_reset() -> None:
    statements = connection.ops.sequence_reset_sql(no_style(), our_models())
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


@contextmanager
def indexes_and_foreign_keys_set_aside() -> Iterator[dict[str, float]]:
    """Drop our tables' secondary indexes and foreign keys for the bulk COPY, then rebuild them.

    PostgreSQL builds an index from sorted data, and checks a foreign key being added with one
    join, far faster than it maintains them row by row: the large fill drops from over a minute
    to about half of that. Every constraint is back, and has checked every row, when this exits;
    the primary keys and unique constraints stay in place throughout, so duplicates fail at once.
    The DDL is part of the fill's transaction: a failed fill leaves the schema as it was.
    """
    tables = [m._meta.db_table for m in our_models()]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint"
            " WHERE contype = 'f' AND conrelid::regclass::text = ANY(%s)",
            [tables],
        )
        foreign_keys = cursor.fetchall()
        cursor.execute(
            "SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index i"
            " WHERE indrelid::regclass::text = ANY(%s) AND NOT EXISTS"
            " (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)",
            [tables],
        )
        indexes = cursor.fetchall()
        for table, name, _definition in foreign_keys:
            cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {_quoted(name)}")
        for index, _definition in indexes:
            cursor.execute(f"DROP INDEX {index}")
    timings: dict[str, float] = {}
    yield timings
    with connection.cursor() as cursor:
        started = time.perf_counter()
        for _index, definition in indexes:
            cursor.execute(definition)
        timings["indexes"] = time.perf_counter() - started
        started = time.perf_counter()
        for table, name, definition in foreign_keys:
            cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {_quoted(name)} {definition}")
        timings["foreign keys"] = time.perf_counter() - started


def _quoted(name: str) -> str:
    return sql.Identifier(name).as_string()


def bench_person_create(plan: Plan) -> None:
    """The person the pages are measured as: their own DMS policy, a child's, a bought ОСАГО,
    ~60 service lines with an unpaid co-pay, appeals, claims and bookings."""
    now = timezone.now()
    today = timezone.localdate()
    program = Program.objects.get(pk=1)  # the base program of contract 1: 20 % co-pay
    contract = program.contract
    user = User.objects.create_user(
        email=BENCH_PERSON_EMAIL,
        password=None,
        last_name="Проверкин",
        first_name="Тест",
        middle_name="Нагрузович",
        birth_date=datetime.date(1985, 5, 17),
        phone="+79990000001",
        phone_confirmed_at=now,
    )
    Consent.objects.create(user=user, document="personal_data", version=CONSENT_VERSION)
    staff_logins_ensure(user, contract.policyholder)
    common = {"contract": contract, "program": program, "starts_on": contract.starts_on}
    common["ends_on"] = contract.ends_on
    own = InsuredPerson.objects.create(
        policy_number=BENCH_OWN_POLICY,
        last_name=user.last_name,
        first_name=user.first_name,
        middle_name=user.middle_name,
        birth_date=user.birth_date,
        email=user.email,
        phone=user.phone,
        **common,
    )
    child = InsuredPerson.objects.create(
        policy_number=BENCH_CHILD_POLICY,
        last_name=user.last_name,
        first_name="Маша",
        middle_name="Тестовна",
        birth_date=today - datetime.timedelta(days=8 * 365),
        relation=InsuredPerson.Relation.CHILD,
        parent=own,
        **common,
    )
    PolicyLink.objects.bulk_create(
        [
            PolicyLink(user=user, insured_person=own, relation=PolicyLink.Relation.SELF),
            PolicyLink(user=user, insured_person=child, relation=PolicyLink.Relation.CHILD),
        ]
    )
    term = {"starts_on": contract.starts_on, "ends_on": contract.ends_on, "status": "active"}
    Policy.objects.create(product="dms", number=BENCH_OWN_POLICY, insured_person=own, **term)
    Policy.objects.create(product="dms", number=BENCH_CHILD_POLICY, insured_person=child, **term)
    osago = Policy.objects.create(
        product="osago",
        number="OSAGO-BENCH-0001",
        holder=user,
        starts_on=today - datetime.timedelta(days=100),
        ends_on=today + datetime.timedelta(days=264),
        status="active",
        premium=Decimal("8450.00"),
        product_data={"vehicle": {"model": "Kia Rio", "plate": "А123ВС777"}},
        tariff_version="2025.1",
    )

    kinds = {k.code: k for k in CareKind.objects.all()}
    services = [s for s in vocab.SERVICES if s[2] in vocab.PROGRAM_SHAPES[0][2]]
    lines = []
    for n in range(BENCH_OWN_LINES + BENCH_CHILD_LINES):
        code, name, kind, price = services[n % len(services)]
        day = today - datetime.timedelta(days=1 + n * 6)
        amount = price * (95 + n % 10) // 100
        clinic_id = plan.program_clinic(0, n)
        lines.append(
            ServiceLine(
                clinic_id=clinic_id,
                register_number=f"{clinic_id}/BENCH-{day:%Y%m}",
                line_number=n + 1,
                insured_person=own if n < BENCH_OWN_LINES else child,
                service_code=code,
                service_name=name,
                care_kind=kinds[kind],
                service_date=day,
                amount=Decimal(_money(amount)),
                copay_amount=Decimal(_money(amount // 5)),
                copay_state="unpaid" if n < 5 else "paid",
                icd10_code=vocab.ICD10[n % len(vocab.ICD10)][0],
                icd10_name=vocab.ICD10[n % len(vocab.ICD10)][1],
            )
        )
    lines = ServiceLine.objects.bulk_create(lines)
    disputed = lines[0]
    disputed.copay_state = ServiceLine.CopayState.FROZEN
    disputed.save(update_fields=["copay_state"])

    operator = User.objects.get(email=OPERATOR_EMAIL)
    clinic = disputed.clinic
    due = today + datetime.timedelta(days=30)
    appeals = [
        Appeal(number="ОБР-B0001", user=user, kind="not_provided", subject="Услуга не оказана",
               due_on=due, service_line=disputed),
        Appeal(number="ОБР-B0002", user=user, kind="complaint", subject="Долгое ожидание",
               due_on=due, clinic=clinic, status="in_progress"),
        Appeal(number="ОБР-B0003", user=user, kind="question", subject="Покрытие стоматологии",
               due_on=today - datetime.timedelta(days=3), status="answered"),
        Appeal(number="ОБР-B0004", user=user, kind="thanks", subject="Спасибо доктору",
               due_on=today - datetime.timedelta(days=20), clinic=clinic, status="closed"),
    ]  # fmt: skip
    appeals = Appeal.objects.bulk_create(appeals)
    messages = [AppealMessage(appeal=a, author=user, body="Текст обращения.") for a in appeals]
    messages += [
        AppealMessage(appeal=a, author=operator, from_staff=True, body="Ответ страховщика.")
        for a in appeals
        if a.status in ("answered", "closed")
    ]
    AppealMessage.objects.bulk_create(messages)
    GuaranteeLetter.objects.create(
        user=user,
        insured_person=own,
        clinic=clinic,
        care_kind=kinds["diagnostics"],
        status="issued",
        number="ГП-B0001",
        valid_until=today + datetime.timedelta(days=30),
    )

    for n, status in enumerate(("under_review", "paid")):
        claim = Claim.objects.create(
            number=f"УБ-B{n + 1:04d}",
            policy=osago,
            event_type="dtp",
            event_at=now - datetime.timedelta(days=40 - n * 20),
            place="Москва, Ленинградский пр., д. 39",
            description="Столкновение на парковке.",
            status=status,
            approved_amount=Decimal("42000.00") if status == "paid" else None,
        )
        path = [s for s in Generator.CLAIM_PATHS if s[-1] == status][0]
        ClaimEvent.objects.bulk_create(
            ClaimEvent(claim=claim, from_status=prev, to_status=to, by=user if not i else operator)
            for i, (prev, to) in enumerate(zip(("", *path), path, strict=False))
        )

    free_slots = (
        Slot.objects.filter(starts_at__gt=now, doctor__clinic__online_booking=True)
        .exclude(appointments__status="booked")
        .order_by("starts_at", "pk")[:3]
    )
    Appointment.objects.bulk_create(
        Appointment(slot=slot, user=user, insured_person=own if i else child)
        for i, slot in enumerate(free_slots)
    )


def staff_logins_ensure(person: User, policyholder: Policyholder) -> None:
    """Make the bench person and the staff able to log in over HTTP, as the load generator does
    (bench.load): a password and a verified address each; the staff get their group, a TOTP
    authenticator with a known key (the admin asks for a second factor) and, for the HR
    manager, the bench person's company."""
    from allauth.account.models import EmailAddress
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import TOTP
    from django.contrib.auth.models import Group

    from employers.models import EmployerManager
    from employers.selectors import HR_GROUP, OPERATOR_GROUP
    from portal.core.roles import groups_sync

    if Group.objects.filter(name__in=(HR_GROUP, OPERATOR_GROUP)).count() < 2:
        # A database flushed since it was migrated (the test's): the groups' data migration again.
        groups_sync(apps)
    operator = User.objects.get(email=OPERATOR_EMAIL)
    hr = User.objects.get(email=HR_EMAIL)
    for user in (person, operator, hr):
        user.set_password(BENCH_PASSWORD)
        user.save(update_fields=["password"])
        EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    for user, group in ((operator, OPERATOR_GROUP), (hr, HR_GROUP)):
        user.groups.add(Group.objects.get(name=group))
        if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
            TOTP.activate(user, BENCH_STAFF_TOTP_SECRET)
    EmployerManager.objects.create(user=hr, policyholder=policyholder)


@dataclass
class FillReport:
    scale: str
    seconds: float
    counts: dict[str, int]
    step_seconds: dict[str, float] = field(default_factory=dict)
    max_rss_mb: float = 0.0


def table_counts() -> dict[str, int]:
    counts = {}
    with connection.cursor() as cursor:
        for model in our_models():
            table = sql.Identifier(model._meta.db_table)
            cursor.execute(sql.SQL("SELECT count(*) FROM {}").format(table).as_string())
            counts[model._meta.label] = cursor.fetchone()[0]
    return counts


def fill(
    scale: Scale, *, seed: int = 2026, echo: Callable[[str], None] | None = None
) -> FillReport:
    """Truncate our tables and fill them at the given scale; returns the time and row counts."""
    say = echo or (lambda _line: None)
    plan = Plan(scale)
    generator = Generator(plan, seed)
    steps: dict[str, float] = {}
    started = time.perf_counter()
    with transaction.atomic():
        with connection.cursor() as cursor:
            # A benchmark fill may lose its last transaction on a crash; no need to wait for
            # the WAL flush. More memory for the foreign-key and index work of big COPYs.
            cursor.execute("SET LOCAL synchronous_commit = off")
            cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
            cursor.execute("SET LOCAL work_mem = '64MB'")
        t = time.perf_counter()
        tables_truncate()
        steps["truncate"] = time.perf_counter() - t
        with indexes_and_foreign_keys_set_aside() as rebuild:
            for step in STEPS:
                label = step.model._meta.label
                t = time.perf_counter()
                n = copy_rows(step.model, step.columns.split(), step.rows(generator))
                steps[label] = time.perf_counter() - t
                say(f"  {label:<34} {n:>11,} rows {steps[label]:7.1f} s")
        for name, seconds in rebuild.items():
            steps[name] = seconds
            say(f"  {name:<34} {'rebuilt':>16} {seconds:7.1f} s")
        sequences_reset()
        network_changed()  # COPY sends no signals: the map's cached GeoJSON is stale
        t = time.perf_counter()
        bench_person_create(plan)
        steps["bench person"] = time.perf_counter() - t
    t = time.perf_counter()
    with connection.cursor() as cursor:
        # Fresh statistics, so that the planner sees the data set as it is, and the visibility
        # map set (VACUUM), so that index-only scans need not visit the heap. Outside the fill's
        # transaction: VACUUM cannot run in one.
        for model in our_models():
            table = sql.Identifier(model._meta.db_table)
            cursor.execute(sql.SQL("VACUUM ANALYZE {}").format(table).as_string())
    steps["vacuum analyze"] = time.perf_counter() - t
    seconds = time.perf_counter() - started
    say(f"  {'vacuum analyze':<34} {'':>16} {steps['vacuum analyze']:7.1f} s")
    return FillReport(
        scale=scale.name,
        seconds=seconds,
        counts=table_counts(),
        step_seconds=steps,
        max_rss_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    )
