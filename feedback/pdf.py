"""The PDFs of the appeals section, made on download: an issued guarantee letter and the
insurer's answer to an appeal (both listed in «Мои документы», feedback.documents)."""

from django.template.loader import render_to_string
from django.utils import timezone
from weasyprint import HTML

from policies.pdf.fetcher import PortalURLFetcher, font_uri
from policies.pdf.render import FONTS

from .models import Appeal, GuaranteeLetter


def guarantee_letter_pdf_bytes(letter: GuaranteeLetter) -> bytes:
    html = render_to_string(
        "feedback/pdf/guarantee_letter.html",
        {
            "letter": letter,
            "fonts": {name: font_uri(filename) for name, filename in FONTS.items()},
            "generated_on": timezone.localdate(),
        },
    )
    return HTML(string=html, url_fetcher=PortalURLFetcher()).write_pdf()


def appeal_answer_pdf_bytes(appeal: Appeal) -> bytes:
    """The insurer's answer to an appeal, with the person's question, as a PDF («Мои документы»)."""
    html = render_to_string(
        "feedback/pdf/appeal_answer.html",
        {
            "appeal": appeal,
            "thread": list(appeal.messages.all()),
            "fonts": {name: font_uri(filename) for name, filename in FONTS.items()},
            "generated_on": timezone.localdate(),
        },
    )
    return HTML(string=html, url_fetcher=PortalURLFetcher()).write_pdf()
