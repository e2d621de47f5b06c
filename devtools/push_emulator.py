"""An emulator of a browser's push service (RFC 8030), for development and tests only
(portal/urls.py mounts it when PUSH_EMULATOR is on). Headless Chromium cannot receive real
pushes, so this stands in for the push service and for the browser behind it:

- `subscription_new(base_url)` makes a subscription as a browser would (its own P-256 key pair
  and auth secret) and returns what PushManager.subscribe() gives a page: the endpoint here and
  the public keys;
- a push to the endpoint is accepted (201) only as the Web Push protocol has it: a VAPID
  `Authorization: vapid t=<JWT>, k=<public key>` whose ES256 signature checks with k, whose
  `aud` is this origin and which expires within 24 hours; `TTL`; `Content-Encoding: aes128gcm`
  with a body the subscription's private key decrypts (RFC 8291). Anything else is 400 or 401;
- `subscription_gone(endpoint)` makes the service answer 410 Gone from then on, as a push
  service does for a subscription the person revoked.

What arrived is in `RECEIVED[endpoint]` (the decrypted JSON messages), in this process.
"""

from __future__ import annotations

import base64
import json
import secrets
import time
from dataclasses import dataclass, field

import http_ece
import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.http import HttpRequest, HttpResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

MAX_JWT_SECONDS = 24 * 3600


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass
class _Subscription:
    private_key: ec.EllipticCurvePrivateKey
    auth: bytes
    gone: bool = False
    received: list[dict] = field(default_factory=list)


SUBSCRIPTIONS: dict[str, _Subscription] = {}
RECEIVED: dict[str, list[dict]] = {}


def subscription_new(base_url: str) -> dict:
    token = secrets.token_urlsafe(16)
    private_key = ec.generate_private_key(ec.SECP256R1())
    auth = secrets.token_bytes(16)
    endpoint = f"{base_url.rstrip('/')}/push-emulator/push/{token}/"
    SUBSCRIPTIONS[token] = _Subscription(private_key, auth)
    RECEIVED[endpoint] = SUBSCRIPTIONS[token].received
    public = private_key.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    return {"endpoint": endpoint, "keys": {"p256dh": _b64(public), "auth": _b64(auth)}}


def subscription_gone(endpoint: str) -> None:
    SUBSCRIPTIONS[endpoint.rstrip("/").rsplit("/", 1)[-1]].gone = True


def _vapid_error(request: HttpRequest) -> str | None:
    scheme, _space, params = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "vapid":
        return "Authorization: expected the vapid scheme"
    values = dict(part.strip().split("=", 1) for part in params.split(",") if "=" in part)
    if not values.get("t") or not values.get("k"):
        return "Authorization: t and k are required"
    try:
        public_key = ec.EllipticCurvePublicKey.from_encoded_point(
            ec.SECP256R1(), _unb64(values["k"])
        )
        claims = jwt.decode(
            values["t"],
            key=public_key,
            algorithms=["ES256"],
            audience=f"{request.scheme}://{request.get_host()}",
            options={"require": ["exp", "aud", "sub"]},
        )
    except (ValueError, jwt.PyJWTError) as error:
        return f"VAPID token refused: {error}"
    if claims["exp"] > time.time() + MAX_JWT_SECONDS:
        return "VAPID token expires more than 24 hours ahead"
    if not str(claims["sub"]).startswith(("mailto:", "https://")):
        return "VAPID sub must be a mailto: or https: URL"
    return None


@csrf_exempt
@require_POST
def push(request: HttpRequest, token: str) -> HttpResponse:
    subscription = SUBSCRIPTIONS.get(token)
    if subscription is None:
        return HttpResponse(status=404)
    if subscription.gone:
        return HttpResponse("push subscription has unsubscribed or expired", status=410)
    error = _vapid_error(request)
    if error:
        return HttpResponse(error, status=401)
    if request.headers.get("Content-Encoding") != "aes128gcm":
        return HttpResponse("Content-Encoding must be aes128gcm", status=400)
    if not request.headers.get("TTL", "").isdigit():
        return HttpResponse("TTL is required", status=400)
    try:
        plain = http_ece.decrypt(
            request.body,
            private_key=subscription.private_key,
            auth_secret=subscription.auth,
            version="aes128gcm",
        )
        message = json.loads(plain)
    except (ValueError, http_ece.ECEException) as error:
        return HttpResponse(f"cannot decrypt: {error}", status=400)
    subscription.received.append(message)
    response = HttpResponse(status=201)
    response["Location"] = request.build_absolute_uri()
    return response


urlpatterns = [path("push/<str:token>/", push, name="push_emulator")]
