"""The default schedule backend: the portal's own tables (Slot, Appointment), kept by operators."""

import datetime
from collections import defaultdict
from collections.abc import Iterable

from django.db.models import Exists, OuterRef, QuerySet

from clinics.models import Appointment, Doctor, Slot

from .base import ScheduleBackend, SlotUnavailable


def free_slots_queryset() -> QuerySet[Slot]:
    booked = Appointment.objects.filter(slot=OuterRef("pk"), status=Appointment.Status.BOOKED)
    return Slot.objects.filter(~Exists(booked))


class BuiltinSchedule(ScheduleBackend):
    def free_slots(
        self, doctor: Doctor, start: datetime.datetime, end: datetime.datetime
    ) -> list[Slot]:
        return list(
            free_slots_queryset()
            .filter(doctor=doctor, starts_at__gte=start, starts_at__lt=end)
            .order_by("starts_at", "pk")
        )

    def free_slots_by_doctor(
        self, doctors: Iterable[Doctor], start: datetime.datetime, end: datetime.datetime
    ) -> dict[int, list[Slot]]:
        ids = [doctor.pk for doctor in doctors]
        found: dict[int, list[Slot]] = defaultdict(list)
        for slot in (
            free_slots_queryset()
            .filter(doctor_id__in=ids, starts_at__gte=start, starts_at__lt=end)
            .order_by("starts_at", "pk")
        ):
            found[slot.doctor_id].append(slot)
        return {pk: found.get(pk, []) for pk in ids}

    def hold(self, slot: Slot) -> Slot:
        # The row lock makes a second booking of the same time wait for the first to commit and
        # then see it; the partial unique constraint on Appointment is the last word (SQLite has
        # no row locks, and takes a lock on the whole database when the booking writes instead).
        locked = Slot.objects.select_for_update().filter(pk=slot.pk).first()
        if locked is None:
            raise SlotUnavailable
        if Appointment.objects.filter(slot=locked, status=Appointment.Status.BOOKED).exists():
            raise SlotUnavailable
        return locked

    def release(self, slot: Slot) -> None:
        # Nothing to give back: a cancelled or moved appointment no longer holds the slot.
        return None
