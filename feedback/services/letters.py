"""Writes of guarantee letters: the person's request and the operator's decision (the PDF of an
issued one is made by feedback.pdf)."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clinics.models import Clinic
from clinics.selectors import Coverage, coverage_for
from policies.models import CareKind, InsuredPerson
from portal.accounts.models import NotificationKind, User
from portal.accounts.services import notify
from portal.core.uploads import CheckedFile

from ..models import GuaranteeLetter

Status = GuaranteeLetter.Status


def guarantee_letter_request(
    *,
    user: User,
    insured_person: InsuredPerson,
    clinic: Clinic,
    care_kind: CareKind,
    service_name: str = "",
    planned_on: datetime.date | None = None,
    referral: CheckedFile | None = None,
) -> GuaranteeLetter:
    """The person asks for a letter; the insured person must be one linked to the user (the view
    passes only those). A clinic and kind of care their program does not cover, or a day without
    a DMS policy in force, is refused at once with the coverage check's reason: no letter could
    be issued for it."""
    today = timezone.localdate()
    if planned_on is not None and planned_on < today:
        raise ValidationError({"planned_on": _("Дата визита не может быть в прошлом")})
    coverage = coverage_for(
        insured_person=insured_person, clinic=clinic, care_kind=care_kind, on=planned_on or today
    )
    if coverage.status in (Coverage.NO_POLICY, Coverage.NOT_COVERED):
        raise ValidationError(
            _("%(reason)s Гарантийное письмо выдаётся только на помощь, которую покрывает полис.")
            % {"reason": coverage.message},
            code=coverage.status,
        )
    letter = GuaranteeLetter(
        user=user,
        insured_person=insured_person,
        clinic=clinic,
        care_kind=care_kind,
        service_name=service_name.strip(),
        planned_on=planned_on,
    )
    with transaction.atomic():
        if referral is not None:
            letter.referral.save(referral.server_name(), referral.file, save=False)
            letter.referral_name = referral.original_name
        try:
            letter.full_clean()
            letter.save()
        except BaseException:
            if letter.referral:
                letter.referral.storage.delete(letter.referral.name)
            raise
    return letter


def _requested(letter: GuaranteeLetter) -> GuaranteeLetter:
    locked = GuaranteeLetter.objects.select_for_update().get(pk=letter.pk)
    if locked.status != Status.REQUESTED:
        raise ValidationError(_("Решение по этому запросу уже принято"), code="decided")
    return locked


def guarantee_letter_issue(
    *, letter: GuaranteeLetter, staff: User, number: str, valid_until: datetime.date | None
) -> GuaranteeLetter:
    errors = {}
    if not number.strip():
        errors["number"] = _("Укажите номер письма")
    if valid_until is None or valid_until < timezone.localdate():
        errors["valid_until"] = _("Укажите срок действия не раньше сегодняшнего дня")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = _requested(letter)
        if GuaranteeLetter.objects.filter(number=number.strip()).exclude(pk=locked.pk).exists():
            raise ValidationError({"number": _("Письмо с таким номером уже есть")})
        locked.status = Status.ISSUED
        locked.number = number.strip()
        locked.valid_until = valid_until
        locked.full_clean()
        locked.save()
        notify(
            user=locked.user,
            kind=NotificationKind.GUARANTEE_LETTER,
            title=_("Гарантийное письмо № %(number)s выдано") % {"number": locked.number},
            body=_("Действует до %(day)s") % {"day": f"{valid_until:%d.%m.%Y}"},
            url="/guarantee-letters/",
        )
    return locked


def guarantee_letter_refuse(
    *, letter: GuaranteeLetter, staff: User, reason: str
) -> GuaranteeLetter:
    if not reason.strip():
        raise ValidationError({"reason": _("Укажите пункт программы, по которому отказано")})
    with transaction.atomic():
        locked = _requested(letter)
        locked.status = Status.REFUSED
        locked.refusal_reason = reason.strip()
        locked.full_clean()
        locked.save()
    return locked
