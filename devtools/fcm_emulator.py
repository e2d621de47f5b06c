"""An emulator of Firebase Cloud Messaging's HTTP v1 API and of Google's OAuth 2.0 token service,
for development and tests only (portal/urls.py mounts it when FCM_EMULATOR is on; production
refuses it). It checks what Google checks of gateways.fcm:

- POST token: `grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer` and an `assertion` JWT
  signed RS256 by the registered service account's key (FCM_EMULATOR_SERVICE_ACCOUNT, or the
  portal's own), `kid` its private_key_id, `iss` its client_email, `aud` this token URL, the
  firebase.messaging scope, an hour at most; answers an access token as Google does (400
  invalid_grant otherwise);
- POST v1/projects/{project}/messages:send: that bearer (401 UNAUTHENTICATED otherwise) for the
  account's project (403), a body `{"message": …}` with one `token`, a notification of strings,
  data of strings only, android.ttl as a duration ("86400s") — else 400 INVALID_ARGUMENT;
- the device tokens are made here: `device_new()` gives one as the Firebase SDK gives a phone;
  `device_unregister(token)` makes FCM answer 404 NOT_FOUND / UNREGISTERED from then on, as for an
  uninstalled app; `device_slow(token, seconds)` holds the answer that long; another token is
  400 INVALID_ARGUMENT, as FCM answers a token that is not one of its.

`service_account_new(token_url, project_id)` makes a service account JSON key as the Firebase
console gives one (its own RSA key). What arrived is in `RECEIVED[token]` (the `message`
objects), in this process.
"""

from __future__ import annotations

import json
import re
import secrets
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

SCOPE = "https://www.googleapis.com/auth/firebase.messaging"
JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"
MAX_ASSERTION_SECONDS = 3600
SKEW_SECONDS = 300
ACCESS_TOKEN_SECONDS = 3599
FCM_ERROR_TYPE = "type.googleapis.com/google.firebase.fcm.v1.FcmError"
DURATION_RE = re.compile(r"^\d+(\.\d{1,9})?s$")
MESSAGE_FIELDS = {
    "name",
    "data",
    "notification",
    "android",
    "webpush",
    "apns",
    "fcm_options",
    "token",
    "topic",
    "condition",
}


@dataclass
class _Device:
    unregistered: bool = False
    delay: float = 0.0
    received: list[dict] = field(default_factory=list)


DEVICES: dict[str, _Device] = {}
RECEIVED: dict[str, list[dict]] = {}
ISSUED: dict[str, tuple[str, float]] = {}  # access token → (project, expires at)


def device_new() -> str:
    token = f"{secrets.token_urlsafe(16)}:APA91b{secrets.token_urlsafe(96)}"
    DEVICES[token] = _Device()
    RECEIVED[token] = DEVICES[token].received
    return token


def device_unregister(token: str) -> None:
    DEVICES[token].unregistered = True


def device_slow(token: str, seconds: float) -> None:
    DEVICES[token].delay = seconds


def service_account_new(token_url: str, project_id: str = "portal-test") -> dict[str, str]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    return {
        "type": "service_account",
        "project_id": project_id,
        "private_key_id": secrets.token_hex(20),
        "private_key": pem,
        "client_email": f"portal-push@{project_id}.iam.gserviceaccount.com",
        "client_id": str(secrets.randbelow(10**20)),
        "token_uri": token_url,
    }


def _registered_account() -> dict[str, Any]:
    text = (
        settings.FCM_EMULATOR_SERVICE_ACCOUNT
        or settings.FCM_SERVICE_ACCOUNT_JSON
        or settings.FCM_SERVICE_ACCOUNT_FILE
    )
    if text and not text.lstrip().startswith("{"):
        text = Path(text).read_text(encoding="utf-8")
    return json.loads(text) if text else {}


# --- Google's OAuth 2.0 token service --------------------------------------------------------


def _grant_error(description: str, error: str = "invalid_grant") -> JsonResponse:
    return JsonResponse({"error": error, "error_description": description}, status=400)


def _assertion_error(request: HttpRequest, assertion: str) -> str | None:
    account = _registered_account()
    if not account:
        return "No service account is registered with the emulator"
    try:
        header = jwt.get_unverified_header(assertion)
        public_key = serialization.load_pem_private_key(
            account["private_key"].encode(), password=None
        ).public_key()
        claims = jwt.decode(
            assertion,
            key=public_key,
            algorithms=["RS256"],
            audience=request.build_absolute_uri(),
            issuer=account["client_email"],
            leeway=SKEW_SECONDS,
            options={"require": ["iss", "aud", "iat", "exp", "scope"]},
        )
    except (ValueError, KeyError, jwt.PyJWTError) as error:
        return f"Invalid JWT: {type(error).__name__}: {error}"
    if header.get("kid") != account.get("private_key_id"):
        return "Invalid JWT Signature: unknown kid"
    if not 0 < claims["exp"] - claims["iat"] <= MAX_ASSERTION_SECONDS:
        return "Invalid JWT: exp must be within an hour of iat"
    if SCOPE not in str(claims["scope"]).split():
        return "Invalid JWT: the firebase.messaging scope is missing"
    return None


@csrf_exempt
@require_POST
def token(request: HttpRequest) -> JsonResponse:
    if request.POST.get("grant_type") != JWT_BEARER:
        return _grant_error("Invalid grant_type", "unsupported_grant_type")
    error = _assertion_error(request, request.POST.get("assertion", ""))
    if error:
        return _grant_error(error)
    access = f"ya29.emulator-{secrets.token_urlsafe(32)}"
    ISSUED[access] = (
        str(_registered_account().get("project_id", "")),
        time.time() + ACCESS_TOKEN_SECONDS,
    )
    return JsonResponse(
        {"access_token": access, "expires_in": ACCESS_TOKEN_SECONDS, "token_type": "Bearer"}
    )


# --- FCM HTTP v1 -----------------------------------------------------------------------------


def _fcm_error(status: int, name: str, message: str, error_code: str = "") -> JsonResponse:
    error: dict[str, Any] = {"code": status, "message": message, "status": name}
    if error_code:
        error["details"] = [{"@type": FCM_ERROR_TYPE, "errorCode": error_code}]
    return JsonResponse({"error": error}, status=status)


def _strings(value: Any) -> bool:
    return isinstance(value, dict) and all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    )


def _message_error(message: Any) -> str | None:
    if not isinstance(message, dict):
        return "Invalid JSON payload received. 'message' must be an object"
    unknown = set(message) - MESSAGE_FIELDS
    if unknown:
        return f"Invalid JSON payload received. Unknown name {sorted(unknown)[0]!r} at 'message'"
    targets = [name for name in ("token", "topic", "condition") if message.get(name)]
    if targets != ["token"]:
        return "Exactly one of token, topic or condition; the portal sends to a token"
    notification = message.get("notification", {})
    if not _strings(notification) or set(notification) - {"title", "body", "image"}:
        return "Invalid value at 'message.notification'"
    if "data" in message and not _strings(message["data"]):
        return "Invalid value at 'message.data': values must be strings"
    android = message.get("android", {})
    if not isinstance(android, dict):
        return "Invalid value at 'message.android'"
    if "ttl" in android and not DURATION_RE.match(str(android["ttl"])):
        return "Invalid value at 'message.android.ttl' (a Duration such as '3.5s')"
    apns = message.get("apns", {})
    if not isinstance(apns, dict) or ("headers" in apns and not _strings(apns["headers"])):
        return "Invalid value at 'message.apns.headers'"
    return None


@csrf_exempt
@require_POST
def send(request: HttpRequest, project: str) -> HttpResponse:
    scheme, _space, bearer = request.headers.get("Authorization", "").partition(" ")
    issued = ISSUED.get(bearer) if scheme == "Bearer" else None
    if issued is None or issued[1] < time.time():
        return _fcm_error(
            401,
            "UNAUTHENTICATED",
            "Request had invalid authentication credentials. Expected OAuth 2 access token",
        )
    if issued[0] != project:
        return _fcm_error(403, "PERMISSION_DENIED", "Permission denied on the project")
    try:
        body = json.loads(request.body)
    except ValueError:
        return _fcm_error(400, "INVALID_ARGUMENT", "Invalid JSON payload received")
    if not isinstance(body, dict) or set(body) - {"message", "validate_only"}:
        return _fcm_error(400, "INVALID_ARGUMENT", "Invalid JSON payload received")
    error = _message_error(body.get("message"))
    if error:
        return _fcm_error(400, "INVALID_ARGUMENT", error)
    message = body["message"]
    device = DEVICES.get(message["token"])
    if device is None:
        return _fcm_error(
            400,
            "INVALID_ARGUMENT",
            "The registration token is not a valid FCM registration token",
            "INVALID_ARGUMENT",
        )
    if device.delay:
        time.sleep(device.delay)
    if device.unregistered:
        return _fcm_error(404, "NOT_FOUND", "Requested entity was not found.", "UNREGISTERED")
    if not body.get("validate_only"):
        device.received.append(message)
    message_id = f"0:{int(time.time() * 1000)}%{secrets.token_hex(8)}"
    return JsonResponse({"name": f"projects/{project}/messages/{message_id}"})


urlpatterns = [
    path("token", token, name="fcm_emulator_token"),
    path("v1/projects/<str:project>/messages:send", send, name="fcm_emulator_send"),
]
