"""Writes that span apps: each app's part is its own service, called here in one transaction."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clinics.services.booking import appointments_cancel_upcoming
from policies.identity import Identity
from policies.models import Policy
from policies.selectors import own_register_rows
from policies.services import policy_documents_refresh, policy_links_end
from portal.accounts.models import AccountEvent, User
from portal.accounts.services import (
    account_anonymise,
    account_event_record,
    latin_name_set,
    profile_change,
    profile_change_save,
)


class ProfileChangeRefused(ValidationError):
    """The new data no longer matches the register row linked to the account as the person."""


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
    change = profile_change(
        user=user,
        last_name=last_name,
        first_name=first_name,
        middle_name=middle_name,
        no_middle_name=no_middle_name,
        birth_date=birth_date,
        passport_series=passport_series,
        passport_number=passport_number,
    )
    if not change.changed:
        return []

    identity = Identity(
        last_name=change.new["last_name"],
        first_name=change.new["first_name"],
        middle_name=change.new["middle_name"],
        birth_date=change.new["birth_date"],
        passport_index=change.passport_index,
    )
    if any(not identity.matches(row) for row in own_register_rows(user)):
        account_event_record(
            user=user, kind=AccountEvent.Kind.PROFILE_CHANGE_REFUSED, fields=change.changed
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
    return profile_change_save(change=change)


@transaction.atomic
def latin_name_update(*, user: User, last_name_latin: str, first_name_latin: str) -> list[str]:
    """The Latin name as in the foreign passport; the ВЗР/ВПМК policies of the person's own
    register rows print it, so their PDFs are made again (by the worker, after the commit)."""
    changed = latin_name_set(
        user=user, last_name_latin=last_name_latin, first_name_latin=first_name_latin
    )
    if changed:
        own = [row.pk for row in own_register_rows(user)]
        policy_documents_refresh(
            policies=Policy.objects.filter(
                product=Policy.Product.VZR, insured_person_id__in=own
            ).select_related(
                "holder", "insured_person__program", "insured_person__contract__policyholder"
            )
        )
    return changed


@transaction.atomic
def account_delete(*, user: User) -> None:
    """Delete the account at the person's request (152-FZ art. 21): end the links to policies,
    cancel future bookings (through the booking service: each visit gets its cancellation time
    and event row, and the clinic's schedule gets the time back), then withdraw the consents and
    anonymise the account (portal.accounts.services.account_anonymise)."""
    now = timezone.now()
    policy_links_end(user=user, now=now)
    appointments_cancel_upcoming(user=user, now=now)
    account_anonymise(user=user, now=now)
