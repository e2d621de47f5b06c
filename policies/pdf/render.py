"""HTML → PDF with WeasyPrint; fonts (DejaVu, with Cyrillic) are embedded from the font folder,
the QR code and the insurer's facsimile signature and stamp are embedded as data: URIs."""

import datetime

from django.template.loader import render_to_string
from weasyprint import HTML

from portal.core.insurer import image_data_uri

from .fetcher import PortalURLFetcher, font_uri, static_uri
from .qr import qr_svg_data_uri

TEMPLATES = {
    "dms": "policies/pdf/dms.html",
    "vzr": "policies/pdf/vzr.html",
    "osago": "policies/pdf/osago.html",
    "bought": "policies/pdf/bought.html",
    "program": "policies/pdf/program.html",
    "clinics": "policies/pdf/clinics.html",
}
FONTS = {
    "regular": "DejaVuSans.ttf",
    "bold": "DejaVuSans-Bold.ttf",
    "condensed": "DejaVuSansCondensed.ttf",
    "condensed_bold": "DejaVuSansCondensed-Bold.ttf",
}


def pdf_context(data: dict, *, generated_on: datetime.date) -> dict:
    insurer = data.get("insurer") or {}
    return {
        "d": data,
        "generated_on": generated_on,
        "stylesheet": static_uri("policies/pdf/policy.css"),
        "fonts": {name: font_uri(filename) for name, filename in FONTS.items()},
        "qr": qr_svg_data_uri(data["verify_url"]) if data.get("verify_url") else "",
        "signature": image_data_uri(insurer.get("signature_file", "")),
        "stamp": image_data_uri(insurer.get("stamp_file", "")),
    }


def policy_html(data: dict, *, generated_on: datetime.date) -> str:
    template = TEMPLATES[data.get("template") or data.get("kind")]
    return render_to_string(template, pdf_context(data, generated_on=generated_on))


def policy_pdf_bytes(data: dict, *, generated_on: datetime.date) -> bytes:
    html = policy_html(data, generated_on=generated_on)
    return HTML(string=html, url_fetcher=PortalURLFetcher()).write_pdf()
