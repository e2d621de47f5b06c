"""Receipts of co-pay charges: PDFs made with the policies' WeasyPrint setup (its safe fetcher
and embedded fonts), and their rows in «Мои документы»."""

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from weasyprint import HTML

from policies.pdf.fetcher import PortalURLFetcher, font_uri
from policies.pdf.render import FONTS
from portal.core.documents import DocumentEntry
from portal.core.formatting import money

from .models import Charge


def receipt_pdf_bytes(charge: Charge) -> bytes:
    html = render_to_string(
        "payments/pdf/receipt.html",
        {
            "charge": charge,
            "lines": [cl for cl in charge.lines.all()],
            "amount": money(charge.amount),
            "paid_at": timezone.localtime(charge.settled_at or charge.updated_at),
            "fonts": {name: font_uri(filename) for name, filename in FONTS.items()},
        },
    )
    return HTML(string=html, url_fetcher=PortalURLFetcher()).write_pdf()


def receipts(user) -> list[DocumentEntry]:
    """The «Мои документы» provider: one receipt per paid charge of the user (one query)."""
    charges = Charge.objects.filter(user=user, status=Charge.Status.SUCCEEDED).select_related(
        "insured_person"
    )
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
    ]
