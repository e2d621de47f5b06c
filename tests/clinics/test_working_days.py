"""portal.core.dates: the Russian working-day calendar that deadlines are counted in."""

import datetime

import pytest

from portal.core.dates import is_working_day, working_days_after, working_days_between

D = datetime.date


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (D(2026, 1, 5), False),  # New Year holidays
        (D(2026, 1, 9), False),  # a day off moved from Saturday 3 January
        (D(2026, 1, 12), True),
        (D(2025, 12, 31), False),  # moved from Sunday 5 January 2025
        (D(2025, 11, 1), True),  # a Saturday made a working day
        (D(2026, 3, 7), False),  # a plain Saturday
        (D(2026, 3, 9), False),  # 8 March falls on a Sunday: Monday is off
    ],
)
def test_is_working_day(day, working):
    assert is_working_day(day) is working


def test_five_working_days_across_the_new_year_holidays():
    assert working_days_after(D(2025, 12, 31), 5) == D(2026, 1, 16)


def test_an_ordinary_week():
    # Monday → the next Monday: Saturday and Sunday are skipped
    assert working_days_after(D(2026, 4, 13), 5) == D(2026, 4, 20)
    assert working_days_after(D(2026, 4, 13), 0) == D(2026, 4, 13)


def test_working_days_between():
    assert working_days_between(D(2025, 12, 30), D(2026, 1, 12)) == 1
    assert working_days_between(D(2026, 1, 12), D(2026, 1, 12)) == 0


def test_negative_days_are_refused():
    with pytest.raises(ValueError):
        working_days_after(D(2026, 1, 1), -1)
