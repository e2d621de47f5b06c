"""An ESIA emulator for development and tests: the same endpoints and checks as ESIA's.

Mounted at /esia-emulator/ only with devtools installed and settings.ESIA_EMULATOR on (production
has neither). It checks what ESIA checks (docs/reference/esia.md) with real signatures: the system's
mnemonic and redirect_uri, a UUID state, the timestamp's skew, the hash of the registered
certificate's DER, the signature over the exact string, a single-use short-lived code bound to
the system, redirect_uri and scope; it signs id_tokens and access tokens with its own key in the
configured algorithm (ESIA_EMULATOR_JWS_ALGORITHM: RS256 or GOST3410_2012_256), renews
access tokens for a refresh token, and answers /rs/prns/... only with an access token it issued,
of the right person and scope. A consent starts an emulator session (its own cookie); its logout
page (/idp/ext/Logout) ends it, and with it every token issued in it. Codes, sessions and tokens
live in the Django cache (Redis in CI), so several processes can serve it.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import fnmatch
import hashlib
import secrets
import uuid
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from devtools.esia_emulator.devkeys import ensure_dev_keys
from portal.esia import crypto, jws
from portal.esia.client import TIMESTAMP_FORMAT

from .persons import BY_OID, PERSONS

KNOWN_SCOPES = {
    "openid": "Вход в систему",
    "fullname": "Фамилия, имя и отчество",
    "birthdate": "Дата рождения",
    "gender": "Пол",
    "snils": "СНИЛС",
    "inn": "ИНН",
    "id_doc": "Паспорт гражданина РФ",
    "mobile": "Номер мобильного телефона",
    "email": "Адрес электронной почты",
    "contacts": "Контактные данные",
}
ERRORS_ACCESS = "ESIA-007019: Отсутствует разрешение на доступ"
REQUEST_TTL = 15 * 60
TOKEN_TTL = 3600
SESSION_TTL = 8 * 3600
REFRESH_TTL = 30 * 86400
CACHE_PREFIX = "esia-emulator"
SESSION_COOKIE = "esia_emulator_sid"

ERRORS = {
    "007002": "Несоответствие сертификата и мнемоники информационной системы",
    "007003": "Запрос включает в себя неверное значение параметра",
    "007004": "Владелец ресурса или сервис авторизации отклонил запрос",
    "007006": "Запрошенная область доступа (scope) указана неверно",
    "007011": "Авторизационный код недействителен, просрочен, использован или выдан другой системе",
    "007012": "Тип авторизационного кода не поддерживается сервисом авторизации",
    "007014": "Запрос не содержит обязательного параметра",
    "007015": "Неверное время запроса",
    "007023": "Указанный в запросе redirect_uri отсутствует среди разрешённых для ИС",
    "007053": "client_secret сформирован некорректно или не соответствует сертификату ИС",
}
OAUTH_ERROR = {
    "007002": "unauthorized_client",
    "007004": "access_denied",
    "007006": "invalid_scope",
    "007011": "invalid_grant",
    "007012": "unsupported_grant_type",
    "007053": "invalid_client",
}


class EmulatorError(Exception):
    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code

    @property
    def description(self) -> str:
        return f"ESIA-{self.code}: {ERRORS[self.code]}"

    @property
    def oauth_error(self) -> str:
        return OAUTH_ERROR.get(self.code, "invalid_request")


@dataclass(frozen=True)
class RegisteredSystem:
    client_id: str
    certificate: str

    @property
    def algorithm(self) -> str:
        return crypto.GOST if crypto.is_gost_certificate(self.certificate) else crypto.RSA

    def certificate_hash(self) -> str:
        return _certificate_hash(self.certificate, Path(self.certificate).stat().st_mtime)


def registered_system(client_id: str) -> RegisteredSystem | None:
    registered_id = settings.ESIA_EMULATOR_CLIENT_ID or settings.ESIA_CLIENT_ID
    if not client_id or client_id != registered_id:
        return None
    return RegisteredSystem(
        client_id=registered_id,
        certificate=str(settings.ESIA_EMULATOR_CLIENT_CERT or settings.ESIA_CERT_PATH),
    )


@lru_cache(maxsize=8)
def _certificate_hash(path: str, mtime: float) -> str:
    algorithm = crypto.GOST if crypto.is_gost_certificate(path) else crypto.RSA
    return crypto.certificate_hash(path, algorithm, settings.ESIA_OPENSSL)


def _sign(claims: dict[str, Any]) -> str:
    ensure_dev_keys()
    return jws.encode(
        claims,
        algorithm=settings.ESIA_EMULATOR_JWS_ALGORITHM,
        key_path=settings.ESIA_EMULATOR_KEY_PATH,
        openssl=settings.ESIA_OPENSSL,
        headers={"kid": "esia-emulator"},
    )


def _token_key(token: str) -> str:
    return _key("access", hashlib.sha256(token.encode()).hexdigest())


def _session(request: HttpRequest) -> dict[str, str] | None:
    sid = request.COOKIES.get(SESSION_COOKIE, "")
    found = cache.get(_key("session", sid)) if sid else None
    return {**found, "sid": sid} if found else None


def _session_alive(sid: str) -> bool:
    return cache.get(_key("session", sid)) is not None


def _key(kind: str, value: str) -> str:
    return f"{CACHE_PREFIX}:{kind}:{value}"


# --- checks ----------------------------------------------------------------------------------


def _required(params, names: tuple[str, ...]) -> dict[str, str]:
    values = {}
    for name in names:
        value = params.get(name, "")
        if not value or len(params.getlist(name)) != 1:
            raise EmulatorError("007014")
        values[name] = value
    return values


def _check_state(state: str) -> None:
    try:
        uuid.UUID(state)
    except ValueError as exc:
        raise EmulatorError("007003") from exc
    if str(uuid.UUID(state)) != state.lower():
        raise EmulatorError("007003")


def _check_timestamp(value: str) -> None:
    try:
        moment = datetime.datetime.strptime(value, TIMESTAMP_FORMAT)
    except ValueError as exc:
        raise EmulatorError("007015") from exc
    skew = abs((timezone.now() - moment).total_seconds())
    if skew > settings.ESIA_EMULATOR_SKEW_SECONDS:
        raise EmulatorError("007015")


def _check_scope(scope: str) -> list[str]:
    names = scope.split(" ")
    if (
        "openid" not in names
        or any(n not in KNOWN_SCOPES for n in names)
        or len(set(names)) != len(names)
    ):
        raise EmulatorError("007006")
    return names


def _check_signature(system: RegisteredSystem, certificate_hash: str, secret: str, message: str):
    expected = system.certificate_hash()
    if settings.ESIA_EMULATOR_CERT_HASH_CASE == "upper":
        expected = expected.upper()
    if certificate_hash != expected:
        raise EmulatorError("007053")
    try:
        signature = base64.urlsafe_b64decode(secret + "=" * (-len(secret) % 4))
    except (binascii.Error, ValueError) as exc:
        raise EmulatorError("007053") from exc
    expected_format = settings.ESIA_EMULATOR_SIGNATURE_FORMAT or settings.ESIA_SIGNATURE_FORMAT
    verify = crypto.cms_verify if expected_format == "cms" else crypto.raw_verify
    valid = verify(
        signature,
        message.encode(),
        cert_path=system.certificate,
        algorithm_name=system.algorithm,
        openssl=settings.ESIA_OPENSSL,
    )
    if not valid:
        raise EmulatorError("007053")


def _redirect_allowed(redirect_uri: str, patterns: list[str] | None = None) -> bool:
    parts = urlsplit(redirect_uri)
    if parts.scheme not in ("http", "https") or parts.fragment:
        return False
    patterns = settings.ESIA_EMULATOR_REDIRECT_URIS if patterns is None else patterns
    return any(fnmatch.fnmatchcase(redirect_uri, p) for p in patterns)


def _with_query(url: str, params: dict[str, str]) -> str:
    return f"{url}{'&' if urlsplit(url).query else '?'}{urlencode(params)}"


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


# --- v2/ac: the consent page -----------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
def authorize(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        return _authorize_decision(request)
    params = request.GET
    client_id, redirect_uri = params.get("client_id", ""), params.get("redirect_uri", "")
    system = registered_system(client_id)
    if system is None:
        return _error_page(request, EmulatorError("007002"))
    if not _redirect_allowed(redirect_uri):
        return _error_page(request, EmulatorError("007023"))
    state = params.get("state", "")
    try:
        values = _required(
            params,
            (
                "client_id",
                "client_secret",
                "redirect_uri",
                "scope",
                "response_type",
                "state",
                "timestamp",
                "client_certificate_hash",
            ),
        )
        if values["response_type"] != "code":
            raise EmulatorError("007003")
        if params.get("access_type", "online") not in ("online", "offline"):
            raise EmulatorError("007003")
        _check_state(values["state"])
        _check_timestamp(values["timestamp"])
        scope = _check_scope(values["scope"])
        _check_signature(
            system,
            values["client_certificate_hash"],
            values["client_secret"],
            client_id + values["scope"] + values["timestamp"] + values["state"] + redirect_uri,
        )
    except EmulatorError as error:
        return HttpResponseRedirect(
            _with_query(
                redirect_uri,
                {
                    "error": error.oauth_error,
                    "error_description": error.description,
                    "state": state,
                },
            )
        )
    request_id = secrets.token_urlsafe(24)
    cache.set(
        _key("request", request_id),
        {
            "client_id": client_id,
            "redirect_uri": redirect_uri,
            "scope": values["scope"],
            "state": values["state"],
        },
        REQUEST_TTL,
    )
    session = _session(request)
    response = render(
        request,
        "esia/emulator/authorize.html",
        {
            "request_id": request_id,
            "persons": PERSONS,
            "session_person": BY_OID.get(session["oid"]) if session else None,
            "scopes": [KNOWN_SCOPES[name] for name in scope if name != "openid"],
            "system_name": settings.PORTAL_NAME,
        },
    )
    # The decision is a form post that redirects to the system: allow its origin (CSP).
    response._csp_update = {"form-action": [_origin(redirect_uri)]}  # type: ignore[attr-defined]
    return response


def _authorize_decision(request: HttpRequest) -> HttpResponse:
    pending = cache.get(_key("request", request.POST.get("request", "")))
    if pending is None or not cache.delete(_key("request", request.POST["request"])):
        return _error_page(request, EmulatorError("007003"))
    redirect_uri, state = pending["redirect_uri"], pending["state"]
    person = BY_OID.get(request.POST.get("oid", ""))
    if request.POST.get("decision") != "allow" or person is None:
        error = EmulatorError("007004")
        return HttpResponseRedirect(
            _with_query(
                redirect_uri,
                {"error": "access_denied", "error_description": error.description, "state": state},
            )
        )
    # the person is now logged in to ESIA: a session (one per browser), ended by /idp/ext/Logout
    session = _session(request)
    if session is None or session["oid"] != person.oid:
        session = {"sid": secrets.token_urlsafe(24), "oid": person.oid}
        cache.set(_key("session", session["sid"]), {"oid": person.oid}, SESSION_TTL)
    code = secrets.token_urlsafe(32)
    cache.set(
        _key("code", code),
        {
            "client_id": pending["client_id"],
            "redirect_uri": redirect_uri,
            "scope": pending["scope"],
            "oid": person.oid,
            "sid": session["sid"],
        },
        settings.ESIA_EMULATOR_CODE_TTL,
    )
    response = HttpResponseRedirect(_with_query(redirect_uri, {"code": code, "state": state}))
    response.set_cookie(
        SESSION_COOKIE,
        session["sid"],
        max_age=SESSION_TTL,
        path=_emulator_root(),
        httponly=True,
        samesite="Lax",
    )
    return response


def _emulator_root() -> str:
    """/esia-emulator/: where the emulator is mounted (its cookie stays there)."""
    return reverse("esia_emulator:authorize").removesuffix("aas/oauth2/v2/ac")


def _error_page(request: HttpRequest, error: EmulatorError) -> HttpResponse:
    return render(request, "esia/emulator/error.html", {"error": error}, status=400)


# --- v3/te: the token endpoint ---------------------------------------------------------------


@csrf_exempt
@never_cache
@require_POST
def token(request: HttpRequest) -> JsonResponse:
    params = request.POST
    state = params.get("state", "")
    try:
        if params.get("grant_type") == "refresh_token":
            answer = _refresh(params)
        else:
            answer = _exchange(params)
    except EmulatorError as error:
        return JsonResponse(
            {"error": error.oauth_error, "error_description": error.description, "state": state},
            status=400,
        )
    return JsonResponse(answer)


COMMON_TOKEN_PARAMS = (
    "client_id",
    "grant_type",
    "client_secret",
    "state",
    "redirect_uri",
    "scope",
    "timestamp",
    "token_type",
    "client_certificate_hash",
)


def _token_request(params, extra: str) -> tuple[RegisteredSystem, dict[str, str]]:
    values = _required(params, (*COMMON_TOKEN_PARAMS, extra))
    system = registered_system(values["client_id"])
    if system is None:
        raise EmulatorError("007002")
    if values["token_type"] != "Bearer":  # noqa: S105 - a token type, not a secret
        raise EmulatorError("007003")
    _check_state(values["state"])
    _check_timestamp(values["timestamp"])
    return system, values


def _exchange(params) -> dict[str, Any]:
    if params.get("grant_type") != "authorization_code":
        raise EmulatorError("007012")
    system, values = _token_request(params, "code")
    _check_signature(
        system,
        values["client_certificate_hash"],
        values["client_secret"],
        values["client_id"]
        + values["scope"]
        + values["timestamp"]
        + values["state"]
        + values["redirect_uri"]
        + values["code"],
    )
    issued = cache.get(_key("code", values["code"]))
    # delete() is the single-use guard: of two racing exchanges only one deletes the key
    if issued is None or not cache.delete(_key("code", values["code"])):
        raise EmulatorError("007011")
    bound = (issued["client_id"], issued["redirect_uri"], issued["scope"])
    if bound != (values["client_id"], values["redirect_uri"], values["scope"]):
        raise EmulatorError("007011")
    return _tokens(system.client_id, issued["oid"], issued["scope"], issued["sid"], values["state"])


def _refresh(params) -> dict[str, Any]:
    """grant_type=refresh_token: signed client_id + scope + timestamp + state + refresh_token;
    the refresh token is single-use (a new one comes back) and dies with the ESIA session."""
    system, values = _token_request(params, "refresh_token")
    _check_signature(
        system,
        values["client_certificate_hash"],
        values["client_secret"],
        values["client_id"]
        + values["scope"]
        + values["timestamp"]
        + values["state"]
        + values["refresh_token"],
    )
    key = _key("refresh", hashlib.sha256(values["refresh_token"].encode()).hexdigest())
    issued = cache.get(key)
    if issued is None or not cache.delete(key) or not _session_alive(issued["sid"]):
        raise EmulatorError("007011")
    if (issued["client_id"], issued["scope"]) != (values["client_id"], values["scope"]):
        raise EmulatorError("007011")
    answer = _tokens(
        system.client_id, issued["oid"], issued["scope"], issued["sid"], values["state"]
    )
    del answer["id_token"]
    return answer


def _tokens(client_id: str, oid: str, scope: str, sid: str, state: str) -> dict[str, Any]:
    now = int(timezone.now().timestamp())
    common = {"iss": settings.ESIA_ISSUER, "iat": now, "nbf": now, "exp": now + TOKEN_TTL}
    id_token = {
        **common,
        "aud": client_id,
        "sub": oid,
        "auth_time": now,
        "amr": "PWD",
        "urn:esia:amd": "PWD",
        "urn:esia:sid": sid,
        "urn:esia:sbj": {
            "urn:esia:sbj:typ": "P",
            "urn:esia:sbj:oid": oid,
            "urn:esia:sbj:nam": f"OID.{oid}",
            "urn:esia:sbj:is_tru": BY_OID[oid].trusted,
        },
    }
    access_claims = {
        **common,
        "client_id": client_id,
        "scope": scope,
        "urn:esia:sid": sid,
        "urn:esia:sbj_id": oid,
        "jti": str(uuid.uuid4()),
    }
    access_token = _sign(access_claims)
    cache.set(_token_key(access_token), access_claims, TOKEN_TTL)
    refresh_token = secrets.token_urlsafe(32)
    cache.set(
        _key("refresh", hashlib.sha256(refresh_token.encode()).hexdigest()),
        {"client_id": client_id, "oid": oid, "scope": scope, "sid": sid},
        REFRESH_TTL,
    )
    return {
        "id_token": _sign(id_token),
        "access_token": access_token,
        "refresh_token": refresh_token,
        "state": state,
        "token_type": "Bearer",
        "expires_in": TOKEN_TTL,
    }


# --- /idp/ext/Logout: the end of the ESIA session -------------------------------------------


@never_cache
@require_GET
def logout(request: HttpRequest) -> HttpResponse:
    """Ends the person's ESIA session (tokens issued in it stop working) and sends them back to
    `redirect_url`, which must be one of the system's (ESIA_EMULATOR_LOGOUT_URLS)."""
    if registered_system(request.GET.get("client_id", "")) is None:
        return _error_page(request, EmulatorError("007002"))
    redirect_url = request.GET.get("redirect_url", "")
    if not _redirect_allowed(redirect_url, settings.ESIA_EMULATOR_LOGOUT_URLS):
        return _error_page(request, EmulatorError("007023"))
    session = _session(request)
    if session is not None:
        cache.delete(_key("session", session["sid"]))
    response = HttpResponseRedirect(redirect_url)
    response.delete_cookie(SESSION_COOKIE, path=_emulator_root())
    return response
