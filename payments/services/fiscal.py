"""54-ФЗ receipts of every movement of money: the receipt data sent with a payment or a refund
(ЮKassa registers it: «Чеки от ЮKassa»), the Receipt row written in the transaction that records
the money as moved, and the fiscal attributes read back from the provider afterwards.

The items: one per service line of a co-pay charge (a co-payment for medical care rendered), one
per policy of a purchase (an insurance premium); vat_code 1 «Без НДС» (both are VAT-exempt,
Tax Code art. 149 p. 2 sub. 3 and p. 3 sub. 7); payment_subject and payment_mode from settings
(FISCAL_*), where the choice is explained. With a provider that registers no receipts (Stripe)
the row is a «Квитанция об оплате» (status not_fiscal).
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterable
from decimal import Decimal

from django.conf import settings
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from gateways.payments_base import GatewayError, ReceiptData, ReceiptItem, gateway
from portal.core import outbox
from portal.core.insurer import Insurer, insurer_details

from ..models import Charge, ChargeLine, Receipt, Refund

logger = logging.getLogger(__name__)

CARD_CHECK_DESCRIPTION = "Проверка карты для со-оплаты по ДМС (списание отменяется)"


def _item(description: str, amount: Decimal, subject: str) -> ReceiptItem:
    return ReceiptItem(
        description=description[:128],
        amount=amount,
        payment_subject=subject,
        payment_mode=settings.FISCAL_PAYMENT_MODE,
        vat_code=settings.FISCAL_VAT_CODE,
    )


def _data(items: Iterable[ReceiptItem], *, email: str, phone: str = "") -> ReceiptData:
    return ReceiptData(
        items=tuple(items),
        tax_system_code=settings.FISCAL_TAX_SYSTEM_CODE,
        email=email,
        phone="" if email else phone,
    )


def copay_line_title(service_name: str, service_date) -> str:
    return f"Со-оплата по ДМС: {service_name} ({service_date:%d.%m.%Y})"


def _charge_lines(charges: list[Charge]) -> dict[int, list[tuple[str, Decimal]]]:
    """{charge id: [(item title, amount)]} of the charges' lines in force: one query."""
    lines: dict[int, list[tuple[str, Decimal]]] = {}
    for charge_id, amount, name, day in (
        ChargeLine.objects.filter(charge__in=charges, active=True)
        .order_by("charge_id", "pk")
        .values_list(
            "charge_id", "amount", "service_line__service_name", "service_line__service_date"
        )
    ):
        lines.setdefault(charge_id, []).append((copay_line_title(name, day), amount))
    return lines


def card_check_receipt(*, email: str, phone: str = "") -> ReceiptData:
    """The card check's authorisation (cancelled, so never registered: ЮKassa requires the
    receipt in every payment of a shop with receipts connected)."""
    amount = Decimal(settings.YOOKASSA_CARD_CHECK_AMOUNT)
    return _data(
        [_item(CARD_CHECK_DESCRIPTION, amount, settings.FISCAL_COPAY_SUBJECT)],
        email=email,
        phone=phone,
    )


def charges_receipt_data(charges: list[Charge]) -> dict[int, ReceiptData]:
    """{charge id: its receipt}: one item per service line. Two queries for the whole chunk."""
    if not gateway().fiscal or not charges:
        return {}
    from portal.accounts.models import User

    contacts = {
        pk: (email, phone)
        for pk, email, phone in User.objects.filter(
            pk__in={c.user_id for c in charges}
        ).values_list("pk", "email", "phone")
    }
    items = {
        charge_id: [_item(title, amount, settings.FISCAL_COPAY_SUBJECT) for title, amount in lines]
        for charge_id, lines in _charge_lines(charges).items()
    }
    return {
        c.pk: _data(items.get(c.pk, []), email=contacts[c.user_id][0], phone=contacts[c.user_id][1])
        for c in charges
        if c.pk in items
    }


def refund_receipt_data(refund: Refund) -> ReceiptData | None:
    """The «возврат прихода» of the refunded line."""
    if not gateway().fiscal:
        return None
    line = refund.service_line
    user = refund.charge.user
    return _data(
        [
            _item(
                copay_line_title(line.service_name, line.service_date),
                refund.amount,
                settings.FISCAL_COPAY_SUBJECT,
            )
        ],
        email=user.email,
        phone=user.phone,
    )


def purchase_receipt_data(*, user, description: str, amount: Decimal) -> ReceiptData | None:
    """A bought policy: one item, the insurance premium."""
    if not gateway().fiscal:
        return None
    return _data(
        [_item(description, amount, settings.FISCAL_PREMIUM_SUBJECT)],
        email=user.email,
        phone=user.phone,
    )


def _row(
    *, user_id: int, kind: str, source: str, source_id: int, seller: Insurer | None = None, **values
) -> Receipt:
    gw = gateway()
    # The insurer's requisites are a query (portal.core.insurer): a chunk reads them once.
    seller = seller or insurer_details()
    return Receipt(
        user_id=user_id,
        kind=kind,
        source=source,
        source_id=source_id,
        gateway=gw.name,
        seller_name=seller.full_name,
        seller_inn=seller.inn,
        tax_system_code=settings.FISCAL_TAX_SYSTEM_CODE if gw.fiscal else None,
        status=Receipt.Status.PENDING if gw.fiscal else Receipt.Status.NOT_FISCAL,
        **values,
    )


def _fetch_on_commit(receipts: list[Receipt]) -> None:
    """Read the receipts' fiscal attributes once they are committed (through the outbox, in the
    transaction that wrote them: a broker that is down loses none)."""
    pending = [r.pk for r in receipts if r.pk and r.status == Receipt.Status.PENDING]
    if not pending:
        return
    from ..tasks import receipt_fetch

    outbox.send_each(receipt_fetch, [(pk,) for pk in pending])


def receipts_for_paid_charges(charges: list[Charge], *, now: datetime.datetime) -> None:
    """Inside the settlement of paid charges: their receipts (one INSERT for the chunk, one
    query for their lines' titles)."""
    lines = {
        charge_id: [{"description": title, "amount": f"{amount:.2f}"} for title, amount in items]
        for charge_id, items in _charge_lines(charges).items()
    }
    seller = insurer_details()
    rows = [
        _row(
            seller=seller,
            user_id=charge.user_id,
            kind=Receipt.Kind.INCOME,
            source=Receipt.Source.COPAY,
            source_id=charge.pk,
            provider_payment_id=charge.provider_payment_id,
            amount=charge.amount,
            items=lines.get(charge.pk, []),
            customer_contact="",
            paid_at=now,
        )
        for charge in charges
    ]
    created = Receipt.objects.bulk_create(rows)
    _fetch_on_commit([r for r in created if r.pk])


def receipt_for_refund(refund: Refund, *, now: datetime.datetime) -> None:
    """Inside the refund's settlement: its «возврат прихода»."""
    line = refund.service_line
    row = _row(
        user_id=refund.charge.user_id,
        kind=Receipt.Kind.INCOME_RETURN,
        source=Receipt.Source.REFUND,
        source_id=refund.pk,
        provider_payment_id=refund.charge.provider_payment_id,
        provider_refund_id=refund.provider_refund_id,
        amount=refund.amount,
        items=[
            {
                "description": copay_line_title(line.service_name, line.service_date),
                "amount": f"{refund.amount:.2f}",
            }
        ],
        customer_contact="",
        paid_at=now,
    )
    created = Receipt.objects.bulk_create([row])
    _fetch_on_commit(created)


def receipt_for_purchase(
    *, user, purchase_id: int, payment_id: str, amount: Decimal, description: str
) -> None:
    """Inside the purchase's completion (the shop calls it): the receipt of the premium."""
    row = _row(
        user_id=user.pk,
        kind=Receipt.Kind.INCOME,
        source=Receipt.Source.PURCHASE,
        source_id=purchase_id,
        provider_payment_id=payment_id,
        amount=amount,
        items=[{"description": description, "amount": f"{amount:.2f}"}],
        customer_contact=user.email or user.phone,
        paid_at=timezone.now(),
    )
    created = Receipt.objects.bulk_create([row])
    _fetch_on_commit(created)


def receipt_fetch(*, receipt_id: int) -> Receipt:
    """Read the registered receipt's fiscal attributes back from the provider. Still pending
    there: left for the next sweep; refused by the cash register: failed (the operator looks)."""
    receipt = Receipt.objects.get(pk=receipt_id)
    if receipt.status != Receipt.Status.PENDING:
        return receipt
    gw = gateway()
    try:
        if receipt.kind == Receipt.Kind.INCOME_RETURN:
            found = gw.receipts_find(refund_id=receipt.provider_refund_id)
        else:
            found = gw.receipts_find(payment_id=receipt.provider_payment_id)
    except GatewayError:
        logger.warning("receipt %s: provider unreachable, asked again later", receipt.pk)
        return receipt
    kind = "refund" if receipt.kind == Receipt.Kind.INCOME_RETURN else "payment"
    found = [r for r in found if r.kind == kind]
    done = [r for r in found if r.status == "succeeded"]
    if done:
        fiscal = done[0]
        registered_at = parse_datetime(fiscal.registered_at) if fiscal.registered_at else None
        receipt.status = Receipt.Status.REGISTERED
        receipt.provider_receipt_id = fiscal.receipt_id
        receipt.fiscal_storage_number = fiscal.fiscal_storage_number[:16]
        receipt.fiscal_document_number = fiscal.fiscal_document_number[:10]
        receipt.fiscal_attribute = fiscal.fiscal_attribute[:10]
        receipt.registered_at = registered_at or timezone.now()
    elif found and all(r.status == "canceled" for r in found):
        receipt.status = Receipt.Status.FAILED
        logger.error("receipt %s: the cash register refused it", receipt.pk)
    else:
        return receipt
    receipt.save()
    return receipt


def receipts_fetch_pending(*, older_than: datetime.timedelta = datetime.timedelta(0)) -> int:
    """The sweep: every receipt still being registered."""
    cutoff = timezone.now() - older_than
    ids = list(
        Receipt.objects.filter(status=Receipt.Status.PENDING, updated_at__lte=cutoff).values_list(
            "pk", flat=True
        )
    )
    for pk in ids:
        receipt_fetch(receipt_id=pk)
    return len(ids)
