"""«Мои обращения»: the list, a new appeal with its files (multipart, the page's form and
checks), the thread, a message with files, and each file."""

import datetime

from django.http import Http404, HttpRequest
from django.urls import reverse
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from claims.selectors import service_line_for_user
from feedback import services
from feedback.forms import AppealForm, MessageForm
from feedback.models import Appeal
from feedback.selectors import appeal_attachment_for_user, appeal_for_user, appeals_for_user
from feedback.views import attachment_response

from .errors import form_error
from .pagination import PageOut, page_of

router = Router(tags=["Обращения"])


class AppealOut(Schema):
    id: int
    number: str
    kind: str
    kind_display: str
    status: str
    status_display: str
    subject: str
    due_on: datetime.date
    created_at: datetime.datetime
    service_line_id: int | None = None
    clinic_id: int | None = None


class AttachmentOut(Schema):
    id: int
    name: str
    content_type: str
    size: int
    url: str


class MessageOut(Schema):
    id: int
    from_staff: bool
    body: str
    sent_at: datetime.datetime


class AppealDetailOut(AppealOut):
    messages: list[MessageOut]
    attachments: list[AttachmentOut]


class AppealPage(PageOut):
    results: list[AppealOut]


class AppealIn(Schema):
    kind: str
    body: str
    subject: str = ""
    rating: int | None = None
    service_line: int | None = None


class MessageIn(Schema):
    body: str


def appeal_out(appeal: Appeal) -> dict:
    return {
        "id": appeal.pk,
        "number": appeal.number,
        "kind": appeal.kind,
        "kind_display": appeal.get_kind_display(),
        "status": appeal.status,
        "status_display": appeal.get_status_display(),
        "subject": appeal.subject,
        "due_on": appeal.due_on,
        "created_at": appeal.created_at,
        "service_line_id": appeal.service_line_id,
        "clinic_id": appeal.clinic_id,
    }


def _detail(request: HttpRequest, appeal: Appeal) -> dict:
    data = appeal_out(appeal)
    data["messages"] = [
        {"id": m.pk, "from_staff": m.from_staff, "body": m.body, "sent_at": m.sent_at}
        for m in appeal.messages.all()
    ]
    data["attachments"] = [
        {
            "id": a.pk,
            "name": a.original_name,
            "content_type": a.content_type,
            "size": a.size,
            "url": request.build_absolute_uri(reverse("api:appeal_file", args=[appeal.pk, a.pk])),
        }
        for a in appeal.attachments.all()
    ]
    return data


def _appeal(request: HttpRequest, pk: int) -> Appeal:
    appeal = appeal_for_user(request.auth, pk)
    if appeal is None:
        raise Http404
    return appeal


@router.get("/", response=AppealPage, summary="Мои обращения")
def appeal_list(request: HttpRequest, cursor: str | None = None, limit: int | None = None):
    page = page_of(request, appeals_for_user(request.auth), cursor=cursor, limit=limit)
    return {"results": [appeal_out(a) for a in page["results"]], "next": page["next"]}


@router.post("/", response={201: AppealDetailOut}, summary="Новое обращение (multipart)")
def appeal_create(
    request: HttpRequest,
    data: Form[AppealIn],
    files: File[list[UploadedFile]] = None,
):
    user = request.auth
    line = None
    if data.service_line is not None:
        line = service_line_for_user(user, data.service_line)
        if line is None:
            raise Http404  # someone else's service line, or none at all
    form_data = {
        "kind": data.kind,
        "body": data.body,
        "subject": data.subject,
        "rating": "" if data.rating is None else str(data.rating),
    }
    form = AppealForm(form_data, {"files": files or []} if files else None)
    if not form.is_valid():
        raise form_error(form)
    cleaned = form.cleaned_data
    appeal = services.appeal_create(
        user=user,
        kind=cleaned["kind"],
        subject=cleaned["subject"],
        body=cleaned["body"],
        rating=cleaned["rating"],
        service_line=line,
        files=cleaned["files"],
    )
    return Status(201, _detail(request, _appeal(request, appeal.pk)))


@router.get("/{int:pk}", response=AppealDetailOut, summary="Обращение с перепиской")
def appeal_detail(request: HttpRequest, pk: int):
    return _detail(request, _appeal(request, pk))


@router.post("/{int:pk}/messages", response={201: AppealDetailOut}, summary="Написать в обращение")
def appeal_message(
    request: HttpRequest,
    pk: int,
    data: Form[MessageIn],
    files: File[list[UploadedFile]] = None,
):
    appeal = _appeal(request, pk)
    form = MessageForm({"body": data.body}, {"files": files or []} if files else None)
    if not form.is_valid():
        raise form_error(form)
    services.appeal_message_add(
        appeal=appeal,
        author=request.auth,
        body=form.cleaned_data["body"],
        files=form.cleaned_data["files"],
    )
    return Status(201, _detail(request, _appeal(request, pk)))


@router.get(
    "/{int:pk}/files/{int:attachment_id}",
    response={200: None},
    url_name="appeal_file",
    summary="Файл обращения",
)
def appeal_file(request: HttpRequest, pk: int, attachment_id: int):
    attachment = appeal_attachment_for_user(request.auth, appeal_id=pk, pk=attachment_id)
    if attachment is None:
        raise Http404
    return attachment_response(attachment)
