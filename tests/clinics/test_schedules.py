"""The schedule: a doctor's free times leave out booked ones, and a booked time cannot be held."""

import pytest
from django.db import transaction

from clinics import schedule
from tests.factories import AppointmentFactory

from .conftest import slot_at, tomorrow_at

pytestmark = pytest.mark.django_db


def test_free_slots_leave_out_booked_ones(doctor):
    free = slot_at(doctor, tomorrow_at(9))
    taken = slot_at(doctor, tomorrow_at(10))
    AppointmentFactory(slot=taken)

    found = schedule.free_slots(doctor, tomorrow_at(0), tomorrow_at(23))
    by_doctor = schedule.free_slots_by_doctor([doctor], tomorrow_at(0), tomorrow_at(23))

    assert found == [free]
    assert by_doctor == {doctor.pk: [free]}


def test_a_free_time_is_held_and_a_booked_or_deleted_one_is_refused(doctor):
    free = slot_at(doctor, tomorrow_at(9))
    taken = slot_at(doctor, tomorrow_at(10))
    AppointmentFactory(slot=taken)
    gone = slot_at(doctor, tomorrow_at(11))
    gone_pk = gone.pk
    gone.delete()
    gone.pk = gone_pk

    with transaction.atomic():
        assert schedule.slot_hold(free) == free
    for refused in (taken, gone):
        with transaction.atomic(), pytest.raises(schedule.SlotUnavailable):
            schedule.slot_hold(refused)
