"""«Мои страховые случаи»: the DMS service lines with the page's filters and totals, under the
page's health-data rule: without the person's separate consent (152-FZ art. 9 part 4) no
service name and no diagnosis is read, let alone sent."""

import datetime
from decimal import Decimal

from django.http import HttpRequest
from ninja import Query, Router, Schema

from claims.selectors import (
    case_filter_choices,
    case_totals,
    service_line_explanation,
    service_lines_for_user,
)
from claims.views_cases import CARD_FIELDS, HEALTH_FIELDS, CaseFilterForm
from portal.accounts.selectors import health_consent_given

from .pagination import PageOut, page_of

router = Router(tags=["Страховые случаи"])


class CaseFilters(Schema):
    date_from: str = ""
    date_to: str = ""
    person: str = ""
    clinic: str = ""
    care_kind: str = ""
    cursor: str | None = None
    limit: int | None = None


class ServiceLineOut(Schema):
    id: int
    service_date: datetime.date
    clinic: str
    care_kind: str
    patient: str
    quantity: int
    amount: Decimal
    copay_amount: Decimal
    copay_state: str
    disputed: bool
    explanation: str
    # health data: null while the health-data consent is not in force
    service_name: str | None = None
    icd10_code: str | None = None
    icd10_name: str | None = None


class TotalsOut(Schema):
    count: int
    amount: Decimal
    insurer_paid: Decimal
    copay: Decimal
    copay_paid: Decimal
    copay_owed: Decimal
    copay_frozen: Decimal


class CasesPage(PageOut):
    health_consent: bool
    totals: TotalsOut
    results: list[ServiceLineOut]


@router.get("/service-lines", response=CasesPage, summary="Услуги по ДМС")
def service_lines(request: HttpRequest, filters: Query[CaseFilters]):
    user = request.auth
    persons, clinics, kinds = case_filter_choices(user)
    data = {k: v for k, v in filters.dict(exclude={"cursor", "limit"}).items() if v}
    form = CaseFilterForm(data or None, persons=persons, clinics=clinics, kinds=kinds)
    consented = health_consent_given(user)
    fields = CARD_FIELDS if consented else tuple(f for f in CARD_FIELDS if f not in HEALTH_FIELDS)
    lines = form.filters().apply(service_lines_for_user(user, health=consented)).only(*fields)
    totals = case_totals(lines)
    page = page_of(request, lines, cursor=filters.cursor, limit=filters.limit)
    rows = []
    for line in page["results"]:
        person = line.insured_person
        row = {
            "id": line.pk,
            "service_date": line.service_date,
            "clinic": line.clinic.name,
            "care_kind": line.care_kind.name if line.care_kind_id else "",
            "patient": f"{person.last_name} {person.first_name} {person.middle_name}".strip(),
            "quantity": line.quantity,
            "amount": line.amount,
            "copay_amount": line.copay_amount,
            "copay_state": line.copay_state,
            "disputed": line.disputed_at is not None,
            "explanation": service_line_explanation(line),
        }
        if consented:
            row["service_name"] = line.service_name
            row["icd10_code"] = line.icd10_code
            row["icd10_name"] = getattr(line, "diagnosis_name", None) or line.icd10_name
        rows.append(row)
    return {
        "health_consent": consented,
        "totals": {**totals.__dict__, "insurer_paid": totals.insurer_paid},
        "results": rows,
        "next": page["next"],
    }
