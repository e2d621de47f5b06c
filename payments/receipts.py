"""Receipts of co-pay charges and refunds: PDFs made with the policies' WeasyPrint setup (its safe
fetcher and embedded fonts), and their rows in «Мои документы»."""

from decimal import Decimal

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from weasyprint import HTML

from claims.health import health_data_visible, service_name_for
from policies.pdf.fetcher import PortalURLFetcher, font_uri
from policies.pdf.qr import qr_svg_data_uri
from policies.pdf.render import FONTS
from portal.accounts.models import User
from portal.core.documents import DocumentEntry
from portal.core.formatting import money

from .models import Charge, ChargeLine, Receipt, Refund
from .services.fiscal import copay_line_title


def _pdf(context: dict) -> bytes:
    # The service names show only under the health-data consent of the person the receipt is
    # for (claims.health, through the template's filter): context["user"].
    html = render_to_string(
        "payments/pdf/receipt.html",
        {**context, "fonts": {name: font_uri(filename) for name, filename in FONTS.items()}},
    )
    return HTML(string=html, url_fetcher=PortalURLFetcher()).write_pdf()


def receipt_pdf_bytes(charge: Charge, *, user: User) -> bytes:
    return _pdf(
        {
            "user": user,
            "title": _("Чек об оплате со-оплаты по ДМС"),
            "number": charge.pk,
            "charge": charge,
            "lines": [cl for cl in charge.lines.all()],
            "amount": money(charge.amount),
            "paid_at": timezone.localtime(charge.settled_at or charge.updated_at),
            "provider_id": charge.provider_payment_id,
        }
    )


def refund_receipt_pdf_bytes(refund: Refund, *, user: User) -> bytes:
    """The refund receipt: the returned line, the charge it was paid by."""
    return _pdf(
        {
            "user": user,
            "title": _("Чек возврата со-оплаты по ДМС"),
            "number": f"{refund.charge_id}-{refund.pk}",
            "charge": refund.charge,
            "lines": [refund.charge_line],
            "amount": money(refund.amount),
            "paid_at": timezone.localtime(refund.settled_at or refund.updated_at),
            "provider_id": refund.provider_refund_id,
            "refund": refund,
        }
    )


def receipts(user) -> list[DocumentEntry]:
    """The «Мои документы» provider: one receipt per paid charge and one per refund of the user
    (two queries); its PDF is the 54-ФЗ receipt (or «квитанция») when it has a Receipt row."""
    charges = Charge.objects.filter(user=user, status=Charge.Status.SUCCEEDED).select_related(
        "insured_person"
    )
    refunds = Refund.objects.filter(
        charge__user=user, status=Refund.Status.SUCCEEDED
    ).select_related("charge__insured_person")
    return [
        DocumentEntry(
            group=_("Чеки"),
            title=_("Чек об оплате со-оплаты на %(amount)s") % {"amount": money(charge.amount)},
            url=reverse("payments:receipt", args=[charge.pk]),
            subtitle=charge.insured_person.full_name,
            date=timezone.localdate(charge.settled_at) if charge.settled_at else charge.day,
            state=_("готов"),
        )
        for charge in charges
    ] + [
        DocumentEntry(
            group=_("Чеки"),
            title=_("Чек возврата со-оплаты на %(amount)s") % {"amount": money(refund.amount)},
            url=reverse("payments:refund_receipt", args=[refund.pk]),
            subtitle=refund.charge.insured_person.full_name,
            date=timezone.localdate(refund.settled_at),
            state=_("готов"),
        )
        for refund in refunds
    ]


# --- 54-ФЗ receipts and «квитанции» (the Receipt rows) ----------------------------------------

FISCAL_TITLES = {
    Receipt.Kind.INCOME: _("Кассовый чек — приход"),
    Receipt.Kind.INCOME_RETURN: _("Кассовый чек — возврат прихода"),
}


def _item_descriptions(receipt: Receipt, user: User | None) -> list[str]:
    """The items' texts as `user` is shown them. A co-pay item names its service (health data,
    claims.health): the stored text is the one registered, the person reads the service's name
    only under their health-data consent, else «наименование скрыто»."""
    stored = [item.get("description", "") for item in receipt.items]
    if receipt.source == Receipt.Source.COPAY:
        lines = [
            cl.service_line
            for cl in ChargeLine.objects.filter(charge_id=receipt.source_id, active=True)
            .select_related("service_line")
            .order_by("pk")
        ]
    elif receipt.source == Receipt.Source.REFUND:
        lines = [
            r.service_line
            for r in Refund.objects.filter(pk=receipt.source_id).select_related("service_line")
        ]
    else:
        return stored
    if len(lines) != len(stored):  # never expected: the stored texts under the rule
        return stored if health_data_visible(user) else [_("Со-оплата по ДМС")] * len(stored)
    return [copay_line_title(service_name_for(line, user), line.service_date) for line in lines]


def receipt_context(receipt: Receipt, user: User | None = None) -> dict:
    """What the «Чек» page and its PDF show to `user`: the seller, the time, the items and the
    amount, and for a registered fiscal receipt ФН, ФД, ФП and the tax service's QR code."""
    registered = receipt.status == Receipt.Status.REGISTERED
    descriptions = _item_descriptions(receipt, user)
    return {
        "receipt": receipt,
        "title": FISCAL_TITLES[receipt.kind] if receipt.fiscal else _("Квитанция об оплате"),
        "amount": money(receipt.amount),
        "items": [
            {"description": text, "amount": money(Decimal(item["amount"]))}
            for text, item in zip(descriptions, receipt.items, strict=True)
        ],
        "paid_at": timezone.localtime(receipt.registered_at or receipt.paid_at),
        "qr_string": receipt.qr_string,
        "qr_image": qr_svg_data_uri(receipt.qr_string) if registered else "",
        "tax_system": TAX_SYSTEMS.get(receipt.tax_system_code or 0, ""),
    }


TAX_SYSTEMS = {
    1: _("ОСН"),
    2: _("УСН доход"),
    3: _("УСН доход минус расход"),
    4: _("ЕНВД"),
    5: _("ЕСХН"),
    6: _("ПСН"),
}


def fiscal_receipt_pdf_bytes(receipt: Receipt, user: User | None = None) -> bytes:
    html = render_to_string(
        "payments/pdf/fiscal_receipt.html",
        {
            **receipt_context(receipt, user),
            "fonts": {name: font_uri(filename) for name, filename in FONTS.items()},
        },
    )
    return HTML(string=html, url_fetcher=PortalURLFetcher()).write_pdf()


def receipt_for(source: str, source_id: int) -> Receipt | None:
    return Receipt.objects.filter(source=source, source_id=source_id).first()
