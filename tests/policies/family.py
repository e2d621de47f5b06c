"""A person like the demo one, made with factories: DMS + ВЗР on a 20 % co-pay program with
three kinds of care, a child's DMS policy, an ОСАГО policy, and 544 roubles of unpaid co-pay."""

from dataclasses import dataclass
from decimal import Decimal

from claims.models import ServiceLine
from policies.models import InsuredPerson, Policy
from tests.factories import (
    CareKindFactory,
    ClinicFactory,
    ContractFactory,
    InsuredPersonFactory,
    PolicyFactory,
    PolicyLinkFactory,
    ProgramFactory,
    ServiceLineFactory,
)

CARE_KINDS = (
    ("outpatient", "Амбулаторно-поликлиническое обслуживание"),
    ("home", "Помощь на дому"),
    ("dental", "Стоматологическая помощь"),
)


@dataclass
class Family:
    own: InsuredPerson
    child: InsuredPerson
    dms: Policy
    vzr: Policy
    child_dms: Policy
    osago: Policy


def care_kinds():
    return [CareKindFactory(code=code, name=name) for code, name in CARE_KINDS]


def family_for(user, *, unpaid=(Decimal("300.00"), Decimal("244.00")), serial: int = 1) -> Family:
    contract = ContractFactory(
        contact_centres=[
            {"name": "Пульс — круглосуточный медицинский пульт", "phone": "+78003024419"},
            {"name": "Отдел урегулирования ДМС", "phone": "+74957392140"},
        ]
    )
    program = ProgramFactory(
        contract=contract,
        name="Оптимум + ВПМК, со-оплата 20 %",
        copay_share=Decimal("20"),
        includes_vzr=True,
        care_kinds=care_kinds(),
    )
    own = InsuredPersonFactory(
        contract=contract,
        program=program,
        last_name=user.last_name,
        first_name=user.first_name,
        middle_name=user.middle_name,
        birth_date=user.birth_date,
    )
    child = InsuredPersonFactory(child=True, parent=own, contract=contract, program=program)
    PolicyLinkFactory(user=user, insured_person=own)
    PolicyLinkFactory(user=user, insured_person=child)
    dms = PolicyFactory(insured_person=own, number=f"ДМС-0147-{2 * serial - 1:06d}")
    vzr = PolicyFactory(
        insured_person=own,
        product=Policy.Product.VZR,
        number=f"ВЗР-0147{2 * serial - 1:06d}",
        product_data={
            "territory": "Весь мир, кроме Российской Федерации",
            "sum_insured": 50000,
            "currency": "EUR",
        },
    )
    child_dms = PolicyFactory(insured_person=child, number=f"ДМС-0147-{2 * serial:06d}")
    osago = PolicyFactory(osago=True, holder=user, number=f"ХХХ 01234567{serial:02d}")
    clinic = ClinicFactory()
    for amount in unpaid:
        service_line(own, clinic, copay=amount, state=ServiceLine.CopayState.UNPAID)
    # Paid, frozen (disputed) and the child's lines are not the person's debt.
    service_line(own, clinic, copay=Decimal("1000.00"), state=ServiceLine.CopayState.PAID)
    service_line(own, clinic, copay=Decimal("500.00"), state=ServiceLine.CopayState.FROZEN)
    return Family(own=own, child=child, dms=dms, vzr=vzr, child_dms=child_dms, osago=osago)


def service_line(person, clinic, *, copay: Decimal, state: str):
    return ServiceLineFactory(
        insured_person=person,
        clinic=clinic,
        amount=copay * 5,
        copay_amount=copay,
        copay_state=state,
    )
