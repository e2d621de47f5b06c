"""ESIA login for the store apps: the web flow's adapter, client and provider (views.py,
provider.py), run in the app's headless session instead of the browser's.

The app asks for the signed link (`app_login_start`), opens it in the phone's browser, and ESIA
sends the person back to ESIA_APP_REDIRECT_URI (an App Link / Universal Link the apps claim;
by default the portal's /accounts/esia/app/, whose page asks to go back to the app) with a code
and the state. The app hands both to the API, which exchanges the code (`app_login_complete`)
in the session the state was stashed in: another session's state, an old or a reused one is
refused. What the person then is — logged in, or a new person with a pending signup — is
allauth's social login, as on the web."""

from __future__ import annotations

from allauth.socialaccount.adapter import get_adapter
from allauth.socialaccount.internal import statekit
from allauth.socialaccount.models import SocialLogin
from allauth.socialaccount.providers.base.constants import AuthProcess
from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse

from . import client as esia
from .provider import EsiaProvider
from .views import EsiaOAuth2Adapter

CANCELLED = "access_denied"


class EsiaLoginRefused(esia.EsiaError):
    """The person cancelled at ESIA, or the state is not one this session is waiting for."""


def app_redirect_uri(request: HttpRequest) -> str:
    return settings.ESIA_APP_REDIRECT_URI or request.build_absolute_uri(reverse("esia_app_return"))


class EsiaAppOAuth2Adapter(EsiaOAuth2Adapter):
    """The web adapter with the apps' redirect_uri (the code is bound to it at ESIA)."""

    def get_callback_url(self, request: HttpRequest, app) -> str:
        return app_redirect_uri(request)


def _provider(request: HttpRequest) -> EsiaProvider:
    return get_adapter(request).get_provider(request, EsiaProvider.id)


def app_login_start(request: HttpRequest) -> tuple[str, str]:
    """Stash a new state in the request's (the app's) session; returns ESIA's signed
    authorization URL and the state."""
    provider = _provider(request)
    adapter = EsiaAppOAuth2Adapter(request)
    client = adapter.get_client(request, provider.app)
    client.state = provider.stash_redirect_state(request, AuthProcess.LOGIN)
    url = client.get_redirect_url(adapter.authorize_url, provider.get_scope(), {})
    return url, client.state


def app_login_complete(
    request: HttpRequest, *, state: str, code: str = "", error: str = ""
) -> SocialLogin:
    """ESIA's answer as the app received it: the state must be one this session stashed (it is
    used up either way); the code is exchanged and the person read as the web callback does.
    Raises EsiaLoginRefused or EsiaError."""
    provider = _provider(request)
    stashed = statekit.unstash_state(request, provider_id=provider.sub_id, state_id=state)
    if stashed is None:
        raise EsiaLoginRefused("state не ожидается этой сессией")
    if error or not code:
        raise EsiaLoginRefused(CANCELLED if error == CANCELLED else f"ЕСИА: {error or 'нет code'}")
    app = provider.app
    adapter = EsiaAppOAuth2Adapter(request)
    client = adapter.get_client(request, app)
    answer = client.get_access_token(code)
    token = adapter.parse_token(answer)
    login = adapter.complete_login(request, app, token, response=answer)
    login.token = token
    login.state = stashed
    return login
