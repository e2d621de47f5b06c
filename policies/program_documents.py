"""The DMS program's own PDFs, for the people on it: «Программа страхования (PDF)» (the kinds of
care and services, limits, co-pay, exclusions, how to get care) made here, and the clinic list
of one kind of care, whose data clinics gathers (clinics.documents). Made by the worker, kept
privately until what they print changes (the data's hash), then made again — as PolicyDocument.
"""

import datetime
import logging
from collections.abc import Callable

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from .formatting import phone_display, phone_href
from .models import Program, ProgramDocument, program_document_path
from .pdf.data import data_hash, insurer_data
from .pdf.render import policy_pdf_bytes

logger = logging.getLogger(__name__)

PROGRAM_KEY = "program"
TEMPLATE_VERSION = "2026-12-07.docs22"
PENDING_RETRY_AFTER = datetime.timedelta(minutes=5)


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


def _file_present(document: ProgramDocument) -> bool:
    return bool(document.file.name) and default_storage.exists(document.file.name)


@transaction.atomic
def program_document_request(
    *, program: Program, key: str, data: dict, queue: Callable[[], None]
) -> ProgramDocument:
    """The program's document row, ready when the stored file shows `data`; otherwise `queue`
    (a Celery task's delay) runs once this commits and the row is pending."""
    digest = data_hash(data)
    document, created = ProgramDocument.objects.select_for_update().get_or_create(
        program=program, key=key
    )
    if document.is_current(digest) and _file_present(document):
        return document
    recently_queued = (
        not created
        and document.status == ProgramDocument.Status.PENDING
        and document.requested_hash == digest
        and document.updated_at > timezone.now() - PENDING_RETRY_AFTER
    )
    if recently_queued:
        return document
    document.status = ProgramDocument.Status.PENDING
    document.requested_hash = digest
    document.save(update_fields=["status", "requested_hash", "updated_at"])
    transaction.on_commit(queue, robust=True)
    return document


def program_document_render(*, program_id: int, key: str, data: dict) -> ProgramDocument | None:
    """Make the document from `data` and store it (nothing to do when the stored file shows it:
    safe to run twice)."""
    digest = data_hash(data)
    document, _created = ProgramDocument.objects.get_or_create(program_id=program_id, key=key)
    if document.is_current(digest) and _file_present(document):
        return document
    try:
        pdf = policy_pdf_bytes(data, generated_on=timezone.localdate())
    except Exception:
        ProgramDocument.objects.filter(pk=document.pk, requested_hash=digest).update(
            status=ProgramDocument.Status.FAILED, updated_at=timezone.now()
        )
        logger.exception("program PDF failed: program %s, %s", program_id, key)
        raise
    with transaction.atomic():
        document = ProgramDocument.objects.select_for_update().get(pk=document.pk)
        old_name = document.file.name
        document.data_hash = digest
        name = program_document_path(document, "program.pdf")
        if default_storage.exists(name):
            default_storage.delete(name)
        document.file.name = default_storage.save(name, ContentFile(pdf))
        document.status = ProgramDocument.Status.READY
        document.requested_hash = digest
        document.generated_at = timezone.now()
        document.size = len(pdf)
        document.full_clean()
        document.save()
        if old_name and old_name != document.file.name:
            transaction.on_commit(lambda: default_storage.delete(old_name), robust=True)
    return document


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
        queue=lambda: program_document_render_task.delay(program_id),
    )


def program_pdf_render(*, program_id: int) -> ProgramDocument | None:
    program = program_for_render(program_id)
    if program is None:
        return None
    return program_document_render(
        program_id=program_id, key=PROGRAM_KEY, data=program_pdf_data(program)
    )
