"""«Согласия» (/profile/consents/): every consent the person gave, with its text, and the
separate consent to process health data — given (PIN) and withdrawn (PIN) here."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from .forms import HealthConsentForm, HealthConsentWithdrawForm
from .models import Consent
from .selectors import consents_for_user, health_consent_for_user
from .services import consent_text, health_consent_give, health_consent_withdraw


def _next_url(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def _consent_rows(user) -> list[dict]:
    return [
        {
            "consent": consent,
            "text": consent_text(document=consent.document, version=consent.version, user=user),
        }
        for consent in consents_for_user(user)
    ]


def _consents_page(request: HttpRequest, *, withdraw_form=None, status: int = 200):
    user = request.user
    return render(
        request,
        "accounts/consents.html",
        {
            "rows": _consent_rows(user),
            "health_consent": health_consent_for_user(user),
            "withdraw_form": withdraw_form or HealthConsentWithdrawForm(user=user),
        },
        status=status,
    )


@never_cache
@login_required
def consents(request: HttpRequest) -> HttpResponse:
    return _consents_page(request)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def health_consent(request: HttpRequest) -> HttpResponse:
    """The health-data consent's text and the form to give it (checkbox and PIN)."""
    user = request.user
    next_url = _next_url(request, default=settings.LOGIN_REDIRECT_URL)
    status = 200
    form = HealthConsentForm(request.POST or None, user=user)
    if request.method == "POST":
        if form.is_valid():
            health_consent_give(user=user)
            messages.success(
                request, _("Согласие дано: диагнозы и наименования услуг теперь видны")
            )
            return redirect(next_url)
        status = 400
    version = settings.CONSENT_HEALTH_DATA_VERSION
    return render(
        request,
        "accounts/health_consent.html",
        {
            "form": form,
            "next": next_url,
            "version": version,
            "text": consent_text(document=Consent.Document.HEALTH_DATA, version=version, user=user),
            "given": health_consent_for_user(user),
        },
        status=status,
    )


@login_required
@require_POST
def health_consent_withdraw_view(request: HttpRequest) -> HttpResponse:
    """Withdraw the health-data consent (PIN): diagnoses are hidden again from the next page."""
    user = request.user
    form = HealthConsentWithdrawForm(request.POST, user=user)
    if form.is_valid():
        consent_id = form.cleaned_data.get("consent")
        current = health_consent_for_user(user)
        if consent_id is not None and (current is None or current.pk != consent_id):
            form.add_error(
                None,
                ValidationError(
                    _("Это согласие не найдено среди ваших действующих согласий"),
                    code="consent_unknown",
                ),
            )
        else:
            try:
                health_consent_withdraw(user=user)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(
                    request,
                    _("Согласие отозвано: диагнозы и наименования услуг больше не показываются"),
                )
                return redirect("accounts:consents")
    return _consents_page(request, withdraw_form=form, status=400)
