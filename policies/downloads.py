"""Serving private files: a safe Content-Disposition (ASCII name and the RFC 5987 UTF-8 one)."""

from urllib.parse import quote

from django.http import FileResponse

from .models import PolicyDocument
from .pdf.data import FILE_LABELS
from .translit import ascii_filename


def attachment_disposition(filename: str) -> str:
    """`attachment; filename="Polis-DMS-….pdf"; filename*=UTF-8''%D0%9F…` — the plain name for
    old clients, the exact one for the rest; neither can carry quotes, CR/LF or a path."""
    filename = filename.replace("/", "-").replace("\\", "-")
    filename = "".join(ch for ch in filename if ch.isprintable())
    plain = ascii_filename(filename)
    return f"attachment; filename=\"{plain}\"; filename*=UTF-8''{quote(filename, safe='')}"


def policy_pdf_filename(document: PolicyDocument) -> str:
    policy = document.policy
    return f"{FILE_LABELS[policy.product]} {policy.number}.pdf"


def policy_pdf_response(document: PolicyDocument) -> FileResponse:
    response = FileResponse(document.file.open("rb"), content_type="application/pdf")
    response["Content-Disposition"] = attachment_disposition(policy_pdf_filename(document))
    response["Cache-Control"] = "private, no-store"
    return response
