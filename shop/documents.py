"""The payment receipt of a bought policy (the policies' WeasyPrint setup: its safe fetcher and
embedded fonts) and its row in «Мои документы». The policy itself is the insurer's document made
by policies.pdf for every product, listed by policies.documents."""

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from weasyprint import HTML

from policies.cards import PRODUCT_TITLES
from policies.models import Policy
from policies.pdf.fetcher import PortalURLFetcher, font_uri
from policies.pdf.render import FONTS
from portal.core.documents import DocumentEntry
from portal.core.formatting import money

from .models import Purchase


def _pdf(template: str, purchase: Purchase) -> bytes:
    html = render_to_string(
        template,
        {
            "purchase": purchase,
            "policy": purchase.policy,
            "user": purchase.user,
            "title": PRODUCT_TITLES[Policy.Product(purchase.policy.product)],
            "data": purchase.quote.inputs,
            "breakdown": purchase.quote.breakdown,
            "amount": money(purchase.amount),
            "paid_at": timezone.localtime(purchase.paid_at) if purchase.paid_at else None,
            "fonts": {name: font_uri(filename) for name, filename in FONTS.items()},
        },
    )
    return HTML(string=html, url_fetcher=PortalURLFetcher()).write_pdf()


def receipt_pdf_bytes(purchase: Purchase) -> bytes:
    return _pdf("shop/pdf/receipt.html", purchase)


def purchase_documents(user) -> list[DocumentEntry]:
    """The «Мои документы» provider: each paid purchase's receipt (one query)."""
    entries = []
    purchases = Purchase.objects.filter(user=user, status=Purchase.Status.PAID).select_related(
        "policy"
    )
    for purchase in purchases:
        policy = purchase.policy
        day = timezone.localdate(purchase.paid_at)
        entries.append(
            DocumentEntry(
                group=str(_("Чеки")),
                title=_("Чек об оплате полиса № %(number)s на %(amount)s")
                % {"number": policy.number, "amount": money(purchase.amount)},
                url=reverse("shop_receipt_pdf", args=[purchase.pk]),
                date=day,
                state=str(_("готов")),
            )
        )
    return entries
