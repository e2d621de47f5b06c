"""The clinic's «часы работы» give its visit times: weekends included when it works then."""

import datetime
from zoneinfo import ZoneInfo

import pytest

from clinics import schedule
from devtools.demo.network import slot_starts

MSK = ZoneInfo("Europe/Moscow")
T = datetime.time
SATURDAY = datetime.date(2026, 12, 12)
SUNDAY = datetime.date(2026, 12, 13)
MONDAY = datetime.date(2026, 12, 14)


@pytest.mark.parametrize(
    ("text", "day", "expected"),
    [
        ("пн–пт 8:00–21:00, сб–вс 9:00–18:00", 0, (T(8), T(21))),
        ("пн–пт 8:00–21:00, сб–вс 9:00–18:00", 6, (T(9), T(18))),
        ("пн–пт 8:00–20:00, сб 9:00–15:00", 5, (T(9), T(15))),
        ("пн–пт 8:00–20:00, сб 9:00–15:00", 6, None),
        ("ежедневно 9:00–21:00", 6, (T(9), T(21))),
        ("пн–сб 9:00–21:00, вс 10:00–17:00", 6, (T(10), T(17))),
        ("круглосуточно", 6, schedule.ROUND_THE_CLOCK_VISITS),
    ],
)
def test_opening_hours_are_read_per_weekday(text, day, expected):
    assert schedule.opening_hours(text).get(day) == expected


def test_unreadable_hours_give_no_times():
    assert schedule.opening_hours("по записи") == {}
    assert schedule.opening_hours("") == {}


def test_visit_times_follow_the_hours_weekends_included():
    hours = schedule.opening_hours("пн–пт 8:00–20:00, сб 9:00–15:00")
    length = datetime.timedelta(minutes=30)

    saturday = schedule.slot_starts_for_day(hours, SATURDAY, length, MSK)
    sunday = schedule.slot_starts_for_day(hours, SUNDAY, length, MSK)
    monday = schedule.slot_starts_for_day(hours, MONDAY, length, MSK)

    assert saturday[0].time() == T(9) and saturday[-1].time() == T(14, 30)
    assert sunday == []
    assert monday[0].time() == T(8) and monday[-1].time() == T(19, 30) and len(monday) == 24


def test_the_demo_schedule_has_weekend_times_for_a_clinic_open_on_weekends():
    now = datetime.datetime.combine(SATURDAY, T(0), tzinfo=MSK)
    starts = slot_starts(hours="ежедневно 9:00–21:00", today=SATURDAY, now=now)
    closed = slot_starts(hours="пн–пт 8:00–20:00", today=SATURDAY, now=now)

    assert any(start.date() == SUNDAY for start in starts)
    assert not any(start.date() in (SATURDAY, SUNDAY) for start in closed)


def test_a_time_outside_the_hours_is_told_apart():
    hours = "пн–пт 8:00–20:00, сб 9:00–15:00"
    inside = datetime.datetime.combine(SATURDAY, T(10), tzinfo=MSK)
    late = datetime.datetime.combine(SATURDAY, T(15), tzinfo=MSK)
    half = datetime.timedelta(minutes=30)

    assert not schedule.slot_outside_hours(hours, inside, inside + half, MSK)
    assert schedule.slot_outside_hours(hours, late, late + half, MSK)
    assert schedule.slot_outside_hours(
        hours, inside + datetime.timedelta(days=1), inside + datetime.timedelta(days=1) + half, MSK
    )
