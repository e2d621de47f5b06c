"""What the portal needs of a clinic's schedule system.

A backend answers for one clinic. The portal's own schedule tables (`builtin.BuiltinSchedule`)
are the default; a clinic's own system (its MIS) plugs in as another subclass, named in the
CLINIC_SCHEDULE_BACKENDS setting and chosen per clinic (`Clinic.schedule_backend`) or for all
clinics (CLINIC_SCHEDULE_BACKEND). Such a backend keeps the free times it offers as `Slot` rows
(an appointment always points at a slot), reserves a time in the remote system in `hold`
and gives it back in `release`.
"""

import datetime
from abc import ABC, abstractmethod
from collections.abc import Iterable

from clinics.models import Clinic, Doctor, Slot


class SlotUnavailable(Exception):
    """The schedule refuses the time: someone holds it already, or it is gone."""


class ScheduleBackend(ABC):
    def __init__(self, clinic: Clinic) -> None:
        self.clinic = clinic

    @abstractmethod
    def free_slots(
        self, doctor: Doctor, start: datetime.datetime, end: datetime.datetime
    ) -> list[Slot]:
        """The doctor's free times that start in [start, end), earliest first."""

    def free_slots_by_doctor(
        self, doctors: Iterable[Doctor], start: datetime.datetime, end: datetime.datetime
    ) -> dict[int, list[Slot]]:
        """Free times of several doctors of the clinic, by doctor id (a backend may do it in one
        request instead of one per doctor)."""
        return {doctor.pk: self.free_slots(doctor, start, end) for doctor in doctors}

    @abstractmethod
    def hold(self, slot: Slot) -> Slot:
        """Reserve the time for a booking being made. Runs inside the booking's transaction and
        must keep another booking of the same time out until it ends; raises SlotUnavailable."""

    @abstractmethod
    def release(self, slot: Slot) -> None:
        """Give a time back after a booking of it was cancelled or moved away."""
