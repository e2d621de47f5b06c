"""The clinics' schedule: the doctors' free times and the hold a booking takes on one.

The portal's own tables (Slot, Appointment), kept by operators, are the one schedule there is: a
time is free while no booked appointment points at its slot. A clinic whose own system (its MIS)
should give the times would be connected here, its free times kept as Slot rows (an appointment
always points at a slot) and its reservation made in `slot_hold`.
"""

import datetime
from collections import defaultdict
from collections.abc import Iterable

from django.db.models import Exists, OuterRef, QuerySet

from clinics.models import Appointment, Doctor, Slot


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
