from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from portal.accounts.selectors import health_consent_given

from . import services
from .downloads import policy_pdf_response, program_document_response
from .forms import BoxedPolicyActivateForm, ChildPolicyAddForm, PolicyAddForm
from .identity import normalize_policy_number
from .models import Policy, PolicyDocument
from .program_documents import program_pdf_request
from .selectors import pdf_policies_for_user, policy_by_verify_token
from .verification import verify_facts

# The number found by «Добавить полис», waiting for the person to confirm it.
PENDING_NUMBER_KEY = "policies:add:found"


def _error_status(error: ValidationError) -> int:
    return 429 if getattr(error, "code", None) == "rate_limited" else 200


def _health_consent_asked(request: HttpRequest, target: str) -> HttpResponse:
    """After a DMS policy (the person's or a child's) is linked: its service history holds health
    data, shown only under their own consent (152-FZ art. 9), which is asked for here while it is
    missing; the page leads on to `target` («Не сейчас» too)."""
    if health_consent_given(request.user):
        return redirect(target)
    return redirect(reverse("accounts:health_consent") + "?" + urlencode({"next": target}))


@login_required
def policy_add(request: HttpRequest) -> HttpResponse:
    """«Добавить полис»: the number, the person's data to check, «Отправить»; then the number
    found, to confirm."""
    found_number = None
    status = 200
    if request.method == "POST":
        form = PolicyAddForm(request.POST)
        if form.is_valid():
            number = normalize_policy_number(form.cleaned_data["number"])
            confirmed = "confirm" in request.POST
            try:
                if confirmed and request.session.get(PENDING_NUMBER_KEY) == number:
                    link = services.policy_link_add(user=request.user, number=number)
                    request.session.pop(PENDING_NUMBER_KEY, None)
                    messages.success(
                        request,
                        _("Полис № %(number)s добавлен в личный кабинет.")
                        % {"number": link.insured_person.policy_number},
                    )
                    return _health_consent_asked(
                        request, reverse("policies:list") + "#group-active"
                    )
                person = services.policy_lookup(user=request.user, number=number)
                request.session[PENDING_NUMBER_KEY] = person.policy_number
                found_number = person.policy_number
            except ValidationError as error:
                request.session.pop(PENDING_NUMBER_KEY, None)
                form.add_error(None, error)
                status = _error_status(error)
    else:
        form = PolicyAddForm()
    return render(
        request,
        "policies/policy_add.html",
        {"form": form, "found_number": found_number},
        status=status,
    )


@login_required
def policy_add_child(request: HttpRequest) -> HttpResponse:
    status = 200
    if request.method == "POST":
        form = ChildPolicyAddForm(request.POST)
        if form.is_valid():
            try:
                link = services.child_policy_link_add(user=request.user, **form.cleaned_data)
            except ValidationError as error:
                form.add_error(None, error)
                status = _error_status(error)
            else:
                messages.success(
                    request,
                    _("Полис ребёнка № %(number)s добавлен в личный кабинет.")
                    % {"number": link.insured_person.policy_number},
                )
                return _health_consent_asked(request, reverse("policies:list"))
    else:
        form = ChildPolicyAddForm()
    return render(request, "policies/policy_add_child.html", {"form": form}, status=status)


@login_required
def policy_activate(request: HttpRequest) -> HttpResponse:
    """«Активация полиса»: the number and the code from a boxed policy's card."""
    status = 200
    if request.method == "POST":
        form = BoxedPolicyActivateForm(request.POST)
        if form.is_valid():
            try:
                policy = services.boxed_policy_activate(user=request.user, **form.cleaned_data)
            except ValidationError as error:
                form.add_error(None, error)
                status = _error_status(error)
            else:
                messages.success(
                    request,
                    _("Полис № %(number)s активирован и вступит в силу %(day)s.")
                    % {"number": policy.number, "day": f"{policy.starts_on:%d.%m.%Y}"},
                )
                return redirect(reverse("policies:list") + f"#policy-{policy.pk}")
    else:
        form = BoxedPolicyActivateForm()
    return render(request, "policies/policy_activate.html", {"form": form}, status=status)


@login_required
@never_cache
def policy_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The policy's PDF as a download; while it is being made, a page that waits for it."""
    policy = get_object_or_404(pdf_policies_for_user(request.user), pk=pk)
    document = services.policy_document_request(policy=policy)
    if document.status != PolicyDocument.Status.READY:
        # queued: made inline (eager mode) when the request's transaction ended; a ready row
        # queued nothing, and reading it again was a query of every download
        document.refresh_from_db()
    if document.status == PolicyDocument.Status.READY:
        document.policy = policy
        return policy_pdf_response(document)
    return render(request, "policies/pdf_pending.html", {"policy": policy, "document": document})


@login_required
@never_cache
@require_GET
def policy_pdf_status(request: HttpRequest, pk: int) -> HttpResponse:
    """The htmx poll of the waiting page: still pending, ready (a download link), or failed."""
    policy = get_object_or_404(pdf_policies_for_user(request.user), pk=pk)
    # Queues the PDF again if the worker lost it or the data changed meanwhile (idempotent).
    document = services.policy_document_request(policy=policy)
    document.refresh_from_db()
    return render(
        request, "policies/partials/pdf_status.html", {"policy": policy, "document": document}
    )


@never_cache
@require_GET
def policy_verify(request: HttpRequest, token: str) -> HttpResponse:
    """Public (a clinic's reception desk scans the QR code): valid today or not, and nothing
    personal beyond initials."""
    policy = policy_by_verify_token(token)
    if policy is not None and not policy.has_pdf:
        policy = None  # an unpaid purchase is no policy: its token (if any) answers nothing
    today = timezone.localdate()
    response = render(
        request,
        "policies/verify.html",
        {
            "policy": policy,
            "valid": policy is not None and policy.is_valid_on(today),
            "today": today,
            "facts": verify_facts(policy) if policy is not None else None,
        },
        status=200 if policy is not None else 404,
    )
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    return response


@login_required
@never_cache
@require_GET
def program_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """«Программа страхования (PDF)» of a DMS policy the person sees."""
    policy = get_object_or_404(
        pdf_policies_for_user(request.user).filter(
            product=Policy.Product.DMS, insured_person__isnull=False
        ),
        pk=pk,
    )
    program = policy.insured_person.program
    document = program_pdf_request(program=program)
    return program_document_response(
        request,
        document,
        filename=f"Программа страхования {program.code}.pdf",
        title=_("Программа страхования %(name)s") % {"name": program.name},
    )
