"""Убытки: the list, one claim with its timeline and checklist, a new claim with its documents
(multipart: the page's form and its field names), more documents, each document."""

import datetime
from decimal import Decimal

from django.http import Http404, HttpRequest
from django.urls import reverse
from ninja import Router, Schema, Status

from claims import services
from claims.deadlines import decision_deadline
from claims.forms import ClaimForm, DocumentUploadForm
from claims.models import ClaimDocument
from claims.presentation import claim_checklist, claim_timeline, event_label, open_request
from claims.rules import rules_for
from claims.selectors import (
    claim_document_for_user,
    claim_for_user,
    claimable_policies_for_user,
    claims_for_user,
)
from claims.views import _upload_kinds, document_response

from .errors import ApiError, form_error
from .pagination import PageOut, page_of

router = Router(tags=["Убытки"])


class ClaimOut(Schema):
    id: int
    number: str
    policy_id: int
    policy_number: str
    event_type: str
    event: str
    event_at: datetime.datetime
    status: str
    status_display: str
    decision_due_on: datetime.date | None = None


class StepOut(Schema):
    status: str
    title: str
    state: str
    at: datetime.datetime | None = None
    due_on: datetime.date | None = None
    lines: list[str] = []
    requested: list[str] = []
    amount: Decimal | None = None


class DocumentOut(Schema):
    id: int
    kind: str
    name: str
    size: int
    url: str


class ChecklistOut(Schema):
    code: str
    label: str
    optional: bool
    documents: list[DocumentOut]


class ClaimDetailOut(ClaimOut):
    place: str
    description: str
    timeline: list[StepOut]
    checklist: list[ChecklistOut]


class ClaimPage(PageOut):
    results: list[ClaimOut]


def claim_out(claim) -> dict:
    deadline = decision_deadline(claim)
    return {
        "id": claim.pk,
        "number": claim.number,
        "policy_id": claim.policy_id,
        "policy_number": claim.policy.number,
        "event_type": claim.event_type,
        "event": event_label(claim),
        "event_at": claim.event_at,
        "status": claim.status,
        "status_display": claim.get_status_display(),
        "decision_due_on": getattr(deadline, "due_on", None),
    }


def _document_out(request: HttpRequest, claim, document) -> dict:
    return {
        "id": document.pk,
        "kind": document.kind,
        "name": document.original_name,
        "size": document.size,
        "url": request.build_absolute_uri(
            reverse("api:claim_document", args=[claim.pk, document.pk])
        ),
    }


def _detail(request: HttpRequest, claim) -> dict:
    events = list(claim.events.all())
    documents = list(claim.documents.all())
    data = claim_out(claim)
    data["place"] = claim.place
    data["description"] = claim.description
    data["timeline"] = [step.__dict__ for step in claim_timeline(claim, events).steps]
    data["checklist"] = [
        {
            "code": item.code,
            "label": item.label,
            "optional": item.optional,
            "documents": [_document_out(request, claim, d) for d in item.documents],
        }
        for item in claim_checklist(claim, documents)
    ]
    return data


def _claim(request: HttpRequest, pk: int):
    claim = claim_for_user(request.auth, pk)
    if claim is None:
        raise Http404
    return claim


@router.get("/", response=ClaimPage, summary="Мои убытки")
def claim_list(request: HttpRequest, cursor: str | None = None, limit: int | None = None):
    page = page_of(request, claims_for_user(request.auth), cursor=cursor, limit=limit)
    return {"results": [claim_out(c) for c in page["results"]], "next": page["next"]}


@router.get("/{int:pk}", response=ClaimDetailOut, summary="Убыток: ход рассмотрения, документы")
def claim_detail(request: HttpRequest, pk: int):
    return _detail(request, _claim(request, pk))


@router.post(
    "/",
    response={201: ClaimDetailOut},
    summary="Заявить убыток (multipart: поля формы /claims/new/, файлы doc_<вид>)",
    openapi_extra={
        "requestBody": {
            "content": {
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "required": ["policy", "event"],
                        "properties": {
                            "policy": {"type": "integer", "title": "Полис"},
                            "event": {"type": "string", "title": "Событие"},
                            "event_date": {"type": "string", "format": "date"},
                            "event_time": {"type": "string"},
                            "place": {"type": "string"},
                            "description": {"type": "string"},
                            "payout_method": {"type": "string"},
                            "bik": {"type": "string"},
                            "account": {"type": "string"},
                        },
                        "additionalProperties": True,
                    }
                }
            }
        }
    },
)
def claim_create(request: HttpRequest):
    post = request.POST
    policy_id = post.get("policy", "")
    policy = (
        claimable_policies_for_user(request.auth).filter(pk=int(policy_id)).first()
        if policy_id.isdigit()
        else None
    )
    if policy is None:
        raise ApiError("Выберите свой полис", errors={"policy": ["Полис не найден среди ваших"]})
    event = rules_for(policy.product).event_type(post.get("event", ""))
    if event is None:
        raise ApiError("Выберите событие", errors={"event": ["Такого события нет у полиса"]})
    form = ClaimForm(post, request.FILES, policy=policy, event=event)
    if not form.is_valid():
        raise form_error(form)
    claim = services.claim_submit(user=request.auth, **form.submission())
    return Status(201, _detail(request, _claim(request, claim.pk)))


@router.post(
    "/{int:pk}/documents",
    response={201: ClaimDetailOut},
    summary="Догрузить документы (multipart: kind, files)",
)
def claim_documents(request: HttpRequest, pk: int):
    claim = _claim(request, pk)
    request_open = open_request(claim, list(claim.events.all()), list(claim.documents.all()))
    kinds = _upload_kinds(claim, request_open.items if request_open else [])
    form = DocumentUploadForm(request.POST, request.FILES, kinds=kinds)
    if not form.is_valid():
        raise form_error(form)
    services.claim_documents_add(
        claim=claim,
        user=request.auth,
        kind=form.cleaned_data["kind"],
        files=form.cleaned_data["files"],
    )
    return Status(201, _detail(request, _claim(request, pk)))


@router.get(
    "/{int:pk}/documents/{int:document_id}",
    response={200: None},
    url_name="claim_document",
    summary="Документ убытка",
)
def claim_document(request: HttpRequest, pk: int, document_id: int):
    try:
        document = claim_document_for_user(request.auth, claim_id=pk, document_id=document_id)
    except ClaimDocument.DoesNotExist:
        raise Http404 from None
    return document_response(document)
