"""Serving private files: a safe Content-Disposition (ASCII name and the RFC 5987 UTF-8 one)."""

from urllib.parse import quote

from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import render

from portal.core.uploads import stored_file_open

from .models import PolicyDocument, ProgramDocument
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


def pdf_file_response(file, filename: str) -> FileResponse:
    response = FileResponse(stored_file_open(file), content_type="application/pdf")
    response["Content-Disposition"] = attachment_disposition(filename)
    response["Cache-Control"] = "private, no-store"
    return response


def policy_pdf_response(document: PolicyDocument) -> FileResponse:
    return pdf_file_response(document.file, policy_pdf_filename(document))


def program_document_response(
    request: HttpRequest, document: ProgramDocument, *, filename: str, title: str
) -> HttpResponse:
    """The stored file when ready; while it is being made, a page that asks again shortly."""
    if document.status != ProgramDocument.Status.READY:
        document.refresh_from_db()  # made inline in eager mode once the request's work committed
    if document.status == ProgramDocument.Status.READY:
        return pdf_file_response(document.file, filename)
    return render(
        request,
        "policies/document_pending.html",
        {"title": title, "failed": document.status == ProgramDocument.Status.FAILED},
    )
