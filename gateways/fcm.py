"""Firebase Cloud Messaging (HTTP v1 API) to the store apps' registration tokens.

A message is POSTed to {FCM_API_URL}/v1/projects/{project}/messages:send as `{"message": …}` with
an OAuth 2.0 bearer of the service account (FCM_SERVICE_ACCOUNT_JSON, or the file
FCM_SERVICE_ACCOUNT_FILE, as the Firebase console downloads it): a JWT signed RS256 with the
account's private key (iss its client_email, the firebase.messaging scope, aud the token URL, an
hour at most) is exchanged at FCM_TOKEN_URL (grant_type jwt-bearer) for an access token, which is
reused in this process until a minute before it expires. The project is FCM_PROJECT_ID, or the
account's own. Without an account FCM is off.

FCM's answer decides: 200 sent; 404 NOT_FOUND with errorCode UNREGISTERED, the app is gone from
that device (the token is returned as GONE, the caller removes it); 401 (the bearer expired
early, it is dropped), 429 and 5xx, and an unreachable or slow service are for later (FcmError,
retried); any other refusal is permanent (FcmRefused: retrying would not help)."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jwt
import requests
from django.conf import settings

SCOPE = "https://www.googleapis.com/auth/firebase.messaging"
JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"
ASSERTION_SECONDS = 3600  # the most Google accepts
EXPIRY_MARGIN_SECONDS = 60
FCM_ERROR_TYPE = "type.googleapis.com/google.firebase.fcm.v1.FcmError"
UNREGISTERED = "UNREGISTERED"
SENT = 200
GONE = (404,)  # returned only with errorCode UNREGISTERED


class FcmError(Exception):
    """FCM or Google's token service could not be reached, was too slow, or refused for now."""


class FcmRefused(Exception):
    """A refusal that retrying will not change (a bad message or token, a wrong project or
    service account): logged, not retried."""

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class ServiceAccount:
    project_id: str
    client_email: str
    private_key: str
    private_key_id: str


def is_configured() -> bool:
    return bool(settings.FCM_SERVICE_ACCOUNT_JSON or settings.FCM_SERVICE_ACCOUNT_FILE)


def service_account() -> ServiceAccount:
    text = settings.FCM_SERVICE_ACCOUNT_JSON
    try:
        if not text:
            text = Path(settings.FCM_SERVICE_ACCOUNT_FILE).read_text(encoding="utf-8")
        data = json.loads(text)
        return ServiceAccount(
            project_id=str(data.get("project_id") or ""),
            client_email=str(data["client_email"]),
            private_key=str(data["private_key"]),
            private_key_id=str(data.get("private_key_id") or ""),
        )
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise FcmRefused(f"FCM service account unreadable: {type(error).__name__}") from error


# (client_email, token URL) → (access token, when it expires by time.time())
_tokens: dict[tuple[str, str], tuple[str, float]] = {}
_tokens_lock = threading.Lock()


def access_token_forget() -> None:
    with _tokens_lock:
        _tokens.clear()


def access_token(account: ServiceAccount) -> str:
    """The service account's OAuth 2.0 access token for FCM (the cached one while it lasts)."""
    key = (account.client_email, settings.FCM_TOKEN_URL)
    with _tokens_lock:
        cached = _tokens.get(key)
    if cached and cached[1] > time.time() + EXPIRY_MARGIN_SECONDS:
        return cached[0]
    now = int(time.time())
    assertion = jwt.encode(
        {
            "iss": account.client_email,
            "scope": SCOPE,
            "aud": settings.FCM_TOKEN_URL,
            "iat": now,
            "exp": now + ASSERTION_SECONDS,
        },
        account.private_key,
        algorithm="RS256",
        headers={"kid": account.private_key_id} if account.private_key_id else None,
    )
    response = _post(
        settings.FCM_TOKEN_URL, data={"grant_type": JWT_BEARER, "assertion": assertion}
    )
    answer = _json(response)
    token = answer.get("access_token")
    if response.status_code != 200 or not isinstance(token, str) or not token:
        what = f"OAuth token refused: HTTP {response.status_code} {answer.get('error', '')}"
        if response.status_code == 429 or response.status_code >= 500:
            raise FcmError(what)
        raise FcmRefused(what.strip(), status=response.status_code)
    try:
        lifetime = float(answer.get("expires_in", ASSERTION_SECONDS))
    except (TypeError, ValueError):
        lifetime = ASSERTION_SECONDS
    with _tokens_lock:
        _tokens[key] = (token, time.time() + lifetime)
    return token


def message_body(token: str, message: dict, *, ttl: int) -> dict[str, Any]:
    """The v1 `message` of a portal push ({"title", "body", "url", "kind"}): the notification
    the phone shows, the rest as data (FCM takes strings only), and how long it may wait."""
    data = {k: str(v) for k, v in message.items() if k not in ("title", "body") and v is not None}
    return {
        "token": token,
        "notification": {"title": str(message["title"]), "body": str(message["body"])},
        "data": data,
        "android": {"ttl": f"{int(ttl)}s"},
        "apns": {"headers": {"apns-expiration": str(int(time.time()) + int(ttl))}},
    }


def message_send(token: str, message: dict, *, ttl: int = 24 * 3600) -> int:
    """Send one message to one registration token; returns 200 (sent) or 404 (unregistered:
    gone). Raises FcmError (try later) or FcmRefused."""
    account = service_account()
    project = settings.FCM_PROJECT_ID or account.project_id
    if not project:
        raise FcmRefused("FCM project unknown: set FCM_PROJECT_ID")
    bearer = access_token(account)
    response = _post(
        f"{settings.FCM_API_URL.rstrip('/')}/v1/projects/{project}/messages:send",
        json={"message": message_body(token, message, ttl=ttl)},
        headers={"Authorization": f"Bearer {bearer}"},
    )
    if response.status_code == 200:
        return SENT
    status, code = _error(response)
    if response.status_code in GONE and code == UNREGISTERED:
        return response.status_code
    what = f"FCM refused: HTTP {response.status_code} {status} {code}".strip()
    if response.status_code == 401:
        access_token_forget()  # revoked or expired early: a new one next time
        raise FcmError(what)
    if response.status_code == 429 or response.status_code >= 500:
        raise FcmError(what)
    raise FcmRefused(what, status=response.status_code)


# --- plumbing --------------------------------------------------------------------------------


def _post(url: str, **kwargs: Any) -> requests.Response:
    try:
        return requests.post(url, timeout=settings.FCM_TIMEOUT, **kwargs)
    except requests.RequestException as error:  # refused, reset, timed out
        raise FcmError(f"{type(error).__name__}: {url}") from error


def _json(response: requests.Response) -> dict[str, Any]:
    try:
        answer = response.json()
    except ValueError:
        return {}
    return answer if isinstance(answer, dict) else {}


def _error(response: requests.Response) -> tuple[str, str]:
    """FCM's error status (NOT_FOUND, INVALID_ARGUMENT …) and its FcmError errorCode."""
    error = _json(response).get("error")
    if not isinstance(error, dict):
        return "", ""
    code = ""
    for detail in error.get("details") or []:
        if isinstance(detail, dict) and detail.get("@type") == FCM_ERROR_TYPE:
            code = str(detail.get("errorCode") or "")
    return str(error.get("status") or ""), code
