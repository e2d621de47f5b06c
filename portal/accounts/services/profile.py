"""Changes of personal data. The check against the insurer's register is the cabinet's
(cabinet.services.profile_update): it reads what would change here, then saves it here."""

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from portal.accounts.models import AccountEvent, User
from portal.core.fields import blind_index

from .events import account_event_record

IDENTITY_FIELDS = ("last_name", "first_name", "middle_name", "no_middle_name", "birth_date")


@dataclass(frozen=True)
class ProfileChange:
    user: User
    new: dict  # the identity fields' new values
    changed: list[str]  # the names of the changed fields ("passport" for the passport)
    passport_index: str  # the passport's blind index after the change
    passport_series: str = ""
    passport_number: str = ""


def profile_change(
    *,
    user: User,
    last_name: str,
    first_name: str,
    middle_name: str,
    no_middle_name: bool,
    birth_date: datetime.date,
    passport_series: str = "",
    passport_number: str = "",
) -> ProfileChange:
    """What a change of the name, birth date or passport would change (empty series and number
    keep the passport); nothing is written."""
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
    return ProfileChange(
        user=user,
        new=new,
        changed=changed,
        passport_index=passport_index,
        passport_series=passport_series,
        passport_number=passport_number,
    )


def profile_change_save(*, change: ProfileChange) -> list[str]:
    """Save the change (a passport of another account is refused); returns the names of the
    changed fields."""
    user = change.user
    if not change.changed:
        return []
    if (
        "passport" in change.changed
        and User.objects.filter(passport_index=change.passport_index).exclude(pk=user.pk).exists()
    ):
        raise ValidationError(
            _("Этот паспорт уже указан в другой учётной записи. Обратитесь в поддержку"),
            code="passport_taken",
        )

    with transaction.atomic():
        for field, value in change.new.items():
            setattr(user, field, value)
        if "passport" in change.changed:
            user.set_passport(change.passport_series, change.passport_number)
        user.full_clean()
        user.save()
        account_event_record(
            user=user, kind=AccountEvent.Kind.PROFILE_CHANGED, fields=change.changed
        )
    return change.changed


@transaction.atomic
def latin_name_set(*, user: User, last_name_latin: str, first_name_latin: str) -> list[str]:
    """The name as the person's foreign passport prints it (for ВЗР/ВПМК policies); empty means
    «transliterate my name». Returns the changed fields."""
    new = {"last_name_latin": last_name_latin, "first_name_latin": first_name_latin}
    changed = [field for field, value in new.items() if getattr(user, field) != value]
    if not changed:
        return []
    for field in changed:
        setattr(user, field, new[field])
    user.save(update_fields=[*changed])
    account_event_record(user=user, kind=AccountEvent.Kind.PROFILE_CHANGED, fields=changed)
    return changed
