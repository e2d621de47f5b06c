"""«Мои страховые случаи ДМС»: reads of the person's DMS service lines, their filters and totals.

Every read is limited to the insured persons linked to the user (self and children), so another
person's line is never listed, counted or found by id.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, DecimalField, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from clinics.models import Clinic
from policies.models import CareKind, InsuredPerson
from policies.selectors import linked_insured_ids
from portal.accounts.models import User
from portal.core.formatting import money

from .models import Icd10Diagnosis, ServiceLine

ZERO = Decimal("0.00")


def service_lines_for_user(user: User) -> QuerySet[ServiceLine]:
    """The DMS service lines of the user's linked insured persons, newest first, with everything
    a card shows read in the same query."""
    # The diagnosis name comes from the ICD-10 dictionary (operators may correct it), then from
    # the register line; a code known to neither shows as the code itself.
    dictionary_name = Icd10Diagnosis.objects.filter(code=OuterRef("icd10_code")).values("name")
    return (
        ServiceLine.objects.filter(insured_person_id__in=linked_insured_ids(user))
        .select_related("clinic", "care_kind", "insured_person__program")
        .annotate(diagnosis_name=Subquery(dictionary_name[:1]))
        .order_by("-service_date", "-pk")
    )


def service_line_for_user(user: User, pk: int | None) -> ServiceLine | None:
    if pk is None:
        return None
    return service_lines_for_user(user).filter(pk=pk).first()


@dataclass(frozen=True)
class CaseFilters:
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None
    person_id: int | None = None
    clinic_id: int | None = None
    care_kind_id: int | None = None

    def apply(self, lines: QuerySet[ServiceLine]) -> QuerySet[ServiceLine]:
        if self.date_from:
            lines = lines.filter(service_date__gte=self.date_from)
        if self.date_to:
            lines = lines.filter(service_date__lte=self.date_to)
        if self.person_id:
            lines = lines.filter(insured_person_id=self.person_id)
        if self.clinic_id:
            lines = lines.filter(clinic_id=self.clinic_id)
        if self.care_kind_id:
            lines = lines.filter(care_kind_id=self.care_kind_id)
        return lines


@dataclass(frozen=True)
class CaseTotals:
    count: int
    amount: Decimal
    copay: Decimal
    copay_paid: Decimal
    copay_owed: Decimal
    copay_frozen: Decimal

    @property
    def insurer_paid(self) -> Decimal:
        """What the insurer paid: the amount less the person's share."""
        return self.amount - self.copay


def _sum(field: str, condition: Q | None = None) -> Coalesce:
    return Coalesce(
        Sum(field, filter=condition),
        Value(ZERO),
        output_field=DecimalField(max_digits=14, decimal_places=2),
    )


def case_totals(lines: QuerySet[ServiceLine]) -> CaseTotals:
    """The period's totals in one SQL aggregate (no line is loaded)."""
    state = ServiceLine.CopayState
    row = lines.order_by().aggregate(
        count=Count("pk"),
        amount=_sum("amount"),
        copay=_sum("copay_amount", ~Q(copay_state=state.CANCELLED)),
        copay_paid=_sum("copay_amount", Q(copay_state=state.PAID)),
        copay_owed=_sum("copay_amount", Q(copay_state=state.UNPAID)),
        copay_frozen=_sum("copay_amount", Q(copay_state=state.FROZEN)),
    )
    return CaseTotals(**row)


def case_filter_choices(
    user: User,
) -> tuple[list[InsuredPerson], list[Clinic], list[CareKind]]:
    """The people, clinics and kinds of care the user's own history has (three small queries)."""
    ids = linked_insured_ids(user)
    # only what the choices show: whole register rows and clinics cost more to convert than read
    persons = list(
        InsuredPerson.objects.filter(pk__in=ids)
        .only("last_name", "first_name", "middle_name")
        .order_by("relation", "birth_date")
    )
    mine = ServiceLine.objects.filter(insured_person_id__in=ids)
    clinics = list(
        Clinic.objects.filter(pk__in=mine.values("clinic_id")).only("name").order_by("name")
    )
    kinds = list(CareKind.objects.filter(pk__in=mine.values("care_kind_id")))
    return persons, clinics, kinds


def service_line_explanation(line: ServiceLine) -> str:
    """Why the line was covered and what the person owes, in plain Russian."""
    program = line.insured_person.program
    code = program.code if program else ""
    covered = _("Оплачено страховой компанией по программе %(program)s") % {"program": code}
    state = ServiceLine.CopayState
    if line.copay_state == state.NONE or not line.copay_amount:
        return covered + _("; с вас ничего не причитается.")
    share = program.copay_share.normalize() if program else ""
    share_text = _("ваша доля %(share)s\u00a0%% — %(amount)s") % {
        "share": f"{share:f}".replace(".", ","),
        "amount": money(line.copay_amount),
    }
    if line.copay_state == state.UNPAID:
        tail = _(", будет списана с привязанной карты.")
    elif line.copay_state == state.PAID:
        tail = _(", оплачена.")
    elif line.copay_state == state.FROZEN:
        tail = _(
            ", заморожена: вы сообщили, что услуга не оказана; до решения по обращению "
            "ничего не списывается."
        )
    else:
        tail = _(", отменена: страховая компания подтвердила, что услуга не оказана.")
    return f"{covered}; {share_text}{tail}"
