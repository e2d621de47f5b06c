"""Working days of the Russian production calendar (appeal deadlines, clinic attachment periods).

The calendar comes from the `holidays` package: public holidays, the days off moved by the
government's decree (31 December, 9 January 2026...) and the Saturdays made working days in
exchange (1 November 2025...).
"""

import datetime
from functools import lru_cache

import holidays

COUNTRY = "RU"


@lru_cache(maxsize=16)
def _calendar(year: int) -> holidays.HolidayBase:
    return holidays.country_holidays(COUNTRY, years=year)


def is_working_day(day: datetime.date) -> bool:
    """A weekday that is not a holiday or a moved day off, or a Saturday made a working day."""
    return _calendar(day.year).is_working_day(day)


def working_days_after(start: datetime.date, days: int) -> datetime.date:
    """The date `days` working days after `start` (which itself is not counted): the 5th working
    day after Wednesday 31 December 2025 is Friday 16 January 2026."""
    if days < 0:
        raise ValueError("days must not be negative")
    day = start
    counted = 0
    while counted < days:
        day += datetime.timedelta(days=1)
        if is_working_day(day):
            counted += 1
    return day


def working_days_between(start: datetime.date, end: datetime.date) -> int:
    """How many working days lie after `start` up to and including `end` (0 when end <= start)."""
    count = 0
    day = start
    while day < end:
        day += datetime.timedelta(days=1)
        if is_working_day(day):
            count += 1
    return count
