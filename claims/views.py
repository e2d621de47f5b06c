"""The person's claim pages: declaring (/claims/new/), following (/claims/<id>/), the list."""

import os

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from portal.core.uploads import KINDS, attachment_disposition, stored_file_open

from . import services
from .deadlines import decision_deadline
from .forms import ClaimForm, DocumentUploadForm
from .models import Claim, ClaimDocument
from .presentation import claim_checklist, claim_timeline, event_label, open_request, payout_summary
from .rules import PAYOUT_LABELS, checklist, decision_term_text, rules_for
from .selectors import (
    claim_document_for_user,
    claim_for_user,
    claimable_policies_for_user,
    claims_for_user,
)
from .services.submission import upload_limits_text


def _int_or_none(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


@login_required
def claim_list(request: HttpRequest) -> HttpResponse:
    claims = list(claims_for_user(request.user))
    rows = [{"claim": c, "event": event_label(c), "deadline": decision_deadline(c)} for c in claims]
    return render(request, "claims/claim_list.html", {"rows": rows})


@login_required
def claim_new(request: HttpRequest) -> HttpResponse:
    """Three steps, each a plain page: the policy, the event, then the declaration itself."""
    policies = claimable_policies_for_user(request.user)
    policy_id = _int_or_none(request.GET.get("policy"))
    if policy_id is None:
        return render(request, "claims/claim_new_policy.html", {"policies": list(policies)})
    policy = policies.filter(pk=policy_id).first()
    if policy is None:  # someone else's, a DMS policy, or one not issued: nothing to declare
        raise Http404
    rules = rules_for(policy.product)
    event = rules.event_type(request.GET.get("event", ""))
    if event is None:
        return render(
            request,
            "claims/claim_new_event.html",
            {
                "policy": policy,
                "rules": rules,
                "event_types": rules.event_types,
                "term": decision_term_text(rules.decision_days, rules.day_count),
            },
        )

    form = ClaimForm(request.POST or None, request.FILES or None, policy=policy, event=event)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                claim = services.claim_submit(user=request.user, **form.submission())
            except ValidationError as error:
                form.add_service_errors(error)
            else:
                messages.success(
                    request,
                    _("Заявление принято. Номер убытка: %(number)s") % {"number": claim.number},
                )
                return redirect("claims:detail", pk=claim.pk)
        status = 400
    return render(
        request,
        "claims/claim_form.html",
        {
            "form": form,
            "policy": policy,
            "event": event,
            "rules": rules,
            "files_lost": request.method == "POST" and bool(request.FILES),
            "upload_limits": upload_limits_text(),
            "payout_labels": PAYOUT_LABELS,
        },
        status=status,
    )


def _upload_kinds(claim: Claim, request_items: list) -> list[str]:
    kinds = [item.code for item in request_items]
    for document in checklist(claim.policy.product, claim.event_type):
        if document.code not in kinds:
            kinds.append(document.code)
    return kinds


def _detail_context(claim: Claim, upload_form: DocumentUploadForm | None = None) -> dict:
    events = list(claim.events.all())
    documents = list(claim.documents.all())
    request_open = open_request(claim, events, documents)
    items = request_open.items if request_open else []
    if upload_form is None and claim.is_open:
        first_missing = next((i.code for i in items if not i.provided), None)
        upload_form = DocumentUploadForm(
            kinds=_upload_kinds(claim, items), initial_kind=first_missing
        )
    return {
        "claim": claim,
        "event_label": event_label(claim),
        "timeline": claim_timeline(claim, events),
        "checklist": claim_checklist(claim, documents),
        "request_open": request_open,
        "upload_form": upload_form,
        "upload_limits": upload_limits_text(),
        "payout": payout_summary(claim),
        "documents_count": len(documents),
    }


def _claim_or_404(request: HttpRequest, pk: int) -> Claim:
    claim = claim_for_user(request.user, pk)
    if claim is None:
        raise Http404
    return claim


@login_required
@require_GET
def claim_detail(request: HttpRequest, pk: int) -> HttpResponse:
    claim = _claim_or_404(request, pk)
    return render(request, "claims/claim_detail.html", _detail_context(claim))


@login_required
@require_POST
def claim_document_upload(request: HttpRequest, pk: int) -> HttpResponse:
    claim = _claim_or_404(request, pk)
    events = list(claim.events.all())
    request_open = open_request(claim, events, list(claim.documents.all()))
    kinds = _upload_kinds(claim, request_open.items if request_open else [])
    form = DocumentUploadForm(request.POST, request.FILES, kinds=kinds)
    if form.is_valid():
        try:
            added = services.claim_documents_add(
                claim=claim,
                user=request.user,
                kind=form.cleaned_data["kind"],
                files=form.cleaned_data["files"],
            )
        except ValidationError as error:
            for message in error.messages:
                form.add_error("files", message)
        else:
            messages.success(request, _("Загружено файлов: %(n)s") % {"n": len(added)})
            return redirect(reverse("claims:detail", args=[claim.pk]) + "#documents")
    claim = _claim_or_404(request, pk)  # the documents as they are now
    return render(
        request, "claims/claim_detail.html", _detail_context(claim, upload_form=form), status=400
    )


@login_required
@require_POST
def claim_documents_send(request: HttpRequest, pk: int) -> HttpResponse:
    claim = _claim_or_404(request, pk)
    try:
        services.claim_documents_send(claim=claim, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, _("Документы отправлены. Срок рассмотрения снова идёт с сегодняшнего дня.")
        )
    return redirect("claims:detail", pk=claim.pk)


def document_download_name(document: ClaimDocument) -> str:
    """The person's file name with the extension of what the file is (checked on upload)."""
    stem, _ext = os.path.splitext(document.original_name)
    kind = next((k for k in KINDS.values() if k.content_type == document.content_type), None)
    return f"{stem or 'document'}{kind.extensions[0] if kind else ''}"


def document_response(document: ClaimDocument) -> FileResponse:
    """A private file as a download, never shown inline: the browser is not to render it."""
    response = FileResponse(
        stored_file_open(document.file),
        content_type=document.content_type or "application/octet-stream",
    )
    response["Content-Disposition"] = attachment_disposition(document_download_name(document))
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@never_cache
@require_GET
def claim_document_download(request: HttpRequest, pk: int, document_id: int) -> HttpResponse:
    try:
        document = claim_document_for_user(request.user, claim_id=pk, document_id=document_id)
    except ClaimDocument.DoesNotExist as missing:
        raise Http404 from missing
    return document_response(document)
