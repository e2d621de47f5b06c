"""Web Push (RFC 8030) to a browser's push service, with the message encrypted for the browser
(RFC 8291, aes128gcm) and the sender identified by VAPID (RFC 8292): pywebpush does both.

VAPID_PRIVATE_KEY (a P-256 key, PEM or the raw base64url form) and VAPID_SUBJECT (mailto: or
https:) come from settings; without a key push is off. The push service's answer decides: 201
sent, 404 and 410 the subscription is gone (the caller removes it), anything else an error."""

from __future__ import annotations

import json
from dataclasses import dataclass

from django.conf import settings
from pywebpush import WebPushException, webpush

GONE = (404, 410)


class PushError(Exception):
    """The push service could not be reached or refused the message for now."""


@dataclass(frozen=True)
class Subscription:
    endpoint: str
    p256dh: str
    auth: str


def is_configured() -> bool:
    return bool(settings.VAPID_PRIVATE_KEY)


def push_send(subscription: Subscription, message: dict, *, ttl: int = 24 * 3600) -> int:
    """Send one message; returns the push service's status (201, or 404/410: gone)."""
    try:
        response = webpush(
            subscription_info={
                "endpoint": subscription.endpoint,
                "keys": {"p256dh": subscription.p256dh, "auth": subscription.auth},
            },
            data=json.dumps(message, ensure_ascii=False),
            vapid_private_key=settings.VAPID_PRIVATE_KEY,
            vapid_claims={"sub": settings.VAPID_SUBJECT},
            content_encoding="aes128gcm",
            ttl=ttl,
            timeout=settings.WEBPUSH_TIMEOUT,
        )
    except WebPushException as error:
        status = getattr(error.response, "status_code", None)
        if status in GONE:
            return status
        raise PushError(str(error)) from error
    except OSError as error:  # the connection (requests' errors are OSErrors)
        raise PushError(str(error)) from error
    return response.status_code
