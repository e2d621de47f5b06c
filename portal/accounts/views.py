"""«Личная информация»: the person's data, security and phone. Its pages that reach other apps
(changing the name against the register, the data download, deletion) are cabinet.views."""

from urllib.parse import urlencode

from allauth.account.internal.flows.login import get_authentication_records
from allauth.mfa.models import Authenticator
from allauth.socialaccount.models import SocialAccount
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from .auth_views import resend_context, sms_send, sms_send_for
from .devices import device_cookie_delete, device_cookie_read
from .forms import IdentifierChangeConfirmForm, PhoneChangeForm, PinChangeForm, SmsCodeForm
from .models import IdentifierChangeRequest, PhoneVerification
from .selectors import (
    account_events_for_user,
    consents_for_user,
    identifier_change_requests_for_user,
    identifier_change_requests_open_for_user,
    pending_phone_verification,
    remembered_device_for_id,
    remembered_devices_for_user,
)
from .services import (
    device_forget as forget_device,
)
from .services import (
    identifier_change_code_send,
    identifier_change_confirm_by_esia,
    identifier_change_confirm_by_sms,
    identifier_change_request_cancel,
    phone_verification_confirm,
    sessions_end_everywhere,
)
from .services import (
    pin_change as change_pin,
)
from .services.identity import esia_linked, esia_login_is_fresh
from .validators import format_phone, mask_phone


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    user = request.user
    current = remembered_device_for_id(device_cookie_read(request) or "")
    return render(
        request,
        "accounts/profile.html",
        {
            "person": user,
            "phone_display": format_phone(user.phone),
            "devices": list(remembered_devices_for_user(user)),
            "current_device_id": current.pk if current and current.user_id == user.pk else None,
            "events": account_events_for_user(user),
            "consents": list(consents_for_user(user)),
            "has_totp": Authenticator.objects.filter(
                user=user, type=Authenticator.Type.TOTP
            ).exists(),
            "esia_linked": SocialAccount.objects.filter(user=user, provider="esia").exists(),
            "idle_minutes": settings.SESSION_IDLE_SECONDS // 60,
            "identifier_requests": identifier_change_requests_open_for_user(user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def phone_change(request: HttpRequest) -> HttpResponse:
    user = request.user
    form = PhoneChangeForm(request.POST or None, user=user)
    if (
        request.method == "POST"
        and form.is_valid()
        and sms_send_for(
            request,
            user=user,
            phone=form.cleaned_data["phone"],
            purpose=PhoneVerification.Purpose.CHANGE,
        )
    ):
        return redirect("accounts:phone_change_confirm")
    return render(
        request,
        "accounts/phone_change.html",
        {"form": form, "phone_display": format_phone(user.phone)},
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def phone_change_confirm(request: HttpRequest) -> HttpResponse:
    user = request.user
    purpose = PhoneVerification.Purpose.CHANGE
    pending = pending_phone_verification(user, purpose=purpose)
    if pending is None:
        return redirect("accounts:phone_change")
    form = SmsCodeForm()
    if request.method == "POST":
        if request.POST.get("action") == "resend":
            # The number was confirmed with the PIN when the first code was asked for.
            sms_send_for(request, user=user, phone=pending.phone, purpose=purpose)
            return redirect("accounts:phone_change_confirm")
        form = SmsCodeForm(request.POST)
        if form.is_valid():
            try:
                phone_verification_confirm(
                    user=user, purpose=purpose, code=form.cleaned_data["code"]
                )
            except ValidationError as error:
                form.add_error("code", error)
            else:
                messages.success(request, _("Номер телефона изменён"))
                return redirect("accounts:profile")
    return render(
        request,
        "accounts/phone_change_confirm.html",
        {
            "form": form,
            "phone_masked": mask_phone(pending.phone),
            "code_ttl_minutes": settings.SMS_CODE_TTL_SECONDS // 60,
            **resend_context(pending),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def pin_change(request: HttpRequest) -> HttpResponse:
    user = request.user
    form = PinChangeForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        change_pin(user=user, pin=form.cleaned_data["pin1"])
        messages.success(request, _("PIN-код изменён"))
        return redirect("accounts:profile")
    return render(request, "accounts/pin_change.html", {"form": form})


@login_required
@require_POST
def sessions_end(request: HttpRequest) -> HttpResponse:
    sessions_end_everywhere(user=request.user)
    # This session stays: it gets the new hash.
    update_session_auth_hash(request, request.user)
    messages.success(
        request,
        _(
            "Все другие сеансы завершены, запомненные устройства забыты. "
            "На этом устройстве вы остались в кабинете"
        ),
    )
    response = redirect("accounts:profile")
    device_cookie_delete(response)
    return response


@login_required
@require_POST
def device_forget(request: HttpRequest, pk: int) -> HttpResponse:
    device = get_object_or_404(remembered_devices_for_user(request.user), pk=pk)
    current = remembered_device_for_id(device_cookie_read(request) or "")
    is_current = current is not None and current.pk == device.pk
    forget_device(device=device)
    messages.success(request, _("Устройство забыто: на нём снова нужен пароль"))
    response = redirect("accounts:profile")
    if is_current:
        device_cookie_delete(response)
    return response


def account_deleted(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/account_deleted.html")


def _identifier_value_display(change_request: IdentifierChangeRequest) -> str:
    if change_request.field == IdentifierChangeRequest.Field.PHONE:
        return format_phone(change_request.new_value)
    return change_request.new_value


def _confirm_error_field(error: ValidationError) -> str | None:
    code = getattr(error, "code", "") or ""
    if code.startswith("pin_"):
        return "pin"
    return "code" if code.startswith("sms_") else None


def _esia_login_url(next_path: str) -> str:
    """allauth's ESIA login (process "login"), coming back to `next_path`; empty when ESIA is
    off."""
    if not settings.ESIA_CLIENT_ID:
        return ""
    try:
        url = reverse("esia_login")
    except NoReverseMatch:
        return ""
    return f"{url}?{urlencode({'process': 'login', 'next': next_path})}"


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def identifier_change(request: HttpRequest, pk: int) -> HttpResponse:
    """A change of e-mail or phone that support wrote at the person's request: confirmed here
    with the PIN and an SMS code, or by a fresh login through Госуслуги."""
    user = request.user
    change_request = get_object_or_404(identifier_change_requests_for_user(user), pk=pk)
    form = IdentifierChangeConfirmForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            identifier_change_confirm_by_sms(
                change_request=change_request,
                pin=form.cleaned_data["pin"],
                code=form.cleaned_data["code"],
            )
        except ValidationError as error:
            form.add_error(_confirm_error_field(error), error)
        else:
            messages.success(
                request,
                _("Готово: данные для входа изменены (%(field)s)")
                % {"field": change_request.get_field_display()},
            )
            return redirect("accounts:profile")
    purpose = PhoneVerification.Purpose.IDENTIFIER
    pending = pending_phone_verification(user, purpose=purpose)
    if pending is not None and pending.sent_at < change_request.created_at:
        pending = None
    can_esia = bool(settings.ESIA_CLIENT_ID) and esia_linked(user)
    return render(
        request,
        "accounts/identifier_change.html",
        {
            "change_request": change_request,
            "is_open": change_request.is_open,
            "new_value_display": _identifier_value_display(change_request),
            "form": form,
            "can_sms": bool(user.phone and user.phone_confirmed_at),
            "code_sent": pending is not None,
            "phone_masked": mask_phone(user.phone) if user.phone else "",
            "code_ttl_minutes": settings.SMS_CODE_TTL_SECONDS // 60,
            "can_esia": can_esia,
            "esia_fresh": can_esia
            and esia_login_is_fresh(
                user=user,
                authentication_records=get_authentication_records(request, user),
                since=change_request.created_at,
            ),
            "esia_login_url": _esia_login_url(request.path) if can_esia else "",
            "esia_minutes": settings.IDENTIFIER_CHANGE_ESIA_MAX_AGE_SECONDS // 60,
            **resend_context(pending),
        },
    )


@login_required
@require_POST
def identifier_change_code(request: HttpRequest, pk: int) -> HttpResponse:
    change_request = get_object_or_404(identifier_change_requests_for_user(request.user), pk=pk)
    sms_send(request, lambda: identifier_change_code_send(change_request=change_request))
    return redirect("accounts:identifier_change", pk=change_request.pk)


@login_required
@require_POST
def identifier_change_esia(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    change_request = get_object_or_404(identifier_change_requests_for_user(user), pk=pk)
    try:
        identifier_change_confirm_by_esia(
            change_request=change_request,
            authentication_records=get_authentication_records(request, user),
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("accounts:identifier_change", pk=change_request.pk)
    messages.success(
        request,
        _("Готово: данные для входа изменены (%(field)s)")
        % {"field": change_request.get_field_display()},
    )
    return redirect("accounts:profile")


@login_required
@require_POST
def identifier_change_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    change_request = get_object_or_404(identifier_change_requests_for_user(request.user), pk=pk)
    try:
        identifier_change_request_cancel(change_request=change_request, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("accounts:identifier_change", pk=change_request.pk)
    messages.success(
        request,
        _(
            "Смена отменена, данные для входа прежние. Если вы не обращались в поддержку, "
            "позвоните нам: %(phone)s"
        )
        % {"phone": settings.HOTLINE_PHONE_DISPLAY},
    )
    return redirect("accounts:profile")
