"""Receipts of co-pay charges and refunds: PDFs made with the policies' WeasyPrint setup (its safe
fetcher and embedded fonts), and their rows in «Мои документы»."""

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from weasyprint import HTML

from policies.pdf.fetcher import PortalURLFetcher, font_uri
from policies.pdf.render import FONTS
from portal.core.documents import DocumentEntry
from portal.core.formatting import money

from .models import Charge, Refund


def _pdf(context: dict) -> bytes:
    html = render_to_string(
        "payments/pdf/receipt.html",
        {**context, "fonts": {name: font_uri(filename) for name, filename in FONTS.items()}},
    )
    return HTML(string=html, url_fetcher=PortalURLFetcher()).write_pdf()


def receipt_pdf_bytes(charge: Charge) -> bytes:
    return _pdf(
        {
            "title": _("Чек об оплате со-оплаты по ДМС"),
            "number": charge.pk,
            "charge": charge,
            "lines": [cl for cl in charge.lines.all()],
            "amount": money(charge.amount),
            "paid_at": timezone.localtime(charge.settled_at or charge.updated_at),
            "provider_id": charge.provider_payment_id,
        }
    )


def refund_receipt_pdf_bytes(refund: Refund) -> bytes:
    """The refund receipt: the returned line, the charge it was paid by."""
    return _pdf(
        {
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
    (two queries)."""
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
