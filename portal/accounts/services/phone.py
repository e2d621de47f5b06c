"""SMS codes confirming a phone number: at signup (a login stage) and when the number changes."""

import datetime
import logging
import math
import secrets
import urllib.error
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from portal.accounts.models import AccountEvent, PhoneVerification, User
from portal.accounts.ratelimits import rate_limit_hit
from portal.accounts.sms import sms_send

from .events import account_event_record

logger = logging.getLogger(__name__)

CODE_DIGITS = 6


def _code_hash(*, user_id: int, phone: str, code: str) -> str:
    # Keyed with SECRET_KEY: a copy of the table alone does not give the codes away, though a
    # six-digit code has only a million values.
    return salted_hmac(
        "portal.accounts.PhoneVerification", f"{user_id}:{phone}:{code}", algorithm="sha256"
    ).hexdigest()


def _sms_text(code: str) -> str:
    return _("Код подтверждения: %(code)s. Никому его не сообщайте. %(portal)s") % {
        "code": code,
        "portal": settings.PORTAL_NAME,
    }


def phone_verification_start(*, user: User, phone: str, purpose: str) -> PhoneVerification:
    """Send a new six-digit code to the phone. Refused within SMS_RESEND_SECONDS of the user's
    previous code and beyond the hourly and daily limits; an earlier code stops counting."""
    now = timezone.now()
    previous = PhoneVerification.objects.filter(user=user).order_by("-sent_at").first()
    if previous is not None:
        elapsed = (now - previous.sent_at).total_seconds()
        if elapsed < settings.SMS_RESEND_SECONDS:
            raise ValidationError(
                _("Новый код можно запросить через %(seconds)s с")
                % {"seconds": math.ceil(settings.SMS_RESEND_SECONDS - elapsed)},
                code="sms_too_soon",
            )
    if not rate_limit_hit("sms_phone", phone) or not rate_limit_hit("sms_user", str(user.pk)):
        raise ValidationError(
            _("Слишком много SMS на этот номер. Попробуйте позже или позвоните нам"),
            code="sms_rate_limited",
        )

    code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
    with transaction.atomic():
        PhoneVerification.objects.filter(
            user=user, purpose=purpose, confirmed_at__isnull=True, expires_at__gt=now
        ).update(expires_at=now)
        verification = PhoneVerification(
            user=user,
            purpose=purpose,
            phone=phone,
            code_hash=_code_hash(user_id=user.pk, phone=phone, code=code),
            sent_at=now,
            expires_at=now + datetime.timedelta(seconds=settings.SMS_CODE_TTL_SECONDS),
        )
        verification.full_clean()
        verification.save()
    try:
        sms_send(phone=phone, text=_sms_text(code))
    except (OSError, RuntimeError, urllib.error.URLError) as exc:
        logger.warning("SMS not sent: %s", type(exc).__name__)
        verification.delete()  # a code nobody received must not hold back a new request
        raise ValidationError(
            _("Не удалось отправить SMS. Попробуйте ещё раз через минуту"), code="sms_failed"
        ) from exc
    return verification


def phone_code_check(
    *,
    user: User,
    purpose: str,
    code: str,
    then: Callable[[PhoneVerification], None] | None = None,
) -> PhoneVerification:
    """Check the code against the user's latest one of the purpose: within its lifetime and
    SMS_CODE_MAX_ATTEMPTS tries. A right code is marked used and `then(verification)` runs in
    the same transaction (an error it raises undoes both); a wrong one counts as a try."""
    now = timezone.now()
    max_attempts = settings.SMS_CODE_MAX_ATTEMPTS
    with transaction.atomic():
        verification = (
            PhoneVerification.objects.select_for_update()
            .filter(user=user, purpose=purpose, confirmed_at__isnull=True)
            .order_by("-sent_at", "-pk")
            .first()
        )
        if verification is None:
            error = ValidationError(_("Сначала запросите код"), code="sms_no_code")
        elif verification.is_expired(now):
            error = ValidationError(
                _("Срок действия кода истёк. Запросите новый код"), code="sms_expired"
            )
        elif verification.attempts >= max_attempts:
            error = ValidationError(
                _("Попытки ввода кода исчерпаны. Запросите новый код"), code="sms_exhausted"
            )
        elif not constant_time_compare(
            _code_hash(user_id=user.pk, phone=verification.phone, code=code.strip()),
            verification.code_hash,
        ):
            verification.attempts += 1
            verification.save(update_fields=["attempts"])
            left = max_attempts - verification.attempts
            if left:
                error = ValidationError(
                    _("Неверный код. Осталось попыток: %(left)s") % {"left": left},
                    code="sms_wrong",
                )
            else:
                error = ValidationError(
                    _("Неверный код. Попытки исчерпаны — запросите новый код"),
                    code="sms_exhausted",
                )
        else:
            verification.confirmed_at = now
            verification.save(update_fields=["confirmed_at"])
            if then is not None:
                then(verification)
            return verification
    # Raised after the transaction: the wrong try stays counted.
    raise error


def phone_verification_confirm(*, user: User, purpose: str, code: str) -> PhoneVerification:
    """Check the code (phone_code_check); a right code makes its number the user's confirmed
    phone."""

    def confirm_phone(verification: PhoneVerification) -> None:
        changed = bool(user.phone_confirmed_at) and user.phone != verification.phone
        user.phone = verification.phone
        user.phone_confirmed_at = verification.confirmed_at
        user.save(update_fields=["phone", "phone_confirmed_at"])
        account_event_record(
            user=user,
            kind=AccountEvent.Kind.PHONE_CHANGED
            if changed or purpose == PhoneVerification.Purpose.CHANGE
            else AccountEvent.Kind.PHONE_CONFIRMED,
        )

    return phone_code_check(user=user, purpose=purpose, code=code, then=confirm_phone)
