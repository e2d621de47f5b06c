"""Accounts tests: each test gets its own cache namespace (the rate-limit counters live in the
cache, Redis in CI) and its own SMS outbox directory."""

import json
import re
import uuid
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from django.conf import settings as django_settings
from py_vapid import Vapid01
from py_vapid.utils import b64urlencode

CODE_RE = re.compile(r"\b(\d{6})\b")


# A push message as the notifications send one (the Web Push and FCM tests).
MESSAGE = {
    "title": "Ответ на обращение № О-2026-000045",
    "body": "Откройте обращение",
    "url": "/appeals/",
}


@pytest.fixture(autouse=True)
def isolated_cache(settings):
    settings.CACHES = {
        name: {**config, "KEY_PREFIX": f"test-{uuid.uuid4().hex}"}
        for name, config in django_settings.CACHES.items()
    }


@pytest.fixture(autouse=True)
def sms_outbox(settings, tmp_path) -> Path:
    settings.SMS_OUTBOX_DIR = tmp_path / "sms"
    return settings.SMS_OUTBOX_DIR


def sms_messages(outbox: Path) -> list[dict]:
    if not outbox.exists():
        return []
    return [
        json.loads(path.read_text(encoding="utf-8"))
        for path in sorted(outbox.glob("*.json"), key=lambda p: p.stat().st_mtime_ns)
    ]


def last_sms_code(outbox: Path) -> str:
    message = sms_messages(outbox)[-1]
    return CODE_RE.search(message["text"]).group(1)


@pytest.fixture
def vapid(settings):
    """Web Push on, with a fresh VAPID key pair."""
    key = Vapid01()
    key.generate_keys()
    raw = key.private_key.private_numbers().private_value.to_bytes(32, "big")
    settings.VAPID_PRIVATE_KEY = b64urlencode(raw)
    settings.VAPID_PUBLIC_KEY = b64urlencode(
        key.public_key.public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
    )
    settings.VAPID_SUBJECT = "mailto:support@example.com"


PIN = "2580"


def verified_person(**fields):
    """A person who can log in with a password (a verified e-mail) and has a PIN."""
    from allauth.account.models import EmailAddress

    from tests.factories import UserFactory

    user = UserFactory(**fields)
    user.set_pin(PIN)
    user.save()
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


@pytest.fixture
def person(db):
    return verified_person()


def password_login(client, user, *, remember_device: bool = False, password=None, **extra):
    from tests.factories import DEFAULT_PASSWORD

    data = {"login": user.email, "password": password or DEFAULT_PASSWORD}
    if remember_device:
        data["remember_device"] = "on"
    return client.post("/accounts/login/", data, **extra)
