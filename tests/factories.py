"""factory-boy factories for every model of our apps.

Defaults make a valid, current row: a DMS policy is active today, an insured person is covered
today, a policyholder has an INN with a correct check digit. Traits give the other shapes:
`InsuredPersonFactory(child=True)` (with a parent), `PolicyFactory(osago=True)` (held by a user),
`AppealFactory(not_provided=True)` (with its service line), `GuaranteeLetterFactory(issued=True)`.
"""

import datetime
from decimal import Decimal

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from claims.models import Claim, ClaimEvent, ServiceLine
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

DEFAULT_PASSWORD = "test-pass-2026-Kq9"

LAST_NAMES = ("Иванов", "Смирнов", "Кузнецов", "Попов", "Васильев", "Петров", "Соколов")
FIRST_NAMES = ("Алексей", "Дмитрий", "Сергей", "Андрей", "Михаил", "Игорь", "Павел")
MIDDLE_NAMES = ("Иванович", "Петрович", "Сергеевич", "Андреевич", "Олегович")


def today() -> datetime.date:
    return timezone.localdate()


def years(n: int) -> datetime.timedelta:
    return datetime.timedelta(days=round(365.25 * n))


def inn_with_check_digit(nine_digits: str) -> str:
    """A legal entity's 10-digit INN: nine digits and the check digit of the FNS algorithm."""
    weights = (2, 4, 10, 3, 5, 9, 4, 6, 8)
    check = sum(w * int(d) for w, d in zip(weights, nine_digits, strict=True)) % 11 % 10
    return f"{nine_digits}{check}"


def inn_is_valid(inn: str) -> bool:
    return len(inn) == 10 and inn.isdigit() and inn_with_check_digit(inn[:9]) == inn


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.com")
    password = factory.django.Password(DEFAULT_PASSWORD)
    last_name = factory.Sequence(lambda n: LAST_NAMES[n % len(LAST_NAMES)])
    first_name = factory.Sequence(lambda n: FIRST_NAMES[n % len(FIRST_NAMES)])
    middle_name = factory.Sequence(lambda n: MIDDLE_NAMES[n % len(MIDDLE_NAMES)])
    birth_date = datetime.date(1986, 4, 12)
    phone = factory.Sequence(lambda n: f"+7916{n % 10_000_000:07d}")
    phone_confirmed_at = factory.LazyFunction(timezone.now)


class StaffUserFactory(UserFactory):
    email = factory.Sequence(lambda n: f"operator{n}@example.com")
    is_staff = True


class SuperUserFactory(StaffUserFactory):
    email = factory.Sequence(lambda n: f"admin{n}@example.com")
    is_superuser = True


class ConsentFactory(DjangoModelFactory):
    class Meta:
        model = Consent

    user = factory.SubFactory(UserFactory)
    document = Consent.Document.PERSONAL_DATA
    version = "2026-01"


class PolicyholderFactory(DjangoModelFactory):
    class Meta:
        model = Policyholder

    name = factory.Sequence(lambda n: f"ООО «Ромашка-{n}»")
    inn = factory.Sequence(lambda n: inn_with_check_digit(f"77{n % 10_000_000:07d}"))


class ContractFactory(DjangoModelFactory):
    class Meta:
        model = Contract

    policyholder = factory.SubFactory(PolicyholderFactory)
    number = factory.Sequence(lambda n: f"ДМС-{n:06d}")
    starts_on = factory.LazyFunction(lambda: today() - datetime.timedelta(days=90))
    ends_on = factory.LazyAttribute(lambda o: o.starts_on + datetime.timedelta(days=364))
    contact_centres = factory.LazyFunction(
        lambda: [{"name": "Пульс 24/7", "phone": "+78003024419"}]
    )


class CareKindFactory(DjangoModelFactory):
    class Meta:
        model = CareKind
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"care-{n}")
    name = factory.Sequence(lambda n: f"Амбулаторно-поликлиническая помощь {n}")
    order = factory.Sequence(lambda n: n)


class ProgramFactory(DjangoModelFactory):
    class Meta:
        model = Program
        skip_postgeneration_save = True

    contract = factory.SubFactory(ContractFactory)
    code = factory.Sequence(lambda n: f"P{n:04d}")
    name = "Поликлиника, помощь на дому, стоматология"
    copay_share = Decimal("0")
    includes_vzr = False

    @factory.post_generation
    def care_kinds(self, create, extracted, **kwargs):
        if create and extracted:
            self.care_kinds.add(*extracted)


class InsuredPersonFactory(DjangoModelFactory):
    class Meta:
        model = InsuredPerson

    class Params:
        child = factory.Trait(
            relation=InsuredPerson.Relation.CHILD,
            parent=factory.SubFactory(
                "tests.factories.InsuredPersonFactory",
                contract=factory.SelfAttribute("..contract"),
                program=factory.SelfAttribute("..program"),
            ),
            birth_date=factory.LazyFunction(lambda: today() - years(8)),
            middle_name="Алексеевич",
        )

    policy_number = factory.Sequence(lambda n: f"77-{n:08d}")
    last_name = factory.Sequence(lambda n: LAST_NAMES[n % len(LAST_NAMES)])
    first_name = factory.Sequence(lambda n: FIRST_NAMES[n % len(FIRST_NAMES)])
    middle_name = factory.Sequence(lambda n: MIDDLE_NAMES[n % len(MIDDLE_NAMES)])
    birth_date = datetime.date(1986, 4, 12)
    email = factory.Sequence(lambda n: f"insured{n}@example.com")
    contract = factory.SubFactory(ContractFactory)
    program = factory.SubFactory(ProgramFactory, contract=factory.SelfAttribute("..contract"))
    starts_on = factory.SelfAttribute("contract.starts_on")
    ends_on = factory.SelfAttribute("contract.ends_on")
    relation = InsuredPerson.Relation.EMPLOYEE
    parent = None


class PolicyFactory(DjangoModelFactory):
    """A DMS policy of an insured person by default; `osago=True` makes a bought policy."""

    class Meta:
        model = Policy

    class Params:
        osago = factory.Trait(
            product=Policy.Product.OSAGO,
            insured_person=None,
            holder=factory.SubFactory(UserFactory),
            premium=Decimal("8450.00"),
            product_data=factory.LazyFunction(
                lambda: {"vehicle": {"make": "Lada", "model": "Vesta", "plate": "А123ВС777"}}
            ),
            tariff_version="osago-2026-01",
        )

    product = Policy.Product.DMS
    number = factory.Sequence(lambda n: f"{n:010d}")
    insured_person = factory.SubFactory(InsuredPersonFactory)
    holder = None
    starts_on = factory.LazyAttribute(
        lambda o: (
            o.insured_person.starts_on
            if o.insured_person
            else today() - datetime.timedelta(days=30)
        )
    )
    ends_on = factory.LazyAttribute(
        lambda o: (
            o.insured_person.ends_on
            if o.insured_person
            else o.starts_on + datetime.timedelta(days=364)
        )
    )
    status = Policy.Status.ACTIVE
    premium = Decimal("0")


class PolicyLinkFactory(DjangoModelFactory):
    class Meta:
        model = PolicyLink

    user = factory.SubFactory(UserFactory)
    insured_person = factory.SubFactory(InsuredPersonFactory)
    relation = factory.LazyAttribute(
        lambda o: (
            PolicyLink.Relation.CHILD
            if o.insured_person.relation == InsuredPerson.Relation.CHILD
            else PolicyLink.Relation.SELF
        )
    )


class ClinicFactory(DjangoModelFactory):
    class Meta:
        model = Clinic

    name = factory.Sequence(lambda n: f"Клиника «Здоровье-{n}»")
    address = factory.Sequence(lambda n: f"Москва, ул. Тверская, д. {n + 1}")
    city = "Москва"
    latitude = Decimal("55.764200")
    longitude = Decimal("37.605400")
    phones = factory.LazyFunction(lambda: ["+74951234567"])
    hours = "Пн–Пт 8:00–21:00, Сб 9:00–18:00"
    site = "https://clinic.example.ru"
    online_booking = False
    last_verified_on = factory.LazyFunction(today)


class ProgramClinicFactory(DjangoModelFactory):
    class Meta:
        model = ProgramClinic

    program = factory.SubFactory(ProgramFactory)
    clinic = factory.SubFactory(ClinicFactory)
    care_kind = factory.SubFactory(CareKindFactory)
    guarantee_letter_required = False


class DoctorFactory(DjangoModelFactory):
    class Meta:
        model = Doctor

    clinic = factory.SubFactory(ClinicFactory, online_booking=True)
    full_name = factory.Sequence(lambda n: f"Орлова Анна Викторовна {n}")
    specialty = "терапевт"
    care_kind = factory.SubFactory(CareKindFactory)


def _next_slot_start(n: int) -> datetime.datetime:
    start = timezone.localtime().replace(hour=9, minute=0, second=0, microsecond=0)
    return start + datetime.timedelta(days=1, minutes=30 * n)


class SlotFactory(DjangoModelFactory):
    class Meta:
        model = Slot

    doctor = factory.SubFactory(DoctorFactory)
    starts_at = factory.Sequence(_next_slot_start)
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + datetime.timedelta(minutes=30))


class AppointmentFactory(DjangoModelFactory):
    class Meta:
        model = Appointment

    slot = factory.SubFactory(SlotFactory)
    user = factory.SubFactory(UserFactory)
    insured_person = factory.SubFactory(InsuredPersonFactory)
    status = Appointment.Status.BOOKED


class ServiceLineFactory(DjangoModelFactory):
    class Meta:
        model = ServiceLine

    clinic = factory.SubFactory(ClinicFactory)
    register_number = "R-2026-01"
    line_number = factory.Sequence(lambda n: n + 1)
    insured_person = factory.SubFactory(InsuredPersonFactory)
    service_code = "B01.047.001"
    service_name = "Приём (осмотр, консультация) врача-терапевта первичный"
    care_kind = factory.SubFactory(CareKindFactory)
    service_date = factory.LazyFunction(lambda: today() - datetime.timedelta(days=10))
    quantity = 1
    amount = Decimal("2500.00")
    copay_amount = Decimal("0")
    copay_state = ServiceLine.CopayState.NONE
    icd10_code = "J06.9"
    icd10_name = "Острая инфекция верхних дыхательных путей неуточнённая"


class ClaimFactory(DjangoModelFactory):
    class Meta:
        model = Claim

    number = factory.Sequence(lambda n: f"У-{n:07d}")
    policy = factory.SubFactory(PolicyFactory, osago=True)
    event_type = "dtp"
    event_at = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(days=2))
    place = "Москва, Ленинградский пр-т, д. 10"
    description = "Столкновение на парковке, повреждён задний бампер"
    status = Claim.Status.SUBMITTED


class ClaimEventFactory(DjangoModelFactory):
    class Meta:
        model = ClaimEvent

    claim = factory.SubFactory(ClaimFactory)
    from_status = ""
    to_status = Claim.Status.SUBMITTED
    by = None
    comment = ""


class AppealFactory(DjangoModelFactory):
    class Meta:
        model = Appeal

    class Params:
        not_provided = factory.Trait(
            kind=Appeal.Kind.NOT_PROVIDED,
            service_line=factory.SubFactory(ServiceLineFactory),
            subject="Услуга не оказывалась",
        )

    number = factory.Sequence(lambda n: f"ОБР-{n:06d}")
    user = factory.SubFactory(UserFactory)
    kind = Appeal.Kind.THANKS
    status = Appeal.Status.NEW
    subject = "Благодарность врачу"
    due_on = factory.LazyFunction(lambda: today() + datetime.timedelta(days=10))
    service_line = None
    clinic = None


class AppealMessageFactory(DjangoModelFactory):
    class Meta:
        model = AppealMessage

    appeal = factory.SubFactory(AppealFactory)
    author = factory.SelfAttribute("appeal.user")
    from_staff = False
    body = "Спасибо доктору за внимательный приём."


class GuaranteeLetterFactory(DjangoModelFactory):
    class Meta:
        model = GuaranteeLetter

    class Params:
        issued = factory.Trait(
            status=GuaranteeLetter.Status.ISSUED,
            number=factory.Sequence(lambda n: f"ГП-{n:06d}"),
            valid_until=factory.LazyFunction(lambda: today() + datetime.timedelta(days=30)),
        )

    user = factory.SubFactory(UserFactory)
    insured_person = factory.SubFactory(InsuredPersonFactory)
    clinic = factory.SubFactory(ClinicFactory)
    care_kind = factory.SubFactory(CareKindFactory)
    status = GuaranteeLetter.Status.REQUESTED
    number = ""
    valid_until = None
