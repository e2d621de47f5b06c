"""/copay/: consent, card binding, ledger and "pay now". Thin: forms, one service, a message."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from gateways.payments_base import GatewayError, PaymentStatus, gateway
from policies.models import InsuredPerson
from policies.selectors import insured_persons_for_user

from . import services
from .declines import decline_message
from .forms import (
    CardAttachForm,
    CardBindStartForm,
    CardRemoveForm,
    CopayConsentForm,
    CopayWithdrawForm,
    PayNowForm,
)
from .models import Charge, CopayEnrollment, Receipt, Refund
from .receipts import (
    fiscal_receipt_pdf_bytes,
    receipt_context,
    receipt_for,
    receipt_pdf_bytes,
    refund_receipt_pdf_bytes,
)
from .selectors import (
    card_active,
    charges_for_user,
    copay_access,
    debt_total,
    enrollments_for_user,
    ledgers_for_user,
)

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
        ledger.access = copay_access(insured_person=ledger.person) if enrollment else None
        ledger.processing_until = ledger.access.processing_until if enrollment else None
        ledger.show_hotline = bool(ledger.access and ledger.access.processing(today))
        ledger.withdraw_blocker = (
            services.copay_withdraw_blocker(enrollment=enrollment) if enrollment else ""
        )
        ledger.withdraw_form = forms.get("withdraw", {}).get(ledger.person.pk) or CopayWithdrawForm(
            user=request.user, prefix=f"w{ledger.person.pk}"
        )
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
@never_cache  # the ledger names services under the health-data consent: no copy kept
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
        enrollment = services.copay_consent(user=request.user, insured_person=person)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("payments:copay")
    # The one PIN confirmed both: the card form opens straight away.
    messages.success(request, _("Согласие принято. Осталось привязать банковскую карту."))
    return _card_form(request, enrollment)


def _card_form(request: HttpRequest, enrollment: CopayEnrollment) -> HttpResponse:
    person_id = enrollment.insured_person_id
    if gateway().confirmation == "redirect":
        # The card is entered on the provider's page (ЮKassa), which sends the person back.
        return_url = request.build_absolute_uri(reverse("payments:card_return", args=[person_id]))
        try:
            payment_id, confirmation_url = services.card_setup_redirect(
                enrollment=enrollment, return_url=return_url
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("payments:copay")
        except GatewayError:
            return _provider_down(request)
        request.session[f"card_check_{person_id}"] = payment_id
        return redirect(confirmation_url)
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
def card_bind(request: HttpRequest, person_id: int) -> HttpResponse:
    """PIN-confirmed: open the provider's card form with a fresh SetupIntent."""
    enrollment = _enrollment(request, person_id)
    form = CardBindStartForm(request.POST, user=request.user, prefix=f"b{person_id}")
    if not form.is_valid():
        return _page(request, bind={person_id: form})
    return _card_form(request, enrollment)


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
def card_return(request: HttpRequest, person_id: int) -> HttpResponse:
    """Back from the provider's page: the card check this session started is read from the
    provider (never from the address), its card bound when it saved one."""
    enrollment = _enrollment(request, person_id)
    payment_id = request.session.pop(f"card_check_{person_id}", "")
    if not payment_id:
        return redirect("payments:copay")
    try:
        result = gateway().payment_retrieve(payment_id=payment_id)
        # A card check that saved the card and was then released (ЮKassa's 10 ₽ authorisation,
        # cancelled once the provider's notification bound the card) is no decline.
        if result.status == PaymentStatus.DECLINED and not result.payment_method_id:
            messages.error(
                request,
                _("Карта не привязана: %(reason)s")
                % {"reason": decline_message(result.decline_code)},
            )
            return redirect("payments:copay")
        if result.status == PaymentStatus.REQUIRES_ACTION:
            messages.info(
                request,
                _("Банк ещё не подтвердил карту: она появится здесь, когда он ответит."),
            )
            return redirect("payments:copay")
        card = services.card_attach(enrollment=enrollment, setup_intent_id=payment_id)
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
    card = services.card_remove(enrollment=enrollment)
    when = formats.date_format(timezone.localtime(card.removed_at if card else None), "d.m.Y")
    text = _(
        "Карта отвязана. С %(day)s обращения в клиники по со-оплатной программе приостановлены, "
        "пока не будет привязана новая карта."
    ) % {"day": when}
    if debt_total(insured_person_id=person_id):
        text += " " + _(
            "Задолженность не списывается автоматически: оплатите её на этой странице после "
            "привязки новой карты."
        )
        messages.warning(request, text)
    else:
        messages.success(request, text)
    return redirect("payments:copay")


@login_required
@require_POST
def copay_withdraw_view(request: HttpRequest, person_id: int) -> HttpResponse:
    """Leave the program: the page said what happens to the card and the debt; the PIN confirms."""
    enrollment = _enrollment(request, person_id)
    form = CopayWithdrawForm(request.POST, user=request.user, prefix=f"w{person_id}")
    if not form.is_valid():
        return _page(request, withdraw={person_id: form})
    try:
        services.copay_withdraw(enrollment=enrollment)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _(
                "Вы вышли из со-оплатной программы: согласие отозвано, карта отвязана, обращения "
                "в клиники по программе прекращены."
            ),
        )
    return redirect("payments:copay")


@login_required
@require_POST
def pay_now(request: HttpRequest, person_id: int) -> HttpResponse:
    """First the amount and the card to confirm, then the charge (the confirmed form)."""
    enrollment = _enrollment(request, person_id)
    form = PayNowForm(request.POST)
    debt = debt_total(insured_person_id=person_id)
    if not (form.is_valid() and form.cleaned_data["confirmed"]):
        return render(
            request,
            "payments/pay_confirm.html",
            {
                "enrollment": enrollment,
                "debt": debt,
                "card": card_active(enrollment=enrollment),
                "form": PayNowForm(initial={"confirmed": True}),
            },
        )
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
@never_cache  # as copay_page
def receipt_pdf(request: HttpRequest, charge_id: int) -> HttpResponse:
    charge = get_object_or_404(
        charges_for_user(request.user).prefetch_related("lines__service_line__clinic"),
        pk=charge_id,
    )
    if charge.status != Charge.Status.SUCCEEDED:
        raise Http404
    receipt = receipt_for(Receipt.Source.COPAY, charge.pk)
    content = (
        fiscal_receipt_pdf_bytes(receipt, request.user)
        if receipt
        else receipt_pdf_bytes(charge, user=request.user)
    )
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="receipt-{charge.pk}.pdf"'
    return response


@login_required
@never_cache  # as copay_page
def refund_receipt_pdf(request: HttpRequest, refund_id: int) -> HttpResponse:
    refund = get_object_or_404(
        Refund.objects.filter(
            charge__in=charges_for_user(request.user), status=Refund.Status.SUCCEEDED
        ).select_related(
            "charge__insured_person", "charge__card", "charge_line__service_line__clinic"
        ),
        pk=refund_id,
    )
    receipt = receipt_for(Receipt.Source.REFUND, refund.pk)
    content = (
        fiscal_receipt_pdf_bytes(receipt, request.user)
        if receipt
        else refund_receipt_pdf_bytes(refund, user=request.user)
    )
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="refund-{refund.pk}.pdf"'
    return response


@login_required
def fiscal_receipt_page(request: HttpRequest, receipt_id: int) -> HttpResponse:
    """The person's «Чек»: a 54-ФЗ receipt with its fiscal attributes and QR code, or a
    «Квитанция об оплате» with a provider that registers none."""
    receipt = get_object_or_404(Receipt.objects.filter(user=request.user), pk=receipt_id)
    return render(request, "payments/receipt.html", receipt_context(receipt, request.user))


@login_required
def fiscal_receipt_pdf(request: HttpRequest, receipt_id: int) -> HttpResponse:
    receipt = get_object_or_404(Receipt.objects.filter(user=request.user), pk=receipt_id)
    response = HttpResponse(
        fiscal_receipt_pdf_bytes(receipt, request.user), content_type="application/pdf"
    )
    response["Content-Disposition"] = f'inline; filename="receipt-{receipt.pk}.pdf"'
    return response
