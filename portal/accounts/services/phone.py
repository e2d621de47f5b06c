"""SMS codes confirming a phone number: at signup (a login stage) and when the number changes."""

import datetime
import logging
import math
import secrets
import urllib.error
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from portal.accounts.models import AccountEvent, PhoneVerification, User
from portal.accounts.sms import sms_send
from portal.core.ratelimits import rate_limit_hit

from .events import account_event_record

logger = logging.getLogger(__name__)

CODE_DIGITS = 6


def _code_hash(*, subject: str, phone: str, code: str) -> str:
    # Keyed with SECRET_KEY: a copy of the table alone does not give the codes away, though a
    # six-digit code has only a million values. The subject is the user's id, or the id of a
    # signup that creates no account.
    return salted_hmac(
        "portal.accounts.PhoneVerification", f"{subject}:{phone}:{code}", algorithm="sha256"
    ).hexdigest()


def _sms_text(code: str) -> str:
    return _("Код подтверждения: %(code)s. Никому его не сообщайте. %(portal)s") % {
        "code": code,
        "portal": settings.PORTAL_NAME,
    }


def _send_allowed_check(*, previous: PhoneVerification | None, phone: str, subject: str) -> None:
    now = timezone.now()
    if previous is not None:
        elapsed = (now - previous.sent_at).total_seconds()
        if elapsed < settings.SMS_RESEND_SECONDS:
            raise ValidationError(
                _("Новый код можно запросить через %(seconds)s с")
                % {"seconds": math.ceil(settings.SMS_RESEND_SECONDS - elapsed)},
                code="sms_too_soon",
            )
    if not rate_limit_hit("sms_phone", key=phone) or not rate_limit_hit("sms_user", key=subject):
        raise ValidationError(
            _("Слишком много SMS на этот номер. Попробуйте позже или позвоните нам"),
            code="sms_rate_limited",
        )


def _new_code() -> str:
    return f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"


def _code_deliver(*, phone: str, code: str) -> None:
    try:
        sms_send(phone=phone, text=_sms_text(code))
    except (OSError, RuntimeError, urllib.error.URLError) as exc:
        logger.warning("SMS not sent: %s", type(exc).__name__)
        raise ValidationError(
            _("Не удалось отправить SMS. Попробуйте ещё раз через минуту"), code="sms_failed"
        ) from exc


def phone_verification_start(*, user: User, phone: str, purpose: str) -> PhoneVerification:
    """Send a new six-digit code to the phone. Refused within SMS_RESEND_SECONDS of the user's
    previous code and beyond the hourly and daily limits; an earlier code stops counting."""
    previous = PhoneVerification.objects.filter(user=user).order_by("-sent_at").first()
    _send_allowed_check(previous=previous, phone=phone, subject=str(user.pk))

    now = timezone.now()
    code = _new_code()
    with transaction.atomic():
        PhoneVerification.objects.filter(
            user=user, purpose=purpose, confirmed_at__isnull=True, expires_at__gt=now
        ).update(expires_at=now)
        verification = PhoneVerification(
            user=user,
            purpose=purpose,
            phone=phone,
            code_hash=_code_hash(subject=str(user.pk), phone=phone, code=code),
            sent_at=now,
            expires_at=now + datetime.timedelta(seconds=settings.SMS_CODE_TTL_SECONDS),
        )
        verification.full_clean()
        verification.save()
    try:
        _code_deliver(phone=phone, code=code)
    except ValidationError:
        verification.delete()  # a code nobody received must not hold back a new request
        raise
    return verification


def _code_error(
    verification: PhoneVerification | None,
    *,
    subject: str,
    code: str,
    count_try: Callable[[], int],
) -> ValidationError | None:
    """Why the code does not confirm the verification, or None when it does. A wrong code is
    counted by count_try, which answers the number of wrong tries so far."""
    max_attempts = settings.SMS_CODE_MAX_ATTEMPTS
    if verification is None:
        return ValidationError(_("Сначала запросите код"), code="sms_no_code")
    if verification.is_expired(timezone.now()):
        return ValidationError(
            _("Срок действия кода истёк. Запросите новый код"), code="sms_expired"
        )
    if verification.attempts >= max_attempts:
        return ValidationError(
            _("Попытки ввода кода исчерпаны. Запросите новый код"), code="sms_exhausted"
        )
    if constant_time_compare(
        _code_hash(subject=subject, phone=verification.phone, code=code.strip()),
        verification.code_hash,
    ):
        return None
    tries = count_try()
    if tries > max_attempts:  # spent meanwhile, by a request run beside this one
        return ValidationError(
            _("Попытки ввода кода исчерпаны. Запросите новый код"), code="sms_exhausted"
        )
    left = max_attempts - tries
    if left:
        return ValidationError(
            _("Неверный код. Осталось попыток: %(left)s") % {"left": left}, code="sms_wrong"
        )
    return ValidationError(
        _("Неверный код. Попытки исчерпаны — запросите новый код"), code="sms_exhausted"
    )


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
    with transaction.atomic():
        verification = (
            PhoneVerification.objects.select_for_update()
            .filter(user=user, purpose=purpose, confirmed_at__isnull=True)
            .order_by("-sent_at", "-pk")
            .first()
        )

        def count_try() -> int:
            # The row is locked: tries of the same code are counted one after another.
            verification.attempts += 1
            verification.save(update_fields=["attempts"])
            return verification.attempts

        error = _code_error(verification, subject=str(user.pk), code=code, count_try=count_try)
        if error is None:
            now = timezone.now()
            verification.confirmed_at = now
            verification.save(update_fields=["confirmed_at"])
            if then is not None:
                then(verification)
            return verification
    # Raised after the transaction: the wrong try stays counted.
    raise error


# A signup with an e-mail or a passport already registered creates no account, yet walks the
# same SMS step as a new one (accounts.stages): its code lives in the pending login's state, in
# the session, instead of a PhoneVerification row. Same limits, same messages.

_DETACHED_KEY = "verification"


def _detached_load(state: dict) -> PhoneVerification | None:
    data = state.get(_DETACHED_KEY)
    if not data:
        return None
    confirmed_at = data.get("confirmed_at")
    return PhoneVerification(
        purpose=PhoneVerification.Purpose.SIGNUP,
        phone=data["phone"],
        code_hash=data["code_hash"],
        sent_at=datetime.datetime.fromisoformat(data["sent_at"]),
        expires_at=datetime.datetime.fromisoformat(data["expires_at"]),
        confirmed_at=datetime.datetime.fromisoformat(confirmed_at) if confirmed_at else None,
    )


def _detached_subject(state: dict) -> str:
    return "signup:" + state.setdefault("subject", secrets.token_hex(16))


def detached_phone_verification(state: dict) -> PhoneVerification | None:
    """The latest unconfirmed code kept in the state, as an unsaved PhoneVerification (what
    selectors.pending_phone_verification is for a user)."""
    verification = _detached_load(state)
    return verification if verification is not None and not verification.confirmed_at else None


def detached_phone_verification_start(*, state: dict, phone: str) -> PhoneVerification:
    """phone_verification_start for a signup without an account: the code goes to the phone the
    same way, under the same limits, and is kept in the state."""
    subject = _detached_subject(state)
    _send_allowed_check(previous=_detached_load(state), phone=phone, subject=subject)
    now = timezone.now()
    code = _new_code()
    _code_deliver(phone=phone, code=code)
    expires_at = now + datetime.timedelta(seconds=settings.SMS_CODE_TTL_SECONDS)
    state[_DETACHED_KEY] = {
        "phone": phone,
        "code_hash": _code_hash(subject=subject, phone=phone, code=code),
        "sent_at": now.isoformat(),
        "expires_at": expires_at.isoformat(),
    }
    return _detached_load(state)


def detached_phone_verification_confirm(*, state: dict, code: str) -> None:
    """phone_verification_confirm for a signup without an account: the same checks, tries and
    messages; a right code confirms the step and nothing else. The wrong tries are counted in
    the cache, atomically: requests sent side by side each read the session as it was, and
    must not each get three tries (a row lock serialises them for an account)."""
    verification = detached_phone_verification(state)
    subject = _detached_subject(state)
    tries_key = ""
    if verification is not None:
        tries_key = f"portal:sms-tries:{subject}:{verification.sent_at.timestamp()}"
        verification.attempts = cache.get(tries_key, 0)

    def count_try() -> int:
        if cache.add(tries_key, 1, timeout=settings.SMS_CODE_TTL_SECONDS + 60):
            return 1
        return cache.incr(tries_key)

    error = _code_error(verification, subject=subject, code=code, count_try=count_try)
    if error is not None:
        raise error
    state[_DETACHED_KEY]["confirmed_at"] = timezone.now().isoformat()


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
