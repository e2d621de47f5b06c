"""The DMS program's own PDFs, for the people on it: «Программа страхования (PDF)» (the kinds of
care and services, limits, co-pay, exclusions, how to get care) made here, and the clinic list
of one kind of care, whose data clinics gathers (clinics.documents). Made by the worker, kept
privately until what they print changes (the data's hash), then made again — as PolicyDocument.
"""

import logging
from collections.abc import Callable

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from portal.core import outbox

from .formatting import phone_display, phone_href
from .models import Program, ProgramDocument, program_document_path
from .pdf import storage as pdf_storage
from .pdf.data import data_hash, insurer_data
from .pdf.render import policy_pdf_bytes

logger = logging.getLogger(__name__)

PROGRAM_KEY = "program"
TEMPLATE_VERSION = "2026-12-07.docs22"


def _lines(text: str) -> list[str]:
    return [line.strip(" •-\t") for line in (text or "").splitlines() if line.strip(" •-\t")]


def program_pdf_data(program: Program) -> dict:
    """What «Программа страхования (PDF)» prints (the program with its contract, policyholder
    and kinds of care)."""
    contract = program.contract
    return {
        "template": "program",
        "template_version": TEMPLATE_VERSION,
        "file_label": "Программа страхования",
        "number": program.code,
        "insurer": insurer_data(),
        "program": {
            "code": program.code,
            "name": program.name,
            "care_kinds": [kind.name for kind in program.care_kinds.all()],
            "services": _lines(program.services),
            "limits": _lines(program.limits),
            "exclusions": _lines(program.exclusions),
            "copay_share": f"{program.copay_share.normalize():f}" if program.has_copay else "",
            "includes_vzr": program.includes_vzr,
        },
        "contract": {
            "number": contract.number,
            "starts_on": f"{contract.starts_on:%d.%m.%Y}",
            "ends_on": f"{contract.ends_on:%d.%m.%Y}",
            "policyholder": contract.policyholder.name,
        },
        "hotline": phone_display(settings.HOTLINE_PHONE),
        "hotline_href": phone_href(settings.HOTLINE_PHONE),
        "contact_centres": [
            {"name": str(c.get("name", "")), "phone": phone_display(str(c["phone"]))}
            for c in contract.contact_centres or []
            if isinstance(c, dict) and c.get("phone")
        ],
    }


@transaction.atomic
def program_document_request(
    *, program: Program, key: str, data: dict, queue: Callable[[], None]
) -> ProgramDocument:
    """The program's document row, ready when the stored file shows `data`; otherwise `queue`
    (an outbox.send of the task that makes it) runs in this transaction and the row is pending."""
    document, created = ProgramDocument.objects.select_for_update().get_or_create(
        program=program, key=key
    )
    return pdf_storage.queue_once(document, data_hash(data), created=created, queue=queue)


def program_document_render(*, program_id: int, key: str, data: dict) -> ProgramDocument | None:
    """Make the document from `data` and store it (nothing to do when the stored file shows it:
    safe to run twice)."""
    digest = data_hash(data)
    document, _created = ProgramDocument.objects.get_or_create(program_id=program_id, key=key)
    if pdf_storage.is_served(document, digest):
        return document
    try:
        pdf = policy_pdf_bytes(data, generated_on=timezone.localdate())
    except Exception:
        pdf_storage.mark_failed(document, digest)
        logger.exception("program PDF failed: program %s, %s", program_id, key)
        raise
    return pdf_storage.store(document, digest, pdf, path=program_document_path)


def program_for_render(program_id: int) -> Program | None:
    return (
        Program.objects.select_related("contract__policyholder")
        .prefetch_related("care_kinds")
        .filter(pk=program_id)
        .first()
    )


def program_pdf_request(*, program: Program) -> ProgramDocument:
    from .tasks import program_document_render_task

    program_id = program.pk
    return program_document_request(
        program=program,
        key=PROGRAM_KEY,
        data=program_pdf_data(program),
        queue=lambda: outbox.send(program_document_render_task, program_id),
    )


def program_pdf_render(*, program_id: int) -> ProgramDocument | None:
    program = program_for_render(program_id)
    if program is None:
        return None
    return program_document_render(
        program_id=program_id, key=PROGRAM_KEY, data=program_pdf_data(program)
    )
