"""«Мои обращения» (/appeals/): the list, a new appeal, one appeal with its thread and files."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from claims.selectors import service_line_explanation, service_line_for_user
from portal.core.uploads import attachment_disposition, stored_file_open

from . import services
from .forms import AppealForm, MessageForm
from .models import Appeal
from .pdf import appeal_answer_pdf_bytes
from .selectors import appeal_attachment_for_user, appeal_for_user, appeals_for_user


def _int_or_none(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


def _form_error(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


@login_required
def appeal_list(request: HttpRequest) -> HttpResponse:
    return render(
        request, "feedback/appeal_list.html", {"appeals": list(appeals_for_user(request.user))}
    )


@login_required
@never_cache  # shows a service's name under the health-data consent: no copy kept by the browser
def appeal_new(request: HttpRequest) -> HttpResponse:
    line_id = _int_or_none(request.GET.get("service_line"))
    line = service_line_for_user(request.user, line_id)
    if line_id is not None and line is None:
        raise Http404  # someone else's service line, or none at all
    kind = request.GET.get("kind", "")
    initial = {"kind": kind} if kind in Appeal.Kind.values else {}
    form = AppealForm(request.POST or None, request.FILES or None, initial=initial)
    if line is None:
        # Without a service line there is nothing to dispute.
        form.fields["kind"].choices = [
            c for c in form.fields["kind"].choices if c[0] != Appeal.Kind.NOT_PROVIDED
        ]
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                appeal = services.appeal_create(
                    user=request.user,
                    kind=data["kind"],
                    subject=data["subject"],
                    body=data["body"],
                    rating=data["rating"],
                    service_line=line,
                    files=data["files"],
                )
            except ValidationError as error:
                _form_error(form, error)
            else:
                messages.success(
                    request,
                    _("Обращение № %(number)s зарегистрировано. Ответим до %(date)s.")
                    % {"number": appeal.number, "date": f"{appeal.due_on:%d.%m.%Y}"},
                )
                return redirect("appeal_detail", pk=appeal.pk)
        status = 400
    return render(
        request,
        "feedback/appeal_new.html",
        {
            "form": form,
            "line": line,
            "line_why": service_line_explanation(line) if line else "",
        },
        status=status,
    )


@login_required
@never_cache  # as appeal_new
def appeal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    appeal = appeal_for_user(request.user, pk)
    if appeal is None:
        raise Http404
    form = MessageForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.appeal_message_add(
                    appeal=appeal,
                    author=request.user,
                    body=form.cleaned_data["body"],
                    files=form.cleaned_data["files"],
                )
            except ValidationError as error:
                _form_error(form, error)
            else:
                messages.success(request, _("Сообщение отправлено"))
                return redirect("appeal_detail", pk=appeal.pk)
        status = 400
    return render(
        request, "feedback/appeal_detail.html", {"appeal": appeal, "form": form}, status=status
    )


@login_required
@never_cache
@require_GET
def appeal_attachment(request: HttpRequest, pk: int, attachment_id: int) -> HttpResponse:
    attachment = appeal_attachment_for_user(request.user, appeal_id=pk, pk=attachment_id)
    if attachment is None:
        raise Http404
    return attachment_response(attachment)


def attachment_response(attachment) -> FileResponse:
    """A file of an appeal as a download that no cache keeps (the page's and the API's)."""
    response = FileResponse(
        stored_file_open(attachment.file),
        content_type=attachment.content_type or "application/octet-stream",
    )
    response["Content-Disposition"] = attachment_disposition(attachment.original_name)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@never_cache
@require_GET
def appeal_answer_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    appeal = appeal_for_user(request.user, pk)
    if appeal is None or not any(m.from_staff for m in appeal.messages.all()):
        raise Http404
    response = HttpResponse(appeal_answer_pdf_bytes(appeal), content_type="application/pdf")
    response["Content-Disposition"] = attachment_disposition(
        f"Ответ на обращение {appeal.number}.pdf"
    )
    response["Cache-Control"] = "private, no-store"
    return response
