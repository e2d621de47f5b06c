"""Changes of a person's login identifiers (e-mail, phone) that the person asked support for.

Staff never edit these fields: an operator writes an IdentifierChangeRequest in the admin, and
nothing changes until the person confirms it in the cabinet — with the PIN plus an SMS code sent
to the current phone, or, when that phone is lost, by a fresh login through ESIA (Госуслуги) with
the ESIA account linked to theirs. Each step is written to the staff audit log under the name of
the staff member who wrote the request, and the person is told by e-mail and SMS.
"""

import datetime
import logging
import smtplib
import time
import urllib.error
from typing import Any

from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from portal.accounts.models import AccountEvent, IdentifierChangeRequest, PhoneVerification, User
from portal.accounts.sms import sms_send
from portal.accounts.validators import format_phone, normalize_mobile_phone
from portal.core import outbox
from portal.core.audit import audit_log_change

from .events import account_event_record
from .phone import phone_code_check, phone_verification_start
from .pin import pin_confirm

logger = logging.getLogger(__name__)

ESIA_PROVIDER = "esia"
Field = IdentifierChangeRequest.Field
Status = IdentifierChangeRequest.Status
Method = IdentifierChangeRequest.Method


def _person_label(user: User) -> str:
    return user.full_name or user.email


def _current_value(user: User, field: str) -> str:
    return user.email if field == Field.EMAIL else user.phone


def esia_linked(user: User) -> bool:
    return SocialAccount.objects.filter(user=user, provider=ESIA_PROVIDER).exists()


def identifier_new_value_clean(*, user: User, field: str, value: str) -> str:
    """The new value, normalised (an e-mail in lower case, a phone in E.164), or a Russian
    ValidationError: not an address or a mobile number, the current one, or another account's
    login."""
    value = (value or "").strip()
    if field == Field.EMAIL:
        value = value.lower()
        try:
            validate_email(value)
        except ValidationError as error:
            raise ValidationError(
                _("Введите адрес электронной почты, например name@example.ru"),
                code="email_format",
            ) from error
        if value == user.email.lower():
            raise ValidationError(_("Это текущий адрес этой учётной записи"), code="email_same")
        if (
            User.objects.filter(email__iexact=value).exclude(pk=user.pk).exists()
            or EmailAddress.objects.filter(email__iexact=value).exclude(user=user).exists()
        ):
            raise ValidationError(
                _("Этот адрес уже указан в другой учётной записи"), code="email_taken"
            )
        return value
    if field == Field.PHONE:
        value = normalize_mobile_phone(value)
        if value == user.phone and user.phone_confirmed_at:
            raise ValidationError(_("Это текущий номер этой учётной записи"), code="phone_same")
        return value
    raise ValidationError(_("Выберите, что меняется"), code="field_unknown")


def _check_requestable(user: User) -> None:
    if user.is_staff:
        raise ValidationError(
            _(
                "Это учётная запись сотрудника: её адрес и телефон сотрудник меняет сам, "
                "через администратора"
            ),
            code="staff_account",
        )
    if user.deleted_at or not user.is_active:
        raise ValidationError(_("Учётная запись удалена или отключена"), code="account_inactive")
    can_sms = bool(user.phone and user.phone_confirmed_at and user.has_pin)
    if not can_sms and not esia_linked(user):
        raise ValidationError(
            _(
                "Человеку нечем подтвердить смену: у учётной записи нет подтверждённого телефона "
                "с PIN-кодом и нет привязки к Госуслугам. Подтвердить личность можно только в "
                "офисе страховщика"
            ),
            code="no_confirmation_method",
        )


def identifier_change_requests_expire(*, now: datetime.datetime | None = None) -> int:
    """Mark pending requests past their term as expired. Returns how many."""
    now = now or timezone.now()
    return IdentifierChangeRequest.objects.filter(
        status=Status.PENDING, expires_at__lte=now
    ).update(status=Status.EXPIRED, decided_at=now)


def identifier_change_request_create(
    *,
    user: User,
    staff_user: User,
    field: str,
    new_value: str,
    reason: str = "",
    ip_address: str | None = None,
) -> IdentifierChangeRequest:
    """A support operator writes down the change the person asked for. Nothing of the account
    changes; the person is told by e-mail and sees the request in the cabinet."""
    if not staff_user.is_staff:
        raise ValidationError(_("Запрос создаёт сотрудник"), code="not_staff")
    _check_requestable(user)
    value = identifier_new_value_clean(user=user, field=field, value=new_value)
    now = timezone.now()
    with transaction.atomic():
        identifier_change_requests_expire(now=now)
        if IdentifierChangeRequest.objects.filter(
            user=user, field=field, status=Status.PENDING
        ).exists():
            raise ValidationError(
                _(
                    "У этого человека уже есть неподтверждённый запрос на смену этих данных: "
                    "отмените его, прежде чем создавать новый"
                ),
                code="request_pending",
            )
        change_request = IdentifierChangeRequest(
            user=user,
            created_by=staff_user,
            field=field,
            old_value=_current_value(user, field),
            new_value=value,
            reason=reason.strip()[:255],
            created_at=now,
            expires_at=now + datetime.timedelta(hours=settings.IDENTIFIER_CHANGE_TTL_HOURS),
        )
        change_request.full_clean()
        change_request.save()
        account_event_record(
            user=user, kind=AccountEvent.Kind.IDENTIFIER_CHANGE_REQUESTED, field=field
        )
        audit_log_change(
            staff_user=staff_user,
            subject=user,
            person_label=_person_label(user),
            what=f"запрос №{change_request.pk} на смену: {change_request.get_field_display()}",
            changes={field: {"before": change_request.old_value, "after": value}},
            ip_address=ip_address,
        )
        from ..tasks import identifier_change_requested_notify_task

        outbox.send(identifier_change_requested_notify_task, change_request.pk)
    return change_request


def identifier_change_request_cancel(
    *, change_request: IdentifierChangeRequest, by: User, ip_address: str | None = None
) -> IdentifierChangeRequest:
    """The person («я не просил») or a staff member withdraws a pending request."""
    if not by.is_staff and by.pk != change_request.user_id:
        raise ValidationError(_("Это не ваш запрос"), code="not_owner")
    now = timezone.now()
    with transaction.atomic():
        locked = IdentifierChangeRequest.objects.select_for_update().get(pk=change_request.pk)
        if locked.status != Status.PENDING:
            raise ValidationError(
                _("Запрос уже закрыт: %(status)s") % {"status": locked.get_status_display()},
                code="request_closed",
            )
        locked.status = Status.CANCELLED
        locked.decided_at = now
        locked.cancelled_by = by
        locked.save(update_fields=["status", "decided_at", "cancelled_by"])
        account_event_record(
            user=locked.user,
            kind=AccountEvent.Kind.IDENTIFIER_CHANGE_CANCELLED,
            field=locked.field,
            by="staff" if by.is_staff else "person",
        )
        if by.is_staff:
            audit_log_change(
                staff_user=by,
                subject=locked.user,
                person_label=_person_label(locked.user),
                what=f"запрос №{locked.pk} на смену отменён сотрудником",
                changes={"status": {"before": Status.PENDING, "after": Status.CANCELLED}},
                ip_address=ip_address,
            )
    return locked


def _check_open(change_request: IdentifierChangeRequest) -> None:
    if change_request.status == Status.PENDING and change_request.is_expired():
        identifier_change_requests_expire()
        change_request.refresh_from_db()
    if change_request.status != Status.PENDING:
        raise ValidationError(
            _("Запрос уже закрыт: %(status)s") % {"status": change_request.get_status_display()},
            code="request_closed",
        )


def identifier_change_code_send(*, change_request: IdentifierChangeRequest) -> PhoneVerification:
    """Send the SMS code confirming the request to the person's current, confirmed phone."""
    _check_open(change_request)
    user = change_request.user
    if not (user.phone and user.phone_confirmed_at):
        raise ValidationError(
            _("У вас нет подтверждённого телефона: подтвердите смену через Госуслуги"),
            code="no_phone",
        )
    return phone_verification_start(
        user=user, phone=user.phone, purpose=PhoneVerification.Purpose.IDENTIFIER
    )


def identifier_change_confirm_by_sms(
    *, change_request: IdentifierChangeRequest, pin: str, code: str
) -> IdentifierChangeRequest:
    """The person confirms with the PIN and the SMS code sent to the current phone. A wrong PIN
    or code changes nothing (and counts as a try)."""
    _check_open(change_request)
    user = change_request.user
    pin_confirm(user=user, pin=pin)
    applied: list[IdentifierChangeRequest] = []
    phone_code_check(
        user=user,
        purpose=PhoneVerification.Purpose.IDENTIFIER,
        code=code,
        then=lambda _verification: applied.append(
            _apply(change_request=change_request, method=Method.PIN_SMS)
        ),
    )
    return applied[0]


def esia_login_is_fresh(
    *, user: User, authentication_records: list[dict[str, Any]], since: datetime.datetime
) -> bool:
    """Whether this session logged in through ESIA, with the ESIA account linked to the user,
    after `since` and within IDENTIFIER_CHANGE_ESIA_MAX_AGE_SECONDS. The records are allauth's
    list of this session's authentications ({"method": "socialaccount", "provider", "uid",
    "at"})."""
    uids = set(
        SocialAccount.objects.filter(user=user, provider=ESIA_PROVIDER).values_list(
            "uid", flat=True
        )
    )
    now = time.time()
    earliest = max(since.timestamp(), now - settings.IDENTIFIER_CHANGE_ESIA_MAX_AGE_SECONDS)
    for record in authentication_records:
        at = record.get("at")
        if (
            record.get("method") == "socialaccount"
            and record.get("provider") == ESIA_PROVIDER
            and record.get("uid") in uids
            and isinstance(at, int | float)
            and earliest <= at <= now
        ):
            return True
    return False


def identifier_change_confirm_by_esia(
    *, change_request: IdentifierChangeRequest, authentication_records: list[dict[str, Any]]
) -> IdentifierChangeRequest:
    """The person, without the phone, confirms by a fresh ESIA login (see esia_login_is_fresh)
    made after the request was written."""
    _check_open(change_request)
    if not esia_login_is_fresh(
        user=change_request.user,
        authentication_records=authentication_records,
        since=change_request.created_at,
    ):
        raise ValidationError(
            ngettext(
                "Войдите через Госуслуги ещё раз: подтверждение действует %(minutes)s минуту "
                "после входа",
                "Войдите через Госуслуги ещё раз: подтверждение действует %(minutes)s минут "
                "после входа",
                settings.IDENTIFIER_CHANGE_ESIA_MAX_AGE_SECONDS // 60,
            )
            % {"minutes": settings.IDENTIFIER_CHANGE_ESIA_MAX_AGE_SECONDS // 60},
            code="esia_not_fresh",
        )
    with transaction.atomic():
        return _apply(change_request=change_request, method=Method.ESIA)


def _apply(*, change_request: IdentifierChangeRequest, method: str) -> IdentifierChangeRequest:
    """Make the change (inside the caller's transaction): the e-mail becomes the one primary and
    verified address of the account, the phone its confirmed phone."""
    now = timezone.now()
    locked = (
        IdentifierChangeRequest.objects.select_for_update()
        .select_related("user", "created_by")
        .get(pk=change_request.pk)
    )
    if locked.status != Status.PENDING or locked.is_expired(now):
        raise ValidationError(_("Запрос уже закрыт"), code="request_closed")
    user = locked.user
    # Checked again: the address may have been taken since the request was written.
    value = identifier_new_value_clean(user=user, field=locked.field, value=locked.new_value)
    before = _current_value(user, locked.field)
    if locked.field == Field.EMAIL:
        user.email = value
        user.save(update_fields=["email"])
        EmailAddress.objects.filter(user=user).delete()
        EmailAddress.objects.create(user=user, email=value, verified=True, primary=True)
        kind = AccountEvent.Kind.EMAIL_CHANGED
    else:
        user.phone = value
        user.phone_confirmed_at = now
        user.save(update_fields=["phone", "phone_confirmed_at"])
        kind = AccountEvent.Kind.PHONE_CHANGED
    locked.status = Status.CONFIRMED
    locked.decided_at = now
    locked.confirmed_by = method
    locked.save(update_fields=["status", "decided_at", "confirmed_by"])
    account_event_record(user=user, kind=kind, via="support_request", method=method)
    audit_log_change(
        staff_user=locked.created_by,
        subject=user,
        person_label=_person_label(user),
        what=(
            f"запрос №{locked.pk}: {locked.get_field_display()} изменено, подтвердил "
            f"сам человек ({locked.get_confirmed_by_display()})"
        ),
        changes={locked.field: {"before": before, "after": value}},
    )
    from ..tasks import identifier_changed_notify_task

    outbox.send(identifier_changed_notify_task, locked.pk, before)
    return locked


# --- Telling the person -------------------------------------------------------------------------


def _mail(*, template: str, to: str, context: dict[str, Any]) -> None:
    context = {"portal": settings.PORTAL_NAME, "hotline": settings.HOTLINE_PHONE_DISPLAY, **context}
    subject = render_to_string(f"accounts/email/{template}_subject.txt", context).strip()
    body = render_to_string(f"accounts/email/{template}_message.txt", context)
    try:
        send_mail(subject, body, None, [to])
    except (smtplib.SMTPException, OSError) as exc:
        logger.warning("Identifier change mail not sent: %s", type(exc).__name__)


def _sms(*, phone: str, text: str) -> None:
    try:
        sms_send(phone=phone, text=text)
    except (OSError, RuntimeError, urllib.error.URLError) as exc:
        logger.warning("Identifier change SMS not sent: %s", type(exc).__name__)


def _shown(field: str, value: str) -> str:
    return format_phone(value) if field == Field.PHONE else value


# The person is told through the outbox (portal.core.outbox), written in the transaction of the
# request or the change: with the broker down the e-mail and the SMS go out once it is back.


def identifier_change_requested_notify(*, request_id: int) -> None:
    """The e-mail saying support wrote a request to change the login data, to the address the
    account had when it was written (sent late, after the broker was down, the e-mail may have
    changed since: the request's old value is that address)."""
    change_request = (
        IdentifierChangeRequest.objects.select_related("user").filter(pk=request_id).first()
    )
    if change_request is None:
        return
    to = (
        change_request.old_value
        if change_request.field == Field.EMAIL
        else change_request.user.email
    )
    if to:
        _mail(
            template="identifier_change_requested",
            to=to,
            context={
                "field": change_request.get_field_display(),
                "new_value": _shown(change_request.field, change_request.new_value),
                "expires_at": timezone.localtime(change_request.expires_at),
            },
        )


def identifier_changed_notify(*, request_id: int, before: str) -> None:
    """The e-mails (to the new and the old address) and SMS saying the login data changed;
    `before` is the value it replaced."""
    change_request = (
        IdentifierChangeRequest.objects.select_related("user").filter(pk=request_id).first()
    )
    if change_request is None:
        return
    user = change_request.user
    field = change_request.field
    context = {
        "field": change_request.get_field_display(),
        "old_value": _shown(field, before),
        "new_value": _shown(field, change_request.new_value),
    }
    addresses = [user.email] + ([before] if field == Field.EMAIL and before else [])
    for address in addresses:
        _mail(template="identifier_changed", to=address, context=context)
    text = _(
        "%(portal)s: в вашей учётной записи изменены данные для входа (%(field)s). Если это "
        "были не вы, позвоните: %(hotline)s"
    ) % {
        "portal": settings.PORTAL_NAME,
        "field": change_request.get_field_display(),
        "hotline": settings.HOTLINE_PHONE_DISPLAY,
    }
    phones = [user.phone] + ([before] if field == Field.PHONE and before else [])
    for phone in phones:
        if phone:
            _sms(phone=phone, text=text)
