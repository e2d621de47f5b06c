"""HTML → PDF with WeasyPrint; fonts (DejaVu, with Cyrillic) are embedded from the font folder."""

import datetime

from django.template.loader import render_to_string
from weasyprint import HTML

from .fetcher import PortalURLFetcher, font_uri, static_uri
from .qr import qr_svg_data_uri

TEMPLATES = {"dms": "policies/pdf/dms.html", "vzr": "policies/pdf/vzr.html"}
FONTS = {
    "regular": "DejaVuSans.ttf",
    "bold": "DejaVuSans-Bold.ttf",
    "condensed": "DejaVuSansCondensed.ttf",
    "condensed_bold": "DejaVuSansCondensed-Bold.ttf",
}


def policy_html(data: dict, *, generated_on: datetime.date) -> str:
    return render_to_string(
        TEMPLATES[data["kind"]],
        {
            "d": data,
            "generated_on": generated_on,
            "stylesheet": static_uri("policies/pdf/policy.css"),
            "fonts": {name: font_uri(filename) for name, filename in FONTS.items()},
            "qr": qr_svg_data_uri(data["verify_url"]),
        },
    )


def policy_pdf_bytes(data: dict, *, generated_on: datetime.date) -> bytes:
    html = policy_html(data, generated_on=generated_on)
    return HTML(string=html, url_fetcher=PortalURLFetcher()).write_pdf()
