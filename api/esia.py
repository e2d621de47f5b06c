"""ESIA (Госуслуги) login for the store apps, in the headless session of the X-Session-Token
header (portal.esia.app runs the web flow's adapter and client there):

1. POST start — ESIA's signed authorization URL, its state, and the session token to send from
   now on; the app opens the URL in the phone's browser;
2. ESIA sends the person back to `redirect_uri` with `code` and `state` (or `error`); the app
   POSTs them to callback — a person known to the portal is logged in (200, as
   /_allauth/app/v1/auth/login answers, the new token in `meta.session_token`); a new person gets
   401 with the pending flow `provider_signup`;
3. GET signup shows what ESIA gave; POST signup takes the e-mail and the PIN — the web signup
   step's form (portal.esia.forms.EsiaSignupForm) and allauth's social signup — and ends as 2.

allauth's own /_allauth/app/v1/auth/provider/signup would take the pending signup with its plain
form (no PIN, no passport check): the portal answers that address with `provider_signup_moved`."""

from allauth.core.exceptions import SignupClosedException
from allauth.headless import app_settings as headless_settings
from allauth.headless.base.response import AuthenticationResponse
from allauth.headless.constants import Flow
from allauth.socialaccount.adapter import get_adapter
from allauth.socialaccount.internal import flows
from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from ninja import Router, Schema

from portal.core.ratelimits import rate_limit_hit
from portal.esia import client as esia
from portal.esia.app import CANCELLED, EsiaLoginRefused, app_login_complete, app_login_start
from portal.esia.forms import EsiaSignupForm

from .auth import app_session
from .errors import ApiError, form_error, validation_error

router = Router(tags=["Вход"])


class StartOut(Schema):
    authorization_url: str
    state: str
    session_token: str


class CallbackIn(Schema):
    state: str
    code: str = ""
    error: str = ""  # ESIA's `error`, e.g. access_denied when the person declined


class PendingOut(Schema):
    last_name: str
    first_name: str
    middle_name: str
    birth_date: str | None
    phone: str
    email: str  # the address from ESIA, to offer (the person may give another)
    passport_taken: bool
    consent_version: str


class SignupIn(Schema):
    email: str
    pin1: str
    pin2: str


class EsiaAuthenticationResponse(AuthenticationResponse):
    """allauth's answer, whose flows for apps name a pending social signup only of providers with
    a token login (ESIA has none): the pending ESIA signup is named here."""

    def _get_flows(self, request: HttpRequest, user) -> list:
        found = super()._get_flows(request, user)
        pending = flows.signup.get_pending_signup(request)
        if pending is not None and not any(f["id"] == Flow.PROVIDER_SIGNUP for f in found):
            provider = pending.provider
            found.append(
                {
                    "id": Flow.PROVIDER_SIGNUP,
                    "provider": {"id": provider.id, "name": provider.name},
                    "is_pending": True,
                }
            )
        return found


def _configured() -> None:
    if not settings.ESIA_CLIENT_ID:
        raise ApiError(_("Вход через Госуслуги не подключён"), status=404)


def _not_confirmed() -> ApiError:
    return ApiError(
        _("Госуслуги не подтвердили вход. Начните вход через Госуслуги заново"), status=400
    )


@router.post(
    "/start", auth=None, response=StartOut, summary="Начать вход через Госуслуги: ссылка на ЕСИА"
)
def start(request: HttpRequest):
    _configured()
    if not rate_limit_hit("esia_app_ip", request=request):
        raise ApiError(_("Слишком много попыток входа. Попробуйте позже"), status=429)
    with app_session(request):
        try:
            url, state = app_login_start(request)
        except esia.EsiaError:
            raise ApiError(
                _("Вход через Госуслуги сейчас недоступен. Войдите по электронной почте"),
                status=503,
            ) from None
        token = headless_settings.TOKEN_STRATEGY.create_session_token(request)
    return {"authorization_url": url, "state": state, "session_token": token}


@router.post(
    "/callback",
    auth=None,
    summary="Код и state из ответа ЕСИА: вход или анкета нового человека",
)
def callback(request: HttpRequest, data: CallbackIn):
    _configured()
    with app_session(request):
        try:
            sociallogin = app_login_complete(
                request, state=data.state, code=data.code, error=data.error
            )
        except EsiaLoginRefused as refused:
            if str(refused) == CANCELLED:
                raise ApiError(_("Вход через Госуслуги отменён"), status=400) from None
            raise _not_confirmed() from None
        except esia.EsiaError:
            raise _not_confirmed() from None
        try:
            flows.login.complete_login(request, sociallogin, raises=True)
        except SignupClosedException:
            raise ApiError(_("Регистрация закрыта"), status=403) from None
        except ValidationError as error:
            raise validation_error(error) from None
        return EsiaAuthenticationResponse(request)


def _pending(request: HttpRequest):
    sociallogin = flows.signup.get_pending_signup(request)
    if sociallogin is None or sociallogin.provider.id != "esia":
        raise ApiError(
            _("Нет входа через Госуслуги, ждущего анкеты: начните вход заново"), status=409
        )
    if not get_adapter(request).is_open_for_signup(request, sociallogin):
        raise ApiError(_("Регистрация закрыта"), status=403)
    return sociallogin


@router.get(
    "/signup", auth=None, response=PendingOut, summary="Что Госуслуги сообщили о новом человеке"
)
def signup_show(request: HttpRequest):
    _configured()
    with app_session(request):
        form = EsiaSignupForm(sociallogin=_pending(request))
        person = form.person
        return {
            "last_name": person.last_name,
            "first_name": person.first_name,
            "middle_name": person.middle_name,
            "birth_date": person.birth_date.isoformat() if person.birth_date else None,
            "phone": form.phone_display,
            "email": form.initial.get("email") or "",
            "passport_taken": form.passport_taken,
            "consent_version": form.consent_version,
        }


@router.post(
    "/signup",
    auth=None,
    summary="Анкета нового человека после Госуслуг: e-mail и PIN-код",
)
def signup(request: HttpRequest, data: SignupIn):
    _configured()
    with app_session(request):
        sociallogin = _pending(request)
        form = EsiaSignupForm(data.dict(), sociallogin=sociallogin)
        if not form.is_valid():
            raise form_error(form)
        flows.signup.signup_by_form(request, sociallogin, form)
        return EsiaAuthenticationResponse(request)


@csrf_exempt  # as allauth's app views: no cookies, nothing changed
def provider_signup_moved(request: HttpRequest) -> JsonResponse:
    """allauth's /_allauth/app/v1/auth/provider/signup: the portal's step is /api/v1/auth/esia/."""
    return JsonResponse(
        {"detail": _("Анкета после входа через Госуслуги: /api/v1/auth/esia/signup")},
        status=404,
        json_dumps_params={"ensure_ascii": False},
    )
