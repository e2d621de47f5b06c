"""Clinic schedules behind one small interface (see base.py); `schedule_for(clinic)` picks one."""

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

from clinics.models import Clinic

from .base import ScheduleBackend, SlotUnavailable

__all__ = ["ScheduleBackend", "SlotUnavailable", "schedule_for"]


def schedule_for(clinic: Clinic) -> ScheduleBackend:
    """The clinic's own backend when it names one, the CLINIC_SCHEDULE_BACKEND setting's else."""
    name = clinic.schedule_backend or settings.CLINIC_SCHEDULE_BACKEND
    try:
        path = settings.CLINIC_SCHEDULE_BACKENDS[name]
    except KeyError as exc:
        raise ImproperlyConfigured(
            f"clinic {clinic.pk}: schedule backend {name!r} is not in CLINIC_SCHEDULE_BACKENDS"
        ) from exc
    return import_string(path)(clinic)
