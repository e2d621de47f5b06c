"""Writes of appeals: numbering, deadlines and the appeals made by other sections of the cabinet.

The appeals issue builds the person's «Мои обращения» on top of these.
"""

import datetime
import re
from collections.abc import Callable
from typing import TypeVar

from django.db import IntegrityError, transaction
from django.db.models import IntegerField, Max
from django.db.models.functions import Cast, Substr
from django.utils import timezone

from portal.core.dates import working_days_after

from .models import Appeal

# «О-2026-000046»: the letter О (Cyrillic), the year of registration, a serial within the year.
NUMBER_PREFIX = "О"
SERIAL_WIDTH = 6
# Every appeal is answered within this many working days of the Russian calendar.
ANSWER_WORKING_DAYS = 5
NUMBER_ATTEMPTS = 5

T = TypeVar("T")


def appeal_number_prefix(year: int) -> str:
    return f"{NUMBER_PREFIX}-{year}-"


def appeal_number_next(*, year: int) -> str:
    """The next free number of the year: one past the largest taken, so it never repeats one.

    Read, not reserved: two appeals registered at the same moment may read the same number; the
    unique constraint on `Appeal.number` refuses the second, and `appeal_with_number` retries it.
    """
    prefix = appeal_number_prefix(year)
    largest = (
        Appeal.objects.filter(
            number__startswith=prefix, number__regex=rf"^{re.escape(prefix)}[0-9]+$"
        )
        .annotate(serial=Cast(Substr("number", len(prefix) + 1), IntegerField()))
        .aggregate(largest=Max("serial"))["largest"]
    )
    return f"{prefix}{(largest or 0) + 1:0{SERIAL_WIDTH}d}"


def appeal_due_on(*, registered_on: datetime.date) -> datetime.date:
    """The answer is due on the 5th working day after registration (holidays skipped)."""
    return working_days_after(registered_on, ANSWER_WORKING_DAYS)


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
