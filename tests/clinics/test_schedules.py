"""The schedule adapter: the built-in tables by default, or the backend a clinic names."""

import pytest
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.test import override_settings

from clinics.schedules import schedule_for
from clinics.schedules.builtin import BuiltinSchedule
from tests.factories import AppointmentFactory, ClinicFactory

from .conftest import slot_at, tomorrow_at
from .schedule_backends import LocklessSchedule

pytestmark = pytest.mark.django_db

BACKENDS = {
    "builtin": "clinics.schedules.builtin.BuiltinSchedule",
    "mis": "tests.clinics.schedule_backends.LocklessSchedule",
}


def test_the_builtin_tables_are_the_default():
    assert isinstance(schedule_for(ClinicFactory()), BuiltinSchedule)


@override_settings(CLINIC_SCHEDULE_BACKENDS=BACKENDS)
def test_a_clinic_names_its_own_backend():
    clinic = ClinicFactory(schedule_backend="mis")

    assert isinstance(schedule_for(clinic), LocklessSchedule)


@override_settings(CLINIC_SCHEDULE_BACKENDS=BACKENDS, CLINIC_SCHEDULE_BACKEND="mis")
def test_the_setting_chooses_for_every_clinic():
    assert isinstance(schedule_for(ClinicFactory()), LocklessSchedule)


def test_an_unknown_backend_is_refused_by_validation_and_by_the_lookup():
    clinic = ClinicFactory(schedule_backend="nope")

    with pytest.raises(ValidationError):
        clinic.full_clean()
    with pytest.raises(ImproperlyConfigured):
        schedule_for(clinic)


def test_builtin_free_slots_leave_out_booked_ones(doctor):
    free = slot_at(doctor, tomorrow_at(9))
    taken = slot_at(doctor, tomorrow_at(10))
    AppointmentFactory(slot=taken)
    schedule = schedule_for(doctor.clinic)

    found = schedule.free_slots(doctor, tomorrow_at(0), tomorrow_at(23))
    by_doctor = schedule.free_slots_by_doctor([doctor], tomorrow_at(0), tomorrow_at(23))

    assert found == [free]
    assert by_doctor == {doctor.pk: [free]}
