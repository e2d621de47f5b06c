"""The clinics' schedule: the doctors' free times and the hold a booking takes on one.

The portal's own tables (Slot, Appointment), kept by operators, are the one schedule there is: a
time is free while no booked appointment points at its slot. A clinic whose own system (its MIS)
should give the times would be connected here, its free times kept as Slot rows (an appointment
always points at a slot) and its reservation made in `slot_hold`.
"""

import datetime
import re
from collections import defaultdict
from collections.abc import Iterable

from django.db.models import Exists, OuterRef, QuerySet

from clinics.models import Appointment, Doctor, Slot

WEEKDAYS = ("пн", "вт", "ср", "чт", "пт", "сб", "вс")
# A clinic open round the clock still books its doctors' visits in daytime only.
ROUND_THE_CLOCK_VISITS = (datetime.time(8, 0), datetime.time(22, 0))
_TIME = r"(\d{1,2})[:.](\d{2})"
_PART = re.compile(
    rf"^\s*(?P<days>ежедневно|[а-я]{{2}}(?:\s*[–—-]\s*[а-я]{{2}})?(?:\s*,\s*[а-я]{{2}})*)"
    rf"\s+{_TIME}\s*[–—-]\s*{_TIME}\s*$"
)

OpeningHours = dict[int, tuple[datetime.time, datetime.time]]


def _day_range(text: str) -> list[int]:
    if text == "ежедневно":
        return list(range(7))
    days: list[int] = []
    for chunk in re.split(r"\s*,\s*", text):
        ends = re.split(r"\s*[–—-]\s*", chunk)
        first, last = WEEKDAYS.index(ends[0]), WEEKDAYS.index(ends[-1])
        days.extend(range(first, last + 1))
    return days


def _time(hours: str, minutes: str) -> datetime.time:
    hour = int(hours)
    return datetime.time.max if hour == 24 else datetime.time(hour, int(minutes))


def opening_hours(text: str) -> OpeningHours:
    """The clinic's «часы работы» as weekday (0 = Monday) → (opens, closes): «пн–пт 8:00–21:00,
    сб–вс 9:00–18:00», «ежедневно 9:00–21:00», «круглосуточно». Days not named are closed;
    text that cannot be read gives no hours (no times are made for it)."""
    text = (text or "").strip().lower()
    if not text:
        return {}
    if text.startswith("круглосуточно"):
        return dict.fromkeys(range(7), ROUND_THE_CLOCK_VISITS)
    hours: OpeningHours = {}
    # «пн–пт 8:00–20:00, сб 9:00–15:00»: a comma before a day name starts a new part
    for part in re.split(r"[;,]\s*(?=(?:ежедневно|[а-я]{2})\b)", text):
        match = _PART.match(part)
        if match is None:
            try:
                days = _day_range(part.strip().split()[0])
            except (ValueError, IndexError):
                continue
            if "выходн" in part:
                for day in days:
                    hours.pop(day, None)
            continue
        try:
            days = _day_range(match["days"])
        except ValueError:
            continue
        opens, closes = _time(match[2], match[3]), _time(match[4], match[5])
        for day in days:
            hours[day] = (opens, closes)
    return hours


def slot_starts_for_day(
    hours: OpeningHours, day: datetime.date, length: datetime.timedelta, tz
) -> list[datetime.datetime]:
    """The start times of visits of `length` that fit in the clinic's hours of that day
    (weekends included when the clinic works then)."""
    if day.weekday() not in hours:
        return []
    opens, closes = hours[day.weekday()]
    start = datetime.datetime.combine(day, opens, tzinfo=tz)
    end = datetime.datetime.combine(day, closes, tzinfo=tz)
    starts = []
    while start + length <= end:
        starts.append(start)
        start += length
    return starts


def slot_outside_hours(
    hours_text: str, starts_at: datetime.datetime, ends_at: datetime.datetime, tz
) -> bool:
    """Whether a visit falls outside the clinic's hours (hours that cannot be read say no)."""
    hours = opening_hours(hours_text)
    if not hours:
        return False
    local_start, local_end = starts_at.astimezone(tz), ends_at.astimezone(tz)
    window = hours.get(local_start.weekday())
    if window is None:
        return True
    return not (
        window[0] <= local_start.time()
        and (local_end.time() <= window[1] or window[1] == datetime.time.max)
        and local_end.date() == local_start.date()
    )


class SlotUnavailable(Exception):
    """The schedule refuses the time: someone holds it already, or it is gone."""


def free_slots_queryset() -> QuerySet[Slot]:
    booked = Appointment.objects.filter(slot=OuterRef("pk"), status=Appointment.Status.BOOKED)
    return Slot.objects.filter(~Exists(booked))


def free_slots(doctor: Doctor, start: datetime.datetime, end: datetime.datetime) -> list[Slot]:
    """The doctor's free times that start in [start, end), earliest first."""
    return list(
        free_slots_queryset()
        .filter(doctor=doctor, starts_at__gte=start, starts_at__lt=end)
        .order_by("starts_at", "pk")
    )


def free_slots_by_doctor(
    doctors: Iterable[Doctor], start: datetime.datetime, end: datetime.datetime
) -> dict[int, list[Slot]]:
    """Free times of several doctors, by doctor id, in one query."""
    ids = [doctor.pk for doctor in doctors]
    found: dict[int, list[Slot]] = defaultdict(list)
    for slot in (
        free_slots_queryset()
        .filter(doctor_id__in=ids, starts_at__gte=start, starts_at__lt=end)
        .order_by("starts_at", "pk")
    ):
        found[slot.doctor_id].append(slot)
    return {pk: found.get(pk, []) for pk in ids}


def slot_hold(slot: Slot) -> Slot:
    """Reserve the time for a booking being made: runs inside the booking's transaction and keeps
    another booking of the same time out until it ends; raises SlotUnavailable."""
    # The row lock makes a second booking of the same time wait for the first to commit and
    # then see it; the partial unique constraint on Appointment is the last word (SQLite has
    # no row locks, and takes a lock on the whole database when the booking writes instead).
    locked = Slot.objects.select_for_update().filter(pk=slot.pk).first()
    if locked is None:
        raise SlotUnavailable
    if Appointment.objects.filter(slot=locked, status=Appointment.Status.BOOKED).exists():
        raise SlotUnavailable
    return locked
