"""Numbering and deadlines of appeals: every appeal, the person's and the clinics' «клиника
отказала» reports alike, takes its number and due date here."""

import datetime
import re
from collections.abc import Callable
from typing import TypeVar

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import IntegerField, Max
from django.db.models.functions import Cast, Substr
from django.utils import timezone

from portal.core.dates import working_days_after

from ..models import Appeal, AppealNumberSequence

# «О-2026-000046»: the letter О (Cyrillic), the year of registration, a serial within the year.
NUMBER_PREFIX = "О"
SERIAL_WIDTH = 6
# Every appeal is answered within this many working days of the Russian calendar.
ANSWER_WORKING_DAYS = 5
NUMBER_ATTEMPTS = 5

T = TypeVar("T")


def appeal_number_prefix(year: int) -> str:
    return f"{NUMBER_PREFIX}-{year}-"


def _largest_serial(year: int) -> int:
    prefix = appeal_number_prefix(year)
    largest = (
        Appeal.objects.filter(
            number__startswith=prefix, number__regex=rf"^{re.escape(prefix)}[0-9]+$"
        )
        .annotate(serial=Cast(Substr("number", len(prefix) + 1), IntegerField()))
        .aggregate(largest=Max("serial"))["largest"]
    )
    return largest or 0


def appeal_number_next(*, year: int) -> str:
    """The next number of the year, taken from the year's counter row (locked while it moves), so
    a number once given — even to an appeal deleted since — is never given again. The counter
    starts past the largest number already taken (the seed's, or numbers from before it).

    Two appeals registered when the counter row is first made may still meet; the unique
    constraint on `Appeal.number` refuses the second, and `appeal_with_number` retries it."""
    with transaction.atomic():
        sequence, _created = AppealNumberSequence.objects.select_for_update().get_or_create(
            year=year
        )
        serial = max(sequence.last, _largest_serial(year)) + 1
        sequence.last = serial
        sequence.save(update_fields=["last"])
    return f"{appeal_number_prefix(year)}{serial:0{SERIAL_WIDTH}d}"


def appeal_due_days(kind: str | None) -> int:
    """Working days to answer an appeal of this kind (settings.APPEAL_DUE_WORKING_DAYS)."""
    per_kind = getattr(settings, "APPEAL_DUE_WORKING_DAYS", {})
    return int(per_kind.get(kind, ANSWER_WORKING_DAYS)) if kind else ANSWER_WORKING_DAYS


def appeal_due_on(*, registered_on: datetime.date, kind: str | None = None) -> datetime.date:
    """The answer is due on the N-th working day after registration (Russian holidays and moved
    days off skipped), N set per kind of appeal."""
    return working_days_after(registered_on, appeal_due_days(kind))


def appeal_with_number(create: Callable[[str], T], *, year: int | None = None) -> T:
    """Calls `create(number)` with the next free number, again with a fresh one when another
    appeal took that number in the meantime. `create` runs in a savepoint of its own."""
    year = year or timezone.localdate().year
    for attempt in range(NUMBER_ATTEMPTS):
        number = appeal_number_next(year=year)
        try:
            with transaction.atomic():
                return create(number)
        except IntegrityError:
            if attempt == NUMBER_ATTEMPTS - 1 or not Appeal.objects.filter(number=number).exists():
                raise
    raise AssertionError("unreachable")
