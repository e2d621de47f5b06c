"""The PIN: confirming sensitive actions, and logging in on a remembered device."""

import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from portal.accounts.devices import device_id_hash
from portal.accounts.models import AccountEvent, RememberedDevice, User
from portal.accounts.validators import validate_pin
from portal.core.ratelimits import (
    rate_limit_clear,
    rate_limit_exhausted,
    rate_limit_hit,
    rate_limit_minutes,
    rate_limit_remaining,
)

from .events import account_event_record


def _pin_locked_error() -> ValidationError:
    return ValidationError(
        _("Слишком много неверных PIN-кодов. Попробуйте через %(minutes)s мин")
        % {"minutes": rate_limit_minutes("pin_confirm")},
        code="pin_locked",
    )


def pin_confirm(*, user: User, pin: str) -> None:
    """Confirm a sensitive action (a new e-mail or phone, card binding, co-pay consent...) with
    the PIN. After five wrong PINs the user's confirmations are refused for a while."""
    key = str(user.pk)
    if rate_limit_exhausted("pin_confirm", key=key):
        raise _pin_locked_error()
    if not user.has_pin:
        raise ValidationError(
            _("PIN-код не задан: задайте его в разделе «Личная информация»"), code="pin_not_set"
        )
    if not user.check_pin(pin or ""):
        rate_limit_hit("pin_confirm", key=key)
        left = rate_limit_remaining("pin_confirm", key=key)
        if not left:
            raise _pin_locked_error()
        raise ValidationError(
            _("Неверный PIN-код. Осталось попыток: %(left)s") % {"left": left},
            code="pin_invalid",
        )
    rate_limit_clear("pin_confirm", key=key)


@transaction.atomic
def pin_change(*, user: User, pin: str) -> None:
    validate_pin(pin)
    user.set_pin(pin)
    user.save(update_fields=["pin_hash"])
    rate_limit_clear("pin_confirm", key=str(user.pk))
    account_event_record(user=user, kind=AccountEvent.Kind.PIN_CHANGED)


@transaction.atomic
def device_remember(*, user: User, label: str) -> tuple[RememberedDevice, str]:
    """Remember a browser after a full login: returns the row and the random device id for the
    cookie (only its hash is stored). Staff never log in by PIN: the admin needs 2FA."""
    if user.is_staff or not user.has_pin:
        raise ValidationError(
            _("Вход по PIN-коду недоступен для этой учётной записи"), code="device_not_allowed"
        )
    device_id = secrets.token_urlsafe(32)
    device = RememberedDevice(user=user, device_hash=device_id_hash(device_id), label=label[:120])
    device.full_clean()
    device.save()
    account_event_record(user=user, kind=AccountEvent.Kind.DEVICE_REMEMBERED)
    return device, device_id


@transaction.atomic
def device_forget(*, device: RememberedDevice, reason: str = "by_user") -> None:
    user = device.user
    device.delete()
    account_event_record(user=user, kind=AccountEvent.Kind.DEVICE_FORGOTTEN, reason=reason)


def pin_login(*, device_id: str, pin: str) -> User:
    """The user of a remembered device, if the PIN is theirs. PIN_LOGIN_MAX_FAILURES wrong PINs
    in a row forget the device (error code "device_forgotten")."""
    now = timezone.now()
    with transaction.atomic():
        device = (
            RememberedDevice.objects.select_for_update()
            .select_related("user")
            .filter(device_hash=device_id_hash(device_id or ""))
            .first()
        )
        user = device.user if device else None
        if device is None or not user.is_active or user.is_staff or user.deleted_at:
            error = ValidationError(
                _("Это устройство не запомнено. Войдите с паролем"), code="device_unknown"
            )
        elif user.check_pin(pin or ""):
            device.failed_attempts = 0
            device.last_used_at = now
            device.save(update_fields=["failed_attempts", "last_used_at"])
            return user
        else:
            device.failed_attempts += 1
            left = settings.PIN_LOGIN_MAX_FAILURES - device.failed_attempts
            if left <= 0:
                device_forget(device=device, reason="pin_failures")
                error = ValidationError(
                    ngettext(
                        "PIN-код введён неверно %(count)s раз подряд: устройство забыто. "
                        "Войдите с паролем",
                        "PIN-код введён неверно %(count)s раз подряд: устройство забыто. "
                        "Войдите с паролем",
                        settings.PIN_LOGIN_MAX_FAILURES,
                    )
                    % {"count": settings.PIN_LOGIN_MAX_FAILURES},
                    code="device_forgotten",
                )
            else:
                device.save(update_fields=["failed_attempts"])
                error = ValidationError(
                    _("Неверный PIN-код. Осталось попыток: %(left)s") % {"left": left},
                    code="pin_invalid",
                )
    raise error
