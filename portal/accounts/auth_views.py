"""Pages used before the login completes: the PIN login, the SMS step of signup, the consent."""

from collections.abc import Callable

from allauth.account.internal.flows.email_verification import (
    send_verification_email_to_address,
)
from allauth.account.models import EmailAddress
from allauth.account.stages import LoginStageController
from allauth.account.utils import get_next_redirect_url, perform_login
from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from portal.core.ratelimits import rate_limit_hit

from .devices import device_cookie_delete, device_cookie_read
from .forms import PhoneNumberForm, PinLoginForm, SmsCodeForm
from .models import PhoneVerification, User
from .selectors import remembered_device_for_id
from .services import phone_verification_start
from .services import (
    pin_login as login_by_pin,
)
from .stages import PhoneConfirmStage
from .validators import mask_phone


def sms_send_for(request: HttpRequest, *, user: User, phone: str, purpose: str) -> bool:
    """Send a code from a page: the per-address limit here, the others in the service. Says the
    outcome in a message."""
    return sms_send(
        request, lambda: phone_verification_start(user=user, phone=phone, purpose=purpose)
    )


def sms_send(request: HttpRequest, send: Callable[[], PhoneVerification]) -> bool:
    """Send a code by `send()` from a page, under the per-address limit; says the outcome in a
    message."""
    if not rate_limit_hit("sms_ip", request=request):
        messages.error(request, _("Слишком много SMS с этого адреса. Попробуйте позже"))
        return False
    try:
        verification = send()
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return False
    messages.success(
        request,
        _("Код отправлен на номер %(phone)s") % {"phone": mask_phone(verification.phone)},
    )
    return True


def resend_context(verification: PhoneVerification | None) -> dict:
    if verification is None:
        return {"resend_at": 0}
    resend_at = verification.sent_at.timestamp() + settings.SMS_RESEND_SECONDS
    return {"resend_at": int(resend_at * 1000)}


@never_cache
@require_http_methods(["GET", "POST"])
def phone_confirm(request: HttpRequest) -> HttpResponse:
    """The SMS step of a login (after signup, or while the phone is still unconfirmed)."""
    if request.user.is_authenticated:
        return redirect("home")
    stage = LoginStageController.enter(request, PhoneConfirmStage.key)
    if stage is None:
        messages.info(request, _("Войдите, чтобы подтвердить номер телефона"))
        return redirect("account_login")
    # The login may have no user (a signup that creates no account): the stage keeps its code.
    code_form = SmsCodeForm()
    phone_form = PhoneNumberForm(prefix="new")

    if request.method == "POST":
        action = request.POST.get("action", "confirm")
        if action == "resend":
            phone = stage.phone
            sms_send(request, lambda: stage.code_send(phone))
            return redirect("accounts_auth:phone_confirm")
        if action == "change":
            phone_form = PhoneNumberForm(request.POST, prefix="new")
            if phone_form.is_valid() and sms_send(
                request, lambda: stage.code_send(phone_form.cleaned_data["phone"])
            ):
                return redirect("accounts_auth:phone_confirm")
        else:
            code_form = SmsCodeForm(request.POST)
            if code_form.is_valid():
                try:
                    stage.code_confirm(code_form.cleaned_data["code"])
                except ValidationError as error:
                    code_form.add_error("code", error)
                else:
                    messages.success(request, _("Телефон подтверждён"))
                    return stage.exit()

    pending = stage.pending_verification()
    phone = stage.phone
    return render(
        request,
        "account/phone_confirm.html",
        {
            "code_form": code_form,
            "phone_form": phone_form,
            "phone_masked": mask_phone(phone) if phone else "",
            "code_ttl_minutes": settings.SMS_CODE_TTL_SECONDS // 60,
            **resend_context(pending),
        },
    )


def _to_password_login(request: HttpRequest, message: str) -> HttpResponse:
    messages.info(request, message)
    response = redirect("account_login")
    device_cookie_delete(response)
    return response


@never_cache
@require_http_methods(["GET", "POST"])
def pin_login(request: HttpRequest) -> HttpResponse:
    """«Вход по PIN-коду» on a device remembered after a full login."""
    if request.user.is_authenticated:
        return redirect("home")
    device_id = device_cookie_read(request) or ""
    device = remembered_device_for_id(device_id)
    if device is None:
        return _to_password_login(
            request,
            _(
                "Вход по PIN-коду работает на устройстве, которое вы запомнили при входе "
                "с паролем. Войдите с паролем"
            ),
        )
    form = PinLoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if not rate_limit_hit("pin_login_ip", request=request):
            form.add_error(None, _("Слишком много попыток входа. Попробуйте позже"))
        else:
            try:
                user = login_by_pin(device_id=device_id, pin=form.cleaned_data["pin"])
            except ValidationError as error:
                if error.code in ("device_forgotten", "device_unknown"):
                    return _to_password_login(request, " ".join(error.messages))
                form.add_error("pin", error)
            else:
                response = perform_login(
                    request,
                    user,
                    redirect_url=get_next_redirect_url(request)
                    or reverse(settings.LOGIN_REDIRECT_URL),
                )
                request.session["portal_auth_method"] = "pin"
                return response
    return render(
        request,
        "account/pin_login.html",
        {
            "form": form,
            "who": device.user.short_name,
            "email_masked": _mask_email(device.user.email),
        },
    )


def _mask_email(email: str) -> str:
    name, _at, domain = email.partition("@")
    return f"{name[:1]}***@{domain}" if domain else email


def consent_personal_data(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "accounts/consent_personal_data.html",
        {"version": settings.CONSENT_PERSONAL_DATA_VERSION},
    )


@never_cache
@require_http_methods(["POST"])
def email_confirmation_resend(request: HttpRequest) -> HttpResponse:
    """«Отправить ещё раз» on the «Подтвердите адрес почты» screen. The answer is the same
    whether the address is known, so no one learns who has an account; allauth's own limit on
    confirmation letters holds the letters back."""
    email = (request.POST.get("email") or "").strip()[:254]
    if email:
        try:
            forms.EmailField().clean(email)
        except ValidationError:  # not an address (a NUL byte…): refused before the database
            messages.error(request, _("Адрес почты указан с ошибкой: проверьте его."))
            return render(request, "account/verification_sent.html", {"resend_email": ""})
    address = (
        EmailAddress.objects.filter(email__iexact=email, verified=False).first() if email else None
    )
    if address is not None:
        send_verification_email_to_address(request, address)
    if email:
        messages.info(
            request,
            _(
                "Если адрес %(email)s зарегистрирован и ещё не подтверждён, мы отправили письмо "
                "ещё раз. Проверьте и папку «Спам»."
            )
            % {"email": email},
        )
    else:
        messages.error(request, _("Укажите адрес почты, на который отправить письмо."))
    return render(request, "account/verification_sent.html", {"resend_email": email})
