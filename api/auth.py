"""The portal's own login steps, which allauth's headless mode does not know, for the store apps:
the SMS code of a login whose phone is not confirmed yet (portal.accounts.stages), and the PIN
login on a device remembered after a full login. Each runs in the headless session named by the
X-Session-Token header and answers as /_allauth/app/v1/auth/login does: the same body, and the
session token to use from now on in `meta.session_token`.

E-mail and password, signup, password reset and logout are allauth's own
(/_allauth/app/v1/auth/…)."""

from collections.abc import Iterator
from contextlib import contextmanager

from allauth.account.stages import LoginStageController
from allauth.account.utils import perform_login
from allauth.headless.base.response import AuthenticationResponse
from allauth.headless.constants import Client
from allauth.headless.internal import authkit
from allauth.headless.internal.decorators import mark_request_as_headless
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status

from portal.accounts.forms import PhoneNumberForm, SmsCodeForm
from portal.accounts.services import device_remember
from portal.accounts.services import pin_login as login_by_pin
from portal.accounts.stages import PhoneConfirmStage
from portal.accounts.validators import mask_phone
from portal.core.ratelimits import rate_limit_hit

from .errors import ApiError, form_error, validation_error
from .security import session_token

router = Router(tags=["Вход"])


@contextmanager
def app_session(request: HttpRequest) -> Iterator[None]:
    """The request as allauth's app views see it: the session of the X-Session-Token header."""
    mark_request_as_headless(request, Client.APP)
    with authkit.authentication_context(request):
        yield


class CodeIn(Schema):
    code: str


class PhoneIn(Schema):
    phone: str


class PinIn(Schema):
    device_id: str
    pin: str


class DeviceIn(Schema):
    label: str = ""


class DeviceOut(Schema):
    device_id: str
    label: str


class SentOut(Schema):
    detail: str
    phone: str


def _phone_stage(request: HttpRequest) -> PhoneConfirmStage:
    stage = LoginStageController.enter(request, PhoneConfirmStage.key)
    if stage is None:
        raise ApiError(
            _("Нет входа, ждущего SMS-код: войдите через /_allauth/app/v1/auth/login"),
            status=409,
        )
    return stage


@router.post("/phone/confirm", auth=None, summary="SMS-код входа (шаг portal_confirm_phone)")
def phone_confirm(request: HttpRequest, data: CodeIn):
    with app_session(request):
        stage = _phone_stage(request)
        form = SmsCodeForm({"code": data.code})
        if not form.is_valid():
            raise form_error(form)
        try:
            stage.code_confirm(form.cleaned_data["code"])
        except ValidationError as error:
            raise validation_error(error) from None
        stage.exit()
        return AuthenticationResponse(request)


def _send(request: HttpRequest, stage: PhoneConfirmStage, phone: str) -> dict:
    if not rate_limit_hit("sms_ip", request=request):
        raise ApiError(_("Слишком много SMS с этого адреса. Попробуйте позже"), status=429)
    try:
        verification = stage.code_send(phone)
    except ValidationError as error:
        raise validation_error(error) from None
    masked = mask_phone(verification.phone)
    return {"detail": _("Код отправлен на номер %(phone)s") % {"phone": masked}, "phone": masked}


@router.post(
    "/phone/resend", auth=None, response=SentOut, summary="Отправить SMS-код входа ещё раз"
)
def phone_resend(request: HttpRequest):
    with app_session(request):
        stage = _phone_stage(request)
        return _send(request, stage, stage.phone)


@router.post(
    "/phone/change", auth=None, response=SentOut, summary="Другой номер для SMS-кода входа"
)
def phone_change(request: HttpRequest, data: PhoneIn):
    with app_session(request):
        stage = _phone_stage(request)
        form = PhoneNumberForm({"phone": data.phone})
        if not form.is_valid():
            raise form_error(form)
        return _send(request, stage, form.cleaned_data["phone"])


@router.post("/pin", auth=None, summary="Вход по PIN-коду на запомненном устройстве")
def pin(request: HttpRequest, data: PinIn):
    if not rate_limit_hit("pin_login_ip", request=request):
        raise ApiError(_("Слишком много попыток входа. Попробуйте позже"), status=429)
    with app_session(request):
        try:
            user = login_by_pin(device_id=data.device_id, pin=data.pin)
        except ValidationError as error:
            raise validation_error(error) from None
        perform_login(request, user)
        request.session["portal_auth_method"] = "pin"
        return AuthenticationResponse(request)


@router.post(
    "/pin/device",
    auth=session_token,
    response={201: DeviceOut},
    summary="Запомнить это устройство для входа по PIN-коду",
)
def pin_device(request: HttpRequest, data: DeviceIn):
    try:
        device, device_id = device_remember(
            user=request.auth, label=data.label or _("Мобильное приложение")
        )
    except ValidationError as error:
        raise validation_error(error) from None
    return Status(201, {"device_id": device_id, "label": device.label})
