"""The 2026 production calendar (the Government's decree on moving days off): the days off moved
from Saturday 3 January and Sunday 4 January to Friday 9 January and Thursday 31 December, and
the holidays falling on a weekend observed on Monday 9 March and Monday 11 May. `holidays`
before 0.107 treated these days as working days, so pyproject requires 0.107 or newer."""

import datetime
from importlib.metadata import version

import pytest

from portal.core.dates import is_working_day, working_days_after

D = datetime.date


def test_the_installed_calendar_knows_2026():
    major, minor = (int(part) for part in version("holidays").split(".")[:2])
    assert (major, minor) >= (0, 107)


@pytest.mark.parametrize(
    "day",
    [
        D(2026, 1, 9),  # moved from Saturday 3 January
        D(2026, 3, 9),  # 8 March is a Sunday
        D(2026, 5, 11),  # 9 May is a Saturday
        D(2026, 12, 31),  # moved from Sunday 4 January
    ],
)
def test_the_2026_transfers_are_days_off(day):
    assert is_working_day(day) is False


@pytest.mark.parametrize("day", [D(2026, 1, 12), D(2026, 3, 10), D(2026, 5, 12), D(2026, 12, 30)])
def test_the_days_after_them_are_working_days(day):
    assert is_working_day(day) is True


def test_five_working_days_from_29_december_2026():
    # 30 Dec (1), then 31 Dec and the New Year holidays 1–8 Jan 2027 are off: 11, 12, 13, 14 Jan
    assert working_days_after(D(2026, 12, 29), 5) == D(2027, 1, 14)
