"""The remembered-device cookie: a signed random id, httponly, secure in production."""

import hashlib
import re

from django.conf import settings
from django.http import HttpRequest, HttpResponse

COOKIE_SALT = "portal.accounts.remembered-device"
# Set by the login form's «запомнить устройство» tick, read once the login completes (after any
# SMS, e-mail or 2FA stage): AccountAdapter.post_login.
REMEMBER_SESSION_KEY = "portal_remember_device"

_BROWSERS = (
    ("YaBrowser", "Яндекс Браузер"),
    ("Edg/", "Edge"),
    ("OPR/", "Opera"),
    ("Firefox/", "Firefox"),
    ("Chrome/", "Chrome"),
    ("Safari/", "Safari"),
)
_SYSTEMS = (
    ("Android", "Android"),
    ("iPhone", "iPhone"),
    ("iPad", "iPad"),
    ("Windows", "Windows"),
    ("Mac OS X", "macOS"),
    ("Linux", "Linux"),
)


def device_id_hash(device_id: str) -> str:
    """What the database keeps of a device id (the cookie alone holds the id itself)."""
    return hashlib.sha256(device_id.encode()).hexdigest()


def device_cookie_read(request: HttpRequest) -> str | None:
    return request.get_signed_cookie(
        settings.REMEMBERED_DEVICE_COOKIE_NAME,
        default=None,
        salt=COOKIE_SALT,
        max_age=settings.REMEMBERED_DEVICE_COOKIE_AGE,
    )


def device_cookie_set(response: HttpResponse, device_id: str) -> None:
    response.set_signed_cookie(
        settings.REMEMBERED_DEVICE_COOKIE_NAME,
        device_id,
        salt=COOKIE_SALT,
        max_age=settings.REMEMBERED_DEVICE_COOKIE_AGE,
        httponly=True,
        secure=settings.SESSION_COOKIE_SECURE,
        samesite="Lax",
    )


def device_cookie_delete(response: HttpResponse) -> None:
    response.delete_cookie(settings.REMEMBERED_DEVICE_COOKIE_NAME, samesite="Lax")


def device_label(request: HttpRequest) -> str:
    """«Chrome, Android»: enough for a person to recognise a device in the list."""
    agent = request.META.get("HTTP_USER_AGENT", "")
    browser = next((name for mark, name in _BROWSERS if mark in agent), "")
    system = next((name for mark, name in _SYSTEMS if re.search(re.escape(mark), agent)), "")
    return ", ".join(part for part in (browser, system) if part) or "Браузер"
