"""The employee-list import pages of a contract in the admin («Загрузить список застрахованных»).

ContractAdmin mounts these under /admin/policies/contract/<id>/import/. Objects come from the
staff-scoped selectors: another company's contract or batch is a 404 for an HR manager.
"""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseNotAllowed,
    StreamingHttpResponse,
)
from django.middleware.csrf import CsrfViewMiddleware
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from policies.models import Contract
from portal.core.audit import audit_log_record
from portal.core.models import AuditLogEntry

from .forms import ApplyForm, ColumnMappingForm, EmployeeListUploadForm
from .models import ImportBatch, ImportRow
from .progress import progress_get
from .selectors import (
    batch_preview,
    cabinet_activation,
    contracts_for_staff,
    import_batches_for_staff,
)
from .services.applying import import_batch_apply_request, import_batch_recheck
from .services.exports import (
    batch_list_rows,
    csv_lines,
    error_rows,
    one_c_template_rows,
    register_rows,
    xlsx_file,
)
from .services.mapping import REMAPPABLE, column_choices, column_mappings_save
from .services.uploads import import_batch_upload

PREVIEW_ROWS = 50
ERROR_ROWS = 100
RECENT_BATCHES = 10
# Multipart overhead allowed over the file size limit before the request is refused unread.
MULTIPART_SLACK = 256 * 1024
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def can_upload(user) -> bool:
    return user.is_active and user.is_staff and user.has_perm("employers.add_importbatch")


def can_view(user) -> bool:
    return can_upload(user) or user.has_perm("employers.view_importbatch")


def can_apply(user) -> bool:
    return user.has_perm("employers.apply_importbatch")


def _contract(request: HttpRequest, object_id: str) -> Contract:
    if not can_view(request.user):
        raise PermissionDenied
    try:
        return contracts_for_staff(request.user).get(pk=int(object_id))
    except (ValueError, Contract.DoesNotExist):
        raise Http404(_("Договор не найден")) from None


def _batch(request: HttpRequest, contract: Contract, batch_id: int) -> ImportBatch:
    return get_object_or_404(import_batches_for_staff(request.user), contract=contract, pk=batch_id)


def _context(model_admin, request, contract: Contract, title: str, **extra) -> dict:
    return {
        **model_admin.admin_site.each_context(request),
        "opts": Contract._meta,
        "contract": contract,
        "title": title,
        "subtitle": str(contract),
        "can_upload": can_upload(request.user),
        "can_apply": can_apply(request.user),
        **extra,
    }


class SizeCapUploadHandler(FileUploadHandler):
    """Stops reading an upload as soon as it passes the limit (for a body without a length)."""

    def receive_data_chunk(self, raw_data, start):
        if start + len(raw_data) > settings.EMPLOYERS_IMPORT_MAX_BYTES:
            self.request.upload_too_large = True
            raise StopUpload(connection_reset=False)
        return raw_data

    def file_complete(self, file_size):
        return None


def _too_large_message() -> str:
    limit = settings.EMPLOYERS_IMPORT_MAX_BYTES // (1024 * 1024)
    return _("Файл больше %(limit)s МБ. Разделите список на части или сохраните его в XLSX.") % {
        "limit": limit
    }


def import_upload_view(model_admin, request: HttpRequest, object_id: str) -> HttpResponse:
    """Upload page: the form, the templates, the company's cabinet activation, recent uploads.

    The view is CSRF-exempt for the middleware only so that an oversized body can be refused
    before it is read; the CSRF check is made right after that."""
    contract = _contract(request, object_id)
    form = EmployeeListUploadForm()
    upload_error = ""
    if request.method == "POST":
        if not can_upload(request.user):
            raise PermissionDenied
        length = int(request.META.get("CONTENT_LENGTH") or 0)
        if length > settings.EMPLOYERS_IMPORT_MAX_BYTES + MULTIPART_SLACK:
            upload_error = _too_large_message()
        else:
            request.upload_handlers.insert(0, SizeCapUploadHandler(request))
            rejected = CsrfViewMiddleware(lambda r: None).process_view(request, None, (), {})
            if rejected is not None:
                return rejected
            files = request.FILES  # parsed here, through the size cap
            if getattr(request, "upload_too_large", False):
                upload_error = _too_large_message()
            else:
                form = EmployeeListUploadForm(request.POST, files)
                if form.is_valid():
                    try:
                        batch = import_batch_upload(
                            contract=contract,
                            user=request.user,
                            uploaded=form.cleaned_data["file"],
                            effective_date=form.cleaned_data["effective_date"],
                        )
                    except ValidationError as exc:
                        form.add_error("file", exc)
                    else:
                        messages.success(request, _("Файл загружен и проверяется."))
                        return redirect(_batch_url(contract, batch))
    batches = import_batches_for_staff(request.user).filter(contract=contract)[:RECENT_BATCHES]
    context = _context(
        model_admin,
        request,
        contract,
        _("Загрузить список застрахованных"),
        form=form,
        media=model_admin.media + form.media,
        batches=batches,
        activation=cabinet_activation(policyholder=contract.policyholder),
        max_mb=settings.EMPLOYERS_IMPORT_MAX_BYTES // (1024 * 1024),
        upload_error=upload_error,
    )
    status = 413 if upload_error else 200
    return TemplateResponse(request, "admin/employers/import_upload.html", context, status=status)


def _batch_url(contract: Contract, batch: ImportBatch) -> str:
    return reverse("admin:policies_contract_import_batch", args=[contract.pk, batch.pk])


def import_batch_view(
    model_admin, request: HttpRequest, object_id: str, batch_id: int
) -> HttpResponse:
    contract = _contract(request, object_id)
    batch = _batch(request, contract, batch_id)
    Action = ImportRow.Action
    shown = batch.status not in (ImportBatch.Status.UPLOADED, ImportBatch.Status.REJECTED)
    context = _context(
        model_admin,
        request,
        contract,
        _("Список застрахованных: %(name)s") % {"name": batch.original_name},
        batch=batch,
        progress=progress_get(batch.pk) if batch.is_running else None,
        refresh=batch.is_running,
        added=batch_preview(batch, Action.ADD, limit=PREVIEW_ROWS) if shown else [],
        changed=batch_preview(batch, Action.CHANGE, limit=PREVIEW_ROWS) if shown else [],
        removed=batch_preview(batch, Action.REMOVE, limit=PREVIEW_ROWS) if shown else [],
        invalid=batch_preview(batch, Action.INVALID, limit=ERROR_ROWS) if shown else [],
        preview_rows=PREVIEW_ROWS,
        error_rows=ERROR_ROWS,
        apply_form=ApplyForm(),
        columns_form=_columns_form(batch),
        upload_url=reverse("admin:policies_contract_import", args=[contract.pk]),
    )
    return TemplateResponse(request, "admin/employers/import_batch.html", context)


def _columns_form(batch: ImportBatch, data=None) -> ColumnMappingForm | None:
    if not batch.unknown_headers or batch.status not in REMAPPABLE:
        return None
    return ColumnMappingForm(data, headers=batch.unknown_headers, choices=column_choices())


def import_columns_view(
    model_admin, request: HttpRequest, object_id: str, batch_id: int
) -> HttpResponse:
    """HR's choice of field for the columns the import did not recognise: kept for the
    employer, and the list checked again with it."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    contract = _contract(request, object_id)
    batch = _batch(request, contract, batch_id)
    if not can_upload(request.user):
        raise PermissionDenied
    form = _columns_form(batch, request.POST)
    if form is None or not form.is_valid():
        messages.error(request, _("Столбцы этого списка сопоставить нельзя."))
        return redirect(_batch_url(contract, batch))
    try:
        column_mappings_save(batch=batch, user=request.user, choices=form.chosen())
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(
            request, _("Столбцы запомнены для этого работодателя; список проверяется заново.")
        )
    return redirect(_batch_url(contract, batch))


def import_apply_view(
    model_admin, request: HttpRequest, object_id: str, batch_id: int
) -> HttpResponse:
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    contract = _contract(request, object_id)
    batch = _batch(request, contract, batch_id)
    if not can_apply(request.user):
        raise PermissionDenied
    form = ApplyForm(request.POST)
    form.is_valid()
    try:
        import_batch_apply_request(
            batch=batch,
            user=request.user,
            skip_invalid=form.cleaned_data.get("skip_invalid", False),
        )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Список применяется."))
    return redirect(_batch_url(contract, batch))


def import_recheck_view(
    model_admin, request: HttpRequest, object_id: str, batch_id: int
) -> HttpResponse:
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    contract = _contract(request, object_id)
    batch = _batch(request, contract, batch_id)
    if not can_upload(request.user):
        raise PermissionDenied
    try:
        import_batch_recheck(batch=batch)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    return redirect(_batch_url(contract, batch))


def import_errors_view(
    model_admin, request: HttpRequest, object_id: str, batch_id: int
) -> HttpResponse:
    contract = _contract(request, object_id)
    batch = _batch(request, contract, batch_id)
    response = StreamingHttpResponse(csv_lines(error_rows(batch)), content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="oshibki-spiska-{batch.pk}.csv"'
    return response


def _list_response(rows, stem: str, file_format: str) -> HttpResponse:
    if file_format == "xlsx":
        return FileResponse(
            xlsx_file("Список", rows, notes=True),
            as_attachment=True,
            filename=f"{stem}.xlsx",
            content_type=XLSX_TYPE,
        )
    response = StreamingHttpResponse(csv_lines(rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{stem}.csv"'
    return response


def import_list_view(
    model_admin, request: HttpRequest, object_id: str, batch_id: int, file_format: str
) -> HttpResponse:
    """An applied list back, with the policy numbers assigned to its newcomers."""
    contract = _contract(request, object_id)
    batch = _batch(request, contract, batch_id)
    if batch.status != ImportBatch.Status.APPLIED or file_format not in ("csv", "xlsx"):
        raise Http404
    # An export of the company's people, as the register's export is: written to the audit log.
    audit_log_record(
        request=request,
        subject=contract,
        person_label=_("застрахованные по договору № %(number)s") % {"number": contract.number},
        what=_("выгрузка применённого списка с номерами полисов"),
        action=AuditLogEntry.Action.EXPORT,
    )
    return _list_response(batch_list_rows(batch), f"spisok-s-nomerami-{batch.pk}", file_format)


def import_template_view(
    model_admin, request: HttpRequest, object_id: str, file_format: str
) -> HttpResponse:
    """The empty template (?layout=1c: «как в 1С»), or (?current=1) the template filled with
    today's register."""
    contract = _contract(request, object_id)
    if request.GET.get("layout") == "1c":
        return _list_response(one_c_template_rows(), "shablon-kak-v-1c", file_format)
    current = request.GET.get("current") == "1"
    if current:
        # An export of the company's people: written to the staff audit log.
        audit_log_record(
            request=request,
            subject=contract,
            person_label=_("застрахованные по договору № %(number)s") % {"number": contract.number},
            what=_("выгрузка списка застрахованных (без паспортных и медицинских данных)"),
            action=AuditLogEntry.Action.EXPORT,
        )
    rows = register_rows(contract if current else None)
    stem = f"spisok-zastrahovannyh-{contract.pk}" if current else "shablon-spiska-zastrahovannyh"
    return _list_response(rows, stem, file_format)
