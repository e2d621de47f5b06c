"""The insurer's register of the demo: kinds of care, two policyholders with a DMS contract each,
their programs, the insured people and their DMS and ВЗР policies."""

import calendar
import datetime
import random
from dataclasses import dataclass
from decimal import Decimal

from policies.models import CareKind, Contract, InsuredPerson, Policy, Policyholder, Program

from .clinics import MOSCOW, SAINT_PETERSBURG
from .identifiers import inn10_with_check_digit
from .medicine import CARE_KINDS
from .names import FullName, child_full_name, random_full_name, transliterate

CONTACT_CENTRES = [
    {"name": "Пульс — круглосуточный медицинский пульт", "phone": "+78003024419"},
    {"name": "Отдел урегулирования ДМС", "phone": "+74957392140"},
]

VZR_PRODUCT_DATA = {
    "territory": "Весь мир, кроме Российской Федерации",
    "sum_insured": 50000,
    "currency": "EUR",
}

MOBILE_CODES = ("903", "905", "909", "915", "916", "919", "925", "926", "965", "977", "985")


@dataclass(frozen=True)
class ProgramData:
    code: str
    name: str
    care_kinds: tuple[str, ...]
    copay_share: Decimal = Decimal("0")
    includes_vzr: bool = False


@dataclass(frozen=True)
class CompanyData:
    name: str
    inn_head: str  # nine digits; the tenth is the check digit
    contract_serial: str
    city: str
    email_domain: str
    programs: tuple[ProgramData, ...]
    employee_programs: tuple[str, ...]  # drawn at random for each employee
    child_program: str | None  # None: a child is on the parent's program

    @property
    def inn(self) -> str:
        return inn10_with_check_digit(self.inn_head)


ALL_CARE_KINDS = tuple(code for code, _name in CARE_KINDS)

COMPANIES: tuple[CompanyData, ...] = (
    CompanyData(
        name="ООО «ТехноСфера»",
        inn_head="770412345",
        contract_serial="0147",
        city=MOSCOW,
        email_domain="tehnosfera.example",
        programs=(
            ProgramData(
                "ОПТ-20", "Оптимум + ВПМК, со-оплата 20 %", ALL_CARE_KINDS, Decimal("20"), True
            ),
            ProgramData("СТД", "Стандарт", ("outpatient", "emergency", "home", "dental")),
        ),
        employee_programs=("ОПТ-20", "ОПТ-20", "СТД", "СТД", "СТД"),
        child_program=None,
    ),
    CompanyData(
        name="АО «Северный терминал»",
        inn_head="780512678",
        contract_serial="0233",
        city=SAINT_PETERSBURG,
        email_domain="sevterminal.example",
        programs=(
            ProgramData("БАЗ", "Базовая", ("outpatient", "emergency", "hospital")),
            ProgramData("ДЕТ", "Детская", ("outpatient", "home", "emergency", "dental")),
        ),
        employee_programs=("БАЗ",),
        child_program="ДЕТ",
    ),
)

EMPLOYEES_PER_COMPANY = 25
CHILDREN_PER_COMPANY = 3


@dataclass(frozen=True)
class PersonPlan:
    company: int
    policy_number: str
    name: FullName
    birth_date: datetime.date
    email: str
    phone: str
    program_code: str
    parent_number: str | None = None


DEMO_PERSON = PersonPlan(
    company=0,
    policy_number="ДМС-0147-000001",
    name=FullName("Смирнов", "Алексей", "Петрович", True),
    birth_date=datetime.date(1988, 4, 12),
    email="demo@example.com",
    phone="+79161234567",
    program_code="ОПТ-20",
)
DEMO_CHILD = PersonPlan(
    company=0,
    policy_number="ДМС-0147-000002",
    name=FullName("Смирнова", "Мария", "Алексеевна", False),
    birth_date=datetime.date(2016, 9, 3),
    email="",
    phone="",
    program_code="ОПТ-20",
    parent_number=DEMO_PERSON.policy_number,
)
# The second demo person's own policy: the first generated employee of «ТехноСфера» (after the
# demo family's 000001 and 000002), linked to demo2@example.com, who has not given the
# health-data consent.
SECOND_DEMO_POLICY_NUMBER = "ДМС-0147-000003"
# A register row nobody has linked: the summary prints it for trying «Добавить полис».
UNLINKED_PERSON = PersonPlan(
    company=0,
    policy_number="ДМС-0147-000900",
    name=FullName("Кузнецова", "Ольга", "Игоревна", False),
    birth_date=datetime.date(1990, 2, 15),
    email="o.kuznetsova@tehnosfera.example",
    phone="+79267154380",
    program_code="СТД",
)


def add_months(day: datetime.date, months: int) -> datetime.date:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


DEMO_CONTRACT_MONTHS = 24


def one_year_from(start: datetime.date) -> datetime.date:
    """The last day of a one-year term that starts on `start`."""
    return add_months(start, 12) - datetime.timedelta(days=1)


def policy_status(*, starts_on: datetime.date, ends_on: datetime.date, today: datetime.date) -> str:
    # A policy that has not started yet is already issued and paid: it is «действует» with a
    # future start date (Policy.term_state tells the two apart).
    return Policy.Status.EXPIRED if today > ends_on else Policy.Status.ACTIVE


def _random_birth_date(
    rng: random.Random, first: datetime.date, last: datetime.date
) -> datetime.date:
    return first + datetime.timedelta(days=rng.randint(0, (last - first).days))


def _mobile(rng: random.Random) -> str:
    return f"+7{rng.choice(MOBILE_CODES)}{rng.randint(0, 9_999_999):07d}"


def plan_people(rng: random.Random, *, today: datetime.date) -> list[PersonPlan]:
    """Every insured person of the demo; parents always come before their children."""
    people = [DEMO_PERSON, DEMO_CHILD]
    for index, company in enumerate(COMPANIES):
        serial = company.contract_serial
        taken = {p.email for p in people}
        sequence = 2 if index == 0 else 0  # 000001 and 000002 are the demo family
        employees = []
        for _ in range(EMPLOYEES_PER_COMPANY):
            sequence += 1
            name = random_full_name(rng, male=rng.random() < 0.5)
            email = _unique_email(name, company.email_domain, taken)
            employees.append(
                PersonPlan(
                    company=index,
                    policy_number=f"ДМС-{serial}-{sequence:06d}",
                    name=name,
                    birth_date=_random_birth_date(
                        rng, datetime.date(1965, 1, 1), datetime.date(2002, 12, 31)
                    ),
                    email=email,
                    phone=_mobile(rng),
                    program_code=rng.choice(company.employee_programs),
                )
            )
        people.extend(employees)
        young = [p for p in employees if p.birth_date.year >= 1978]
        for parent in rng.sample(young, CHILDREN_PER_COMPANY):
            sequence += 1
            family = parent.name.last_name if parent.name.male else _masculine(parent.name)
            child = child_full_name(rng, parent=parent.name, family=family, male=rng.random() < 0.5)
            born = today - datetime.timedelta(days=rng.randint(2 * 365, 13 * 365))
            people.append(
                PersonPlan(
                    company=index,
                    policy_number=f"ДМС-{serial}-{sequence:06d}",
                    name=child,
                    birth_date=born,
                    email="",
                    phone="",
                    program_code=company.child_program or parent.program_code,
                    parent_number=parent.policy_number,
                )
            )
    people.append(UNLINKED_PERSON)
    return people


def _masculine(name: FullName) -> str:
    """The family surname of a woman's child: the masculine form her own surname came from."""
    surname = name.last_name
    if surname.endswith(("ова", "ева", "ёва", "ина", "ына")):
        return surname[:-1]
    if surname.endswith("ая"):
        return surname[:-2] + "ий"
    return surname


def _unique_email(name: FullName, domain: str, taken: set[str]) -> str:
    base = f"{transliterate(name.first_name)[0]}.{transliterate(name.last_name)}"
    email, suffix = f"{base}@{domain}", 1
    while email in taken:
        suffix += 1
        email = f"{base}{suffix}@{domain}"
    taken.add(email)
    return email


def care_kinds_ensure() -> dict[str, CareKind]:
    kinds = {}
    for position, (code, name) in enumerate(CARE_KINDS, start=1):
        kinds[code], _created = CareKind.objects.get_or_create(
            code=code, defaults={"name": name, "order": position * 10}
        )
    return kinds


@dataclass
class ContractBundle:
    company: CompanyData
    contract: Contract
    programs: dict[str, Program]


def contracts_ensure(*, today: datetime.date, kinds: dict[str, CareKind]) -> list[ContractBundle]:
    """One contract per policyholder, found by the policyholder's INN and the contract's serial,
    so that a run in a later year finds the contract made by the first run."""
    starts_on = add_months(today.replace(day=1), -11)
    bundles = []
    for company in COMPANIES:
        holder, _created = Policyholder.objects.get_or_create(
            inn=company.inn, defaults={"name": company.name}
        )
        contract = (
            holder.contracts.filter(number__endswith=f"/{company.contract_serial}")
            .order_by("-starts_on")
            .first()
        )
        if contract is None:
            contract = Contract.objects.create(
                policyholder=holder,
                number=f"ДМС-{starts_on.year}/{company.contract_serial}",
                starts_on=starts_on,
                # Two years, so that the demo contract that holds a year of history stays current
                # for a year after the seed instead of running out within weeks.
                ends_on=add_months(starts_on, DEMO_CONTRACT_MONTHS) - datetime.timedelta(days=1),
                contact_centres=CONTACT_CENTRES,
            )
        programs = {}
        for data in company.programs:
            program, created = Program.objects.get_or_create(
                contract=contract,
                code=data.code,
                defaults={
                    "name": data.name,
                    "copay_share": data.copay_share,
                    "includes_vzr": data.includes_vzr,
                },
            )
            if created:
                program.care_kinds.set([kinds[code] for code in data.care_kinds])
            programs[data.code] = program
        bundles.append(ContractBundle(company, contract, programs))
    return bundles


def insured_persons_ensure(
    *, plans: list[PersonPlan], bundles: list[ContractBundle]
) -> dict[str, InsuredPerson]:
    """The register rows by policy number; rows that exist are left exactly as they are."""
    numbers = [plan.policy_number for plan in plans]
    persons = {p.policy_number: p for p in InsuredPerson.objects.filter(policy_number__in=numbers)}
    # Two passes, since a child's row points at its parent's.
    for want_children in (False, True):
        missing = []
        for plan in plans:
            if plan.policy_number in persons or (plan.parent_number is not None) != want_children:
                continue
            bundle = bundles[plan.company]
            missing.append(
                InsuredPerson(
                    policy_number=plan.policy_number,
                    last_name=plan.name.last_name,
                    first_name=plan.name.first_name,
                    middle_name=plan.name.middle_name,
                    birth_date=plan.birth_date,
                    email=plan.email,
                    phone=plan.phone,
                    contract=bundle.contract,
                    program=bundle.programs[plan.program_code],
                    starts_on=bundle.contract.starts_on,
                    ends_on=bundle.contract.ends_on,
                    relation=(
                        InsuredPerson.Relation.CHILD
                        if want_children
                        else InsuredPerson.Relation.EMPLOYEE
                    ),
                    parent=persons[plan.parent_number] if want_children else None,
                )
            )
        InsuredPerson.objects.bulk_create(missing, ignore_conflicts=True)
        persons = {
            p.policy_number: p
            for p in InsuredPerson.objects.filter(policy_number__in=numbers).select_related(
                "program", "contract"
            )
        }
    return persons


def vzr_number(dms_number: str) -> str:
    return "ВЗР-" + "".join(ch for ch in dms_number if ch.isdigit())


def medical_policies_ensure(*, persons: list[InsuredPerson], today: datetime.date) -> None:
    """A DMS policy for every insured person, and a ВЗР one where the program includes it."""
    policies = []
    for person in persons:
        common = {
            "insured_person": person,
            "starts_on": person.starts_on,
            "ends_on": person.ends_on,
            "status": policy_status(
                starts_on=person.starts_on, ends_on=person.ends_on, today=today
            ),
            "premium": Decimal("0"),
        }
        policies.append(Policy(product=Policy.Product.DMS, number=person.policy_number, **common))
        if person.program.includes_vzr:
            policies.append(
                Policy(
                    product=Policy.Product.VZR,
                    number=vzr_number(person.policy_number),
                    product_data=VZR_PRODUCT_DATA,
                    **common,
                )
            )
    Policy.objects.bulk_create(policies, ignore_conflicts=True)
