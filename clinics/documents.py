"""The clinic list as a PDF: the live network of a DMS program for one kind of care (name,
address, phones, online booking), made by the worker and kept until the network changes
(policies.program_documents keeps the file and its data's hash)."""

from django.conf import settings

from policies.formatting import phone_display
from policies.models import CareKind, Program
from policies.pdf.data import insurer_data
from policies.program_documents import (
    TEMPLATE_VERSION,
    program_document_render,
    program_document_request,
    program_for_render,
)
from portal.core import outbox

from .models import ProgramClinic


def clinic_list_key(care_kind: CareKind) -> str:
    return f"clinics:{care_kind.code}"


def clinic_list_pdf_data(program: Program, care_kind: CareKind) -> dict:
    links = (
        ProgramClinic.objects.filter(program=program, care_kind=care_kind)
        .select_related("clinic")
        .order_by("clinic__city", "clinic__name")
    )
    return {
        "template": "clinics",
        "template_version": TEMPLATE_VERSION,
        "file_label": "Список клиник",
        "number": f"{program.code} {care_kind.code}",
        "insurer": insurer_data(),
        "program": {"code": program.code, "name": program.name},
        "care_kind": care_kind.name,
        "hotline": phone_display(settings.HOTLINE_PHONE),
        "clinics": [
            {
                "name": link.clinic.name,
                "address": link.clinic.address,
                "phones": [phone_display(str(p)) for p in link.clinic.phones or [] if p],
                "online_booking": link.clinic.online_booking,
                "guarantee_letter": link.guarantee_letter_required,
            }
            for link in links
        ],
    }


def clinic_list_pdf_request(*, program: Program, care_kind: CareKind):
    from .tasks import clinic_list_pdf_render_task

    program_id, kind_id = program.pk, care_kind.pk
    return program_document_request(
        program=program,
        key=clinic_list_key(care_kind),
        data=clinic_list_pdf_data(program, care_kind),
        queue=lambda: outbox.send(clinic_list_pdf_render_task, program_id, kind_id),
    )


def clinic_list_pdf_render(*, program_id: int, care_kind_id: int):
    program = program_for_render(program_id)
    care_kind = CareKind.objects.filter(pk=care_kind_id).first()
    if program is None or care_kind is None:
        return None
    return program_document_render(
        program_id=program_id,
        key=clinic_list_key(care_kind),
        data=clinic_list_pdf_data(program, care_kind),
    )
