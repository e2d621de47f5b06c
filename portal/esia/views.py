"""allauth's OAuth 2.0 views, bent to ESIA's protocol (the remote calls live in client.py).

allauth's OAuth2Client would join the scope from a set (so in any order) and send a plain
client_secret; ESIA needs the scope exactly as signed, a signed client_secret with a timestamp,
our certificate's hash, and at the token step a new state that the answer echoes.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from allauth.account.views import LogoutView
from allauth.socialaccount.providers.oauth2.client import OAuth2Client
from allauth.socialaccount.providers.oauth2.views import (
    OAuth2Adapter,
    OAuth2CallbackView,
    OAuth2LoginView,
)
from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from . import client as esia
from .crypto import CryptoError

logger = logging.getLogger(__name__)

# Set in the session by an ESIA login (or connect): the person then has an ESIA session too,
# which the portal's logout ends (ESIA's /idp/ext/Logout, back to the portal).
ESIA_SESSION_KEY = "esia_session"


class EsiaOAuth2Client(OAuth2Client):
    scope: str = ""

    def get_redirect_url(self, authorization_url, scope, extra_params) -> str:
        with _signing():
            return esia.authorization_url(
                client_id=self.consumer_key,
                scope=self.scope,
                redirect_uri=self.callback_url,
                state=self.state,
            )

    def get_access_token(self, code, pkce_code_verifier=None, extra_data=None) -> dict[str, Any]:
        with _signing():
            return esia.token_exchange(
                client_id=self.consumer_key,
                code=code,
                scope=self.scope,
                redirect_uri=self.callback_url,
            )


@contextmanager
def _signing() -> Iterator[None]:
    """A signer that cannot sign (no key, openssl failing) is our fault, logged as an error; the
    person sees allauth's login error page, which an OAuth2Error leads to."""
    try:
        yield
    except CryptoError as exc:
        logger.error("ESIA request not signed: %s", exc)
        raise esia.EsiaError("Не удалось подписать запрос к ЕСИА") from exc


class EsiaOAuth2Adapter(OAuth2Adapter):
    provider_id = "esia"
    client_class = EsiaOAuth2Client
    login_cancelled_error = "access_denied"

    @property
    def authorize_url(self) -> str:
        return esia.base_url() + esia.AUTHORIZE_PATH

    @property
    def access_token_url(self) -> str:  # type: ignore[override]
        return esia.base_url() + esia.TOKEN_PATH

    def get_client(self, request: HttpRequest, app) -> EsiaOAuth2Client:
        client = super().get_client(request, app)
        client.scope = self.get_provider().scope_string()
        return client

    def complete_login(self, request: HttpRequest, app, token, **kwargs):
        response = kwargs["response"]
        claims = esia.id_token_claims(response["id_token"], client_id=app.client_id)
        oid = str(claims["sub"])
        scope = set(self.get_provider().scope_string().split())
        data: dict[str, Any] = {
            "oid": oid,
            "person": esia.person(oid=oid, access_token=token.token),
            "documents": [],
            "contacts": [],
        }
        if "id_doc" in scope:
            data["documents"] = esia.person_documents(oid=oid, access_token=token.token)
        if scope & {"mobile", "email"}:
            data["contacts"] = esia.person_contacts(oid=oid, access_token=token.token)
        request.session[ESIA_SESSION_KEY] = True
        return self.get_provider().sociallogin_from_response(request, data)


_login = OAuth2LoginView.adapter_view(EsiaOAuth2Adapter)
_callback = OAuth2CallbackView.adapter_view(EsiaOAuth2Adapter)


def _configured() -> None:
    # ESIA login is off (404) unless the system's mnemonic is configured.
    if not settings.ESIA_CLIENT_ID:
        raise Http404


@login_not_required
def oauth2_login(request: HttpRequest, *args, **kwargs) -> HttpResponse:
    _configured()
    return _login(request, *args, **kwargs)


@login_not_required
def oauth2_callback(request: HttpRequest, *args, **kwargs) -> HttpResponse:
    _configured()
    return _callback(request, *args, **kwargs)


@login_not_required
def app_return(request: HttpRequest) -> HttpResponse:
    """ESIA's return address for the store apps (portal.esia.app), which the app opens as its
    own link; shown only when the phone opened it in the browser instead. The code in the query
    is the app's to exchange: this page does nothing with it."""
    _configured()
    response = render(request, "socialaccount/esia_app_return.html")
    response["Referrer-Policy"] = "no-referrer"  # the code in the address goes nowhere else
    return response


class EsiaLogoutView(LogoutView):
    """allauth's logout, which for a person who came through ESIA in this session goes on
    through ESIA's logout page (ending the ESIA session too) and back to the portal's page."""

    def get_redirect_url(self) -> str:
        url = super().get_redirect_url()
        if settings.ESIA_CLIENT_ID and self.request.session.get(ESIA_SESSION_KEY):
            return esia.logout_url(
                client_id=settings.ESIA_CLIENT_ID,
                redirect_url=self.request.build_absolute_uri(url),
            )
        return url


logout = EsiaLogoutView.as_view()
