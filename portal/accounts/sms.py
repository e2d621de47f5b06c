"""Sending SMS through a small backend interface chosen by settings.SMS_BACKEND."""

import json
import logging
import urllib.request
import uuid
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


class ConsoleOutboxBackend:
    """Development and tests: each message is a JSON file in SMS_OUTBOX_DIR (the e2e tests read
    codes from there); the log line names only the recipient's last digits."""

    def send(self, phone: str, text: str) -> None:
        outbox = Path(settings.SMS_OUTBOX_DIR)
        outbox.mkdir(parents=True, exist_ok=True)
        sent_at = timezone.now()
        name = f"{sent_at:%Y%m%dT%H%M%S%f}-{uuid.uuid4().hex[:8]}.json"
        payload = {"phone": phone, "text": text, "sent_at": sent_at.isoformat()}
        (outbox / name).write_text(json.dumps(payload, ensure_ascii=False), encoding="utf-8")
        logger.info("SMS written to the outbox for a phone ending %s", phone[-2:])


class HttpProviderBackend:
    """Production: an SMS gateway's HTTP API (URL and token from the environment)."""

    def send(self, phone: str, text: str) -> None:
        url = settings.SMS_PROVIDER_URL
        body = json.dumps({"to": phone, "text": text}).encode()
        request = urllib.request.Request(  # noqa: S310 — the URL is our configured gateway
            url,
            data=body,
            headers={
                "Content-Type": "application/json",
                "Authorization": f"Bearer {settings.SMS_PROVIDER_TOKEN}",
            },
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            if response.status >= 300:
                raise RuntimeError(f"SMS gateway answered {response.status}")


def sms_send(*, phone: str, text: str) -> None:
    import_string(settings.SMS_BACKEND)().send(phone, text)
