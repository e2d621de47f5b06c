"""Со-оплата: each co-pay person's ledger as /copay/ shows it (state, debt, lines) and «Оплатить
сейчас» by the same charge service. Consent and binding a card stay on the page: the card form
is the payment provider's."""

import datetime
from decimal import Decimal

from django.conf import settings
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Router, Schema

from gateways.payments_base import GatewayError
from payments import services
from payments.models import Charge
from payments.selectors import enrollments_for_user, ledgers_for_user
from payments.views import PROVIDER_UNAVAILABLE
from portal.core.formatting import money

from .errors import ApiError

router = Router(tags=["Со-оплата"])


class LedgerLineOut(Schema):
    id: int
    service_date: datetime.date
    clinic: str
    copay_amount: Decimal
    copay_state: str


class LedgerOut(Schema):
    person_id: int
    person: str
    consent_given: bool
    card: str | None = None
    clinic_access_from: datetime.datetime | None = None
    debt: Decimal
    debt_display: str
    awaiting_action_charge_id: int | None = None
    unpaid: list[LedgerLineOut]
    frozen: list[LedgerLineOut]
    paid: list[LedgerLineOut]
    refunded: list[LedgerLineOut]


class CopayOut(Schema):
    debt: Decimal
    debt_display: str
    ledgers: list[LedgerOut]
    hotline: str


class ChargeOut(Schema):
    status: str
    detail: str
    charge_id: int | None = None
    amount: Decimal | None = None
    client_secret: str | None = None


def _lines(lines) -> list[dict]:
    return [
        {
            "id": line.pk,
            "service_date": line.service_date,
            "clinic": line.clinic.name,
            "copay_amount": line.copay_amount,
            "copay_state": line.copay_state,
        }
        for line in lines
    ]


@router.get("/", response=CopayOut, summary="Со-оплата: состояние, долг, начисления")
def copay_state(request: HttpRequest):
    ledgers = ledgers_for_user(request.auth)
    rows = []
    for ledger in ledgers:
        enrollment, card = ledger.enrollment, ledger.card
        rows.append(
            {
                "person_id": ledger.person.pk,
                "person": ledger.person.full_name,
                "consent_given": enrollment is not None,
                "card": f"{card.brand} •••• {card.last4}" if card else None,
                "clinic_access_from": enrollment.clinic_access_from if enrollment else None,
                "debt": ledger.debt,
                "debt_display": money(ledger.debt),
                "awaiting_action_charge_id": ledger.awaiting_action.pk
                if ledger.awaiting_action
                else None,
                "unpaid": _lines(ledger.unpaid),
                "frozen": _lines(ledger.frozen),
                "paid": _lines(ledger.paid),
                "refunded": _lines(ledger.refunded),
            }
        )
    total = sum((ledger.debt for ledger in ledgers), Decimal("0"))
    return {
        "debt": total,
        "debt_display": money(total),
        "ledgers": rows,
        "hotline": settings.HOTLINE_PHONE_DISPLAY,
    }


OUTCOMES = {
    Charge.Status.SUCCEEDED: _("Задолженность оплачена. Чек — в разделе «Мои документы»."),
    Charge.Status.REQUIRES_ACTION: _("Банк просит подтвердить оплату: откройте страницу /copay/."),
    Charge.Status.FAILED: _("Банк отклонил оплату. Привяжите другую карту и повторите оплату."),
}


@router.post("/{int:person_id}/pay", response=ChargeOut, summary="Оплатить задолженность сейчас")
def pay_now(request: HttpRequest, person_id: int):
    enrollment = get_object_or_404(enrollments_for_user(request.auth), insured_person_id=person_id)
    try:
        charge = services.charge_pay_now(enrollment=enrollment)
    except GatewayError:
        raise ApiError(
            PROVIDER_UNAVAILABLE % {"phone": settings.HOTLINE_PHONE_DISPLAY}, status=503
        ) from None
    if charge is None:
        return {"status": "none", "detail": str(_("Задолженности нет."))}
    return {
        "status": charge.status,
        "detail": str(
            OUTCOMES.get(
                charge.status, _("Оплата обрабатывается: результат появится на этой странице.")
            )
        ),
        "charge_id": charge.pk,
        "amount": charge.amount,
        "client_secret": charge.client_secret
        if charge.status == Charge.Status.REQUIRES_ACTION
        else None,
    }
