"""Changes of personal data, re-checked against the insurer's register."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from policies.identity import Identity
from policies.models import PolicyLink
from policies.selectors import insured_persons_for_user
from portal.accounts.models import AccountEvent, User
from portal.core.fields import blind_index

from .events import account_event_record

IDENTITY_FIELDS = ("last_name", "first_name", "middle_name", "no_middle_name", "birth_date")


class ProfileChangeRefused(ValidationError):
    """The new data no longer matches the register row linked to the account as the person."""


def _self_register_rows(user: User) -> list:
    own_links = PolicyLink.objects.filter(
        user=user, unlinked_at__isnull=True, relation=PolicyLink.Relation.SELF
    ).values("insured_person_id")
    return list(insured_persons_for_user(user).filter(pk__in=own_links))


def profile_update(
    *,
    user: User,
    last_name: str,
    first_name: str,
    middle_name: str,
    no_middle_name: bool,
    birth_date: datetime.date,
    passport_series: str = "",
    passport_number: str = "",
) -> list[str]:
    """Change the name, birth date or passport (empty series and number keep the passport).

    While a DMS policy is linked to the account as the person's own, the new data must still
    match its register row: otherwise nothing changes, the refusal is written to the account's
    history, and the person is sent to support (the register is the employer's to correct).
    Returns the names of the changed fields."""
    new = {
        "last_name": last_name,
        "first_name": first_name,
        "middle_name": "" if no_middle_name else middle_name,
        "no_middle_name": no_middle_name,
        "birth_date": birth_date,
    }
    changed = [field for field in IDENTITY_FIELDS if getattr(user, field) != new[field]]
    passport_index = user.passport_index
    if passport_series or passport_number:
        passport_index = blind_index(f"{passport_series}{passport_number}")
        if passport_index != user.passport_index:
            changed.append("passport")
    if not changed:
        return []

    identity = Identity(
        last_name=new["last_name"],
        first_name=new["first_name"],
        middle_name=new["middle_name"],
        birth_date=new["birth_date"],
        passport_index=passport_index,
    )
    if any(not identity.matches(row) for row in _self_register_rows(user)):
        account_event_record(
            user=user, kind=AccountEvent.Kind.PROFILE_CHANGE_REFUSED, fields=changed
        )
        raise ProfileChangeRefused(
            _(
                "Новые данные не совпадают с данными вашего полиса ДМС, поэтому мы не можем их "
                "сохранить. Если данные изменились (например, после смены фамилии или паспорта), "
                "позвоните в поддержку: %(phone)s"
            )
            % {"phone": settings.HOTLINE_PHONE_DISPLAY},
            code="profile_mismatch",
        )
    if (
        "passport" in changed
        and User.objects.filter(passport_index=passport_index).exclude(pk=user.pk).exists()
    ):
        raise ValidationError(
            _("Этот паспорт уже указан в другой учётной записи. Обратитесь в поддержку"),
            code="passport_taken",
        )

    with transaction.atomic():
        for field, value in new.items():
            setattr(user, field, value)
        if "passport" in changed:
            user.set_passport(passport_series, passport_number)
        user.full_clean()
        user.save()
        account_event_record(user=user, kind=AccountEvent.Kind.PROFILE_CHANGED, fields=changed)
    return changed
