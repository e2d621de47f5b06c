"""/copay/: consent, card binding, ledger and "pay now". Thin: forms, one service, a message."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gateways.payments_base import GatewayError
from policies.models import InsuredPerson
from policies.selectors import insured_persons_for_user

from . import services
from .forms import CardAttachForm, CardBindStartForm, CardRemoveForm, CopayConsentForm
from .models import Charge, CopayEnrollment, Refund
from .receipts import receipt_pdf_bytes, refund_receipt_pdf_bytes
from .selectors import charges_for_user, debt_total, enrollments_for_user, ledgers_for_user

PROVIDER_UNAVAILABLE = _(
    "Платёжная система сейчас недоступна. Попробуйте позже или позвоните на горячую линию %(phone)s"
)


def _person(request: HttpRequest, person_id: int) -> InsuredPerson:
    return get_object_or_404(insured_persons_for_user(request.user), pk=person_id)


def _enrollment(request: HttpRequest, person_id: int) -> CopayEnrollment:
    return get_object_or_404(enrollments_for_user(request.user), insured_person_id=person_id)


def _provider_down(request: HttpRequest) -> HttpResponse:
    messages.error(request, PROVIDER_UNAVAILABLE % {"phone": settings.HOTLINE_PHONE_DISPLAY})
    return redirect("payments:copay")


def _page(request: HttpRequest, **forms) -> HttpResponse:
    ledgers = ledgers_for_user(request.user)
    today = timezone.localdate()
    for ledger in ledgers:
        enrollment = ledger.enrollment
        ledger.processing_until = (
            services.clinic_processing_until(enrollment) if enrollment else None
        )
        ledger.show_hotline = bool(ledger.processing_until and today <= ledger.processing_until)
        ledger.consent_form = forms.get("consent", {}).get(ledger.person.pk) or CopayConsentForm(
            user=request.user, prefix=f"c{ledger.person.pk}"
        )
        ledger.bind_form = forms.get("bind", {}).get(ledger.person.pk) or CardBindStartForm(
            user=request.user, prefix=f"b{ledger.person.pk}"
        )
        ledger.remove_form = forms.get("remove", {}).get(ledger.person.pk) or CardRemoveForm(
            user=request.user, prefix=f"r{ledger.person.pk}"
        )
    return render(
        request,
        "payments/copay.html",
        {
            "ledgers": ledgers,
            "now": timezone.now(),
            "hotline": settings.HOTLINE_PHONE_DISPLAY,
            "hotline_href": "tel:" + settings.HOTLINE_PHONE,
            "terms_version": settings.COPAY_TERMS_VERSION,
        },
    )


@login_required
def copay_page(request: HttpRequest) -> HttpResponse:
    return _page(request)


@login_required
def copay_terms(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "payments/terms.html",
        {"version": settings.COPAY_TERMS_VERSION, "retry_days": settings.COPAY_RETRY_DAYS},
    )


@login_required
@require_POST
def copay_consent_view(request: HttpRequest, person_id: int) -> HttpResponse:
    person = _person(request, person_id)
    form = CopayConsentForm(request.POST, user=request.user, prefix=f"c{person.pk}")
    if not form.is_valid():
        return _page(request, consent={person.pk: form})
    try:
        services.copay_consent(user=request.user, insured_person=person)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Согласие принято. Осталось привязать банковскую карту."))
    return redirect("payments:copay")


@login_required
@require_POST
def card_bind(request: HttpRequest, person_id: int) -> HttpResponse:
    """PIN-confirmed: open the provider's card form with a fresh SetupIntent."""
    enrollment = _enrollment(request, person_id)
    form = CardBindStartForm(request.POST, user=request.user, prefix=f"b{person_id}")
    if not form.is_valid():
        return _page(request, bind={person_id: form})
    try:
        client_secret = services.card_setup_start(enrollment=enrollment)
    except GatewayError:
        return _provider_down(request)
    return render(
        request,
        "payments/card.html",
        {
            "enrollment": enrollment,
            "client_secret": client_secret,
            "publishable_key": settings.STRIPE_PUBLISHABLE_KEY,
            "stripe_js_url": settings.STRIPE_JS_URL,
            "attach_form": CardAttachForm(),
        },
    )


@login_required
@require_POST
def card_attach_view(request: HttpRequest, person_id: int) -> HttpResponse:
    enrollment = _enrollment(request, person_id)
    form = CardAttachForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Карта не привязана: попробуйте ещё раз"))
        return redirect("payments:copay")
    try:
        card = services.card_attach(
            enrollment=enrollment, setup_intent_id=form.cleaned_data["setup_intent"]
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    except GatewayError:
        return _provider_down(request)
    else:
        messages.success(
            request,
            _("Карта %(card)s привязана. Программа начнёт действовать в течение 24 часов.")
            % {"card": str(card)},
        )
    return redirect("payments:copay")


@login_required
@require_POST
def card_remove_view(request: HttpRequest, person_id: int) -> HttpResponse:
    enrollment = _enrollment(request, person_id)
    form = CardRemoveForm(request.POST, user=request.user, prefix=f"r{person_id}")
    if not form.is_valid():
        return _page(request, remove={person_id: form})
    services.card_remove(enrollment=enrollment)
    debt = debt_total(insured_person_id=person_id)
    if debt:
        messages.warning(
            request,
            _(
                "Карта отвязана. Задолженность не списывается автоматически: оплатите её на этой "
                "странице после привязки новой карты. Пока карта не привязана, обращения в "
                "клиники по программе приостановлены."
            ),
        )
    else:
        messages.success(request, _("Карта отвязана."))
    return redirect("payments:copay")


@login_required
@require_POST
def pay_now(request: HttpRequest, person_id: int) -> HttpResponse:
    enrollment = _enrollment(request, person_id)
    try:
        charge = services.charge_pay_now(enrollment=enrollment)
    except GatewayError:
        return _provider_down(request)
    return _charge_outcome(request, charge)


def _charge_outcome(request: HttpRequest, charge: Charge | None) -> HttpResponse:
    if charge is None:
        messages.info(request, _("Задолженности нет."))
    elif charge.status == Charge.Status.SUCCEEDED:
        messages.success(request, _("Задолженность оплачена. Чек — в разделе «Мои документы»."))
    elif charge.status == Charge.Status.REQUIRES_ACTION:
        return render(
            request,
            "payments/confirm.html",
            {
                "charge": charge,
                "client_secret": charge.client_secret,
                "publishable_key": settings.STRIPE_PUBLISHABLE_KEY,
                "stripe_js_url": settings.STRIPE_JS_URL,
            },
        )
    elif charge.status == Charge.Status.FAILED:
        messages.error(
            request, _("Банк отклонил оплату. Привяжите другую карту и повторите оплату.")
        )
    else:
        messages.info(request, _("Оплата обрабатывается: результат появится на этой странице."))
    return redirect("payments:copay")


@login_required
@require_POST
def charge_confirmed(request: HttpRequest, charge_id: int) -> HttpResponse:
    """The page confirmed a payment with the provider's script: ask the provider, not the page."""
    charge = get_object_or_404(charges_for_user(request.user), pk=charge_id)
    try:
        charge = services.charge_refresh(charge_id=charge.pk)
    except GatewayError:
        return _provider_down(request)
    if charge.status == Charge.Status.REQUIRES_ACTION:
        messages.error(request, _("Оплата не подтверждена. Попробуйте ещё раз."))
        return redirect("payments:copay")
    return _charge_outcome(request, charge)


@login_required
def receipt_pdf(request: HttpRequest, charge_id: int) -> HttpResponse:
    charge = get_object_or_404(
        charges_for_user(request.user).prefetch_related("lines__service_line__clinic"),
        pk=charge_id,
    )
    if charge.status != Charge.Status.SUCCEEDED:
        raise Http404
    response = HttpResponse(receipt_pdf_bytes(charge), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="receipt-{charge.pk}.pdf"'
    return response


@login_required
def refund_receipt_pdf(request: HttpRequest, refund_id: int) -> HttpResponse:
    refund = get_object_or_404(
        Refund.objects.filter(
            charge__in=charges_for_user(request.user), status=Refund.Status.SUCCEEDED
        ).select_related(
            "charge__insured_person", "charge__card", "charge_line__service_line__clinic"
        ),
        pk=refund_id,
    )
    response = HttpResponse(refund_receipt_pdf_bytes(refund), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="refund-{refund.pk}.pdf"'
    return response
