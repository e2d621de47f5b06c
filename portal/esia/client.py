"""ESIA (Госуслуги) over HTTP: one function per remote call, plus the signed authorization URL.

The current flow (docs/reference/esia.md): the person is sent to /aas/oauth2/v2/ac, comes back
with a code, which /aas/oauth2/v3/te exchanges for tokens; the person's data is then read from
/rs/prns/{oid} with the access token, which the refresh token renews (v3/te again); the portal's
logout sends the person through /idp/ext/Logout, which ends their ESIA session. Every request to
ESIA carries `client_secret`, a signature (portal.esia.signer) over the exact concatenation ESIA
checks, and the hash of our certificate. The base URL, issuer and ESIA's certificates (one per
accepted id_token algorithm, portal.esia.jws) come from settings; in development and tests they
point at the emulator (devtools.esia_emulator), which checks the same things ESIA does.
"""

from __future__ import annotations

import logging
import re
import uuid
from typing import Any
from urllib.parse import urlencode

import jwt
import requests
from allauth.socialaccount.providers.oauth2.client import OAuth2Error
from django.conf import settings
from django.utils import timezone

from . import jws
from .signer import Signer, get_signer

logger = logging.getLogger(__name__)

TIMESTAMP_FORMAT = "%Y.%m.%d %H:%M:%S %z"
AUTHORIZE_PATH = "/aas/oauth2/v2/ac"
TOKEN_PATH = "/aas/oauth2/v3/te"  # noqa: S105 - a URL path, not a secret
LOGOUT_PATH = "/idp/ext/Logout"
OID_RE = re.compile(r"^\d{1,20}$")
ID_TOKEN_LEEWAY_SECONDS = 60


class EsiaError(OAuth2Error):
    """ESIA refused, answered something unexpected, or could not be reached. An OAuth2Error, so
    allauth shows its authentication error page instead of a server error."""


def base_url() -> str:
    return settings.ESIA_BASE_URL.rstrip("/")


def timestamp() -> str:
    """The request time as ESIA wants it, e.g. `2026.11.24 09:05:39 +0000`."""
    return timezone.now().strftime(TIMESTAMP_FORMAT)


def new_state() -> str:
    return str(uuid.uuid4())


def authorization_url(
    *, client_id: str, scope: str, redirect_uri: str, state: str, signer: Signer | None = None
) -> str:
    """The signed link to ESIA's consent page (v2/ac). The signed string is
    client_id + scope + timestamp + state + redirect_uri, and `scope` goes out exactly as signed."""
    signer = signer or get_signer()
    moment = timestamp()
    params = {
        "client_id": client_id,
        "client_secret": signer.client_secret(client_id + scope + moment + state + redirect_uri),
        "scope": scope,
        "response_type": "code",
        "state": state,
        "timestamp": moment,
        "access_type": settings.ESIA_ACCESS_TYPE,
        "redirect_uri": redirect_uri,
        "client_certificate_hash": signer.certificate_hash(),
    }
    return f"{base_url()}{AUTHORIZE_PATH}?{urlencode(params)}"


def token_exchange(
    *, client_id: str, code: str, scope: str, redirect_uri: str, signer: Signer | None = None
) -> dict[str, Any]:
    """POST v3/te: the code for an access token and an id_token (and a refresh token). The
    request has a new state UUID, which ESIA echoes: an answer with another state is refused."""
    signer = signer or get_signer()
    moment = timestamp()
    state = new_state()
    data = {
        "client_id": client_id,
        "code": code,
        "grant_type": "authorization_code",
        "client_secret": signer.client_secret(
            client_id + scope + moment + state + redirect_uri + code
        ),
        "state": state,
        "redirect_uri": redirect_uri,
        "scope": scope,
        "timestamp": moment,
        "token_type": "Bearer",
        "client_certificate_hash": signer.certificate_hash(),
    }
    return _token_answer(data, ("access_token", "id_token"), "v3/te")


def token_refresh(
    *,
    client_id: str,
    refresh_token: str,
    scope: str,
    redirect_uri: str,
    signer: Signer | None = None,
) -> dict[str, Any]:
    """POST v3/te with grant_type=refresh_token: a fresh access token for the same person and
    scope, without the person. The signed string is client_id + scope + timestamp + state +
    refresh_token (docs/reference/esia.md); the new state is echoed as for the code."""
    signer = signer or get_signer()
    moment = timestamp()
    state = new_state()
    data = {
        "client_id": client_id,
        "refresh_token": refresh_token,
        "grant_type": "refresh_token",
        "client_secret": signer.client_secret(client_id + scope + moment + state + refresh_token),
        "state": state,
        "redirect_uri": redirect_uri,
        "scope": scope,
        "timestamp": moment,
        "token_type": "Bearer",
        "client_certificate_hash": signer.certificate_hash(),
    }
    return _token_answer(data, ("access_token",), "v3/te refresh")


def logout_url(*, client_id: str, redirect_url: str) -> str:
    """ESIA's logout page: it ends the person's ESIA session and sends them to `redirect_url`
    (a URL registered for the system)."""
    query = urlencode({"client_id": client_id, "redirect_url": redirect_url})
    return f"{base_url()}{LOGOUT_PATH}?{query}"


def id_token_claims(id_token: str, *, client_id: str) -> dict[str, Any]:
    """The verified claims of ESIA's id_token: signed with one of the algorithms of
    ESIA_ID_TOKEN_KEYS by ESIA's certificate for that algorithm (portal.esia.jws), issuer
    ESIA_ISSUER, audience our client_id, not expired. The person's oid is `sub`; when the token
    also names the subject otherwise, it must agree."""
    try:
        claims = jws.decode(
            id_token,
            keys=settings.ESIA_ID_TOKEN_KEYS,
            openssl=settings.ESIA_OPENSSL,
            audience=client_id,
            issuer=settings.ESIA_ISSUER,
            leeway=ID_TOKEN_LEEWAY_SECONDS,
            options={"require": ["iss", "aud", "sub", "exp", "iat"]},
        )
    except (jwt.PyJWTError, jws.TokenError) as exc:
        logger.warning("ESIA id_token refused: %s %s", exc.__class__.__name__, exc)
        raise EsiaError(f"id_token ЕСИА не прошёл проверку: {exc.__class__.__name__}") from exc
    oid = str(claims["sub"])
    subject = claims.get("urn:esia:sbj")
    other_ids = [claims.get("urn:esia:sbj_id")]
    if isinstance(subject, dict):
        other_ids.append(subject.get("urn:esia:sbj:oid"))
    if any(other is not None and str(other) != oid for other in other_ids):
        raise EsiaError("id_token ЕСИА называет разных субъектов")
    if not OID_RE.match(oid):
        raise EsiaError("id_token ЕСИА: неожиданный идентификатор субъекта")
    return claims


def person(*, oid: str, access_token: str) -> dict[str, Any]:
    """GET /rs/prns/{oid}: name, birth date, trust status (as the scope allows)."""
    return _json(_get(f"/rs/prns/{_oid(oid)}", access_token), "prns")


def person_documents(*, oid: str, access_token: str) -> list[dict[str, Any]]:
    """GET /rs/prns/{oid}/docs with the documents embedded (the RF passport is RF_PASSPORT)."""
    answer = _json(_get(f"/rs/prns/{_oid(oid)}/docs?embed=(elements)", access_token), "docs")
    return _elements(answer)


def person_contacts(*, oid: str, access_token: str) -> list[dict[str, Any]]:
    """GET /rs/prns/{oid}/ctts with the contacts embedded (MBT: mobile, EML: e-mail)."""
    answer = _json(_get(f"/rs/prns/{_oid(oid)}/ctts?embed=(elements)", access_token), "ctts")
    return _elements(answer)


# --- plumbing --------------------------------------------------------------------------------


def _oid(oid: str) -> str:
    if not OID_RE.match(str(oid)):
        raise EsiaError("Неверный идентификатор пользователя ЕСИА")
    return str(oid)


def _get(path: str, access_token: str) -> requests.Response:
    return _request(
        "GET",
        f"{base_url()}{path}",
        headers={"Authorization": f"Bearer {access_token}", "Accept": "application/json"},
    )


def _request(method: str, url: str, **kwargs: Any) -> requests.Response:
    try:
        return requests.request(method, url, timeout=settings.ESIA_TIMEOUT, **kwargs)
    except requests.RequestException as exc:
        logger.warning("ESIA unreachable: %s %s", method, exc.__class__.__name__)
        raise EsiaError("ЕСИА не отвечает") from exc


def _json(response: requests.Response, what: str) -> dict[str, Any]:
    try:
        answer = response.json()
    except ValueError:
        answer = None
    if response.status_code != 200 or not isinstance(answer, dict):
        description = ""
        if isinstance(answer, dict):
            description = str(answer.get("error_description") or answer.get("error") or "")
        # ESIA's descriptions are codes and fixed texts ("ESIA-007011: ..."), not personal data
        logger.warning("ESIA %s refused: HTTP %s %s", what, response.status_code, description)
        raise EsiaError(
            f"ЕСИА отказала ({what}, HTTP {response.status_code}) {description}".strip()
        )
    return answer


def _token_answer(data: dict[str, str], needed: tuple[str, ...], what: str) -> dict[str, Any]:
    answer = _json(_request("POST", f"{base_url()}{TOKEN_PATH}", data=data), what)
    if answer.get("state") != data["state"]:
        raise EsiaError("ЕСИА вернула маркер с чужим state")
    for key in needed:
        if not isinstance(answer.get(key), str) or not answer[key]:
            raise EsiaError(f"В ответе ЕСИА нет {key}")
    if str(answer.get("token_type", "Bearer")).lower() != "bearer":
        raise EsiaError("ЕСИА выдала маркер неизвестного типа")
    return answer


def _elements(answer: dict[str, Any]) -> list[dict[str, Any]]:
    elements = answer.get("elements", [])
    if not isinstance(elements, list):
        raise EsiaError("ЕСИА вернула коллекцию в неожиданном виде")
    return [e for e in elements if isinstance(e, dict)]
