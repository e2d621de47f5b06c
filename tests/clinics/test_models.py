"""What the database refuses in clinics, schedules and bookings."""

from decimal import Decimal

import pytest

from clinics.models import Appointment
from tests.factories import (
    AppointmentFactory,
    ClinicFactory,
    DoctorFactory,
    ProgramClinicFactory,
    SlotFactory,
)

pytestmark = pytest.mark.django_db


def test_slot_must_end_after_it_starts(violates):
    slot = SlotFactory()

    with violates("slot_positive"):
        SlotFactory(doctor=slot.doctor, starts_at=slot.ends_at, ends_at=slot.ends_at)


def test_slot_start_is_unique_per_doctor(violates):
    slot = SlotFactory()
    SlotFactory(starts_at=slot.starts_at)  # another doctor at the same time is fine

    with violates():
        SlotFactory(doctor=slot.doctor, starts_at=slot.starts_at)


def test_one_booked_appointment_per_slot(violates):
    # given
    first = AppointmentFactory()

    # when / then
    with violates():
        AppointmentFactory(slot=first.slot)


def test_a_cancelled_booking_frees_the_slot(violates):
    # given
    cancelled = AppointmentFactory(status=Appointment.Status.CANCELLED)

    # when
    booked = AppointmentFactory(slot=cancelled.slot)

    # then
    assert set(cancelled.slot.appointments.values_list("status", flat=True)) == {
        Appointment.Status.CANCELLED,
        Appointment.Status.BOOKED,
    }
    with violates():
        AppointmentFactory(slot=booked.slot)


def test_clinic_coordinates_are_on_earth(violates):
    with violates("clinic_latitude_range"):
        ClinicFactory(latitude=Decimal("91"))
    with violates("clinic_longitude_range"):
        ClinicFactory(longitude=Decimal("-181"))


def test_clinic_name_and_address_are_unique(violates):
    clinic = ClinicFactory()

    with violates():
        ClinicFactory(name=clinic.name, address=clinic.address)


def test_program_covers_a_clinic_for_a_kind_of_care_once(violates):
    link = ProgramClinicFactory()

    with violates():
        ProgramClinicFactory(program=link.program, clinic=link.clinic, care_kind=link.care_kind)


def test_doctor_is_unique_in_a_clinic(violates):
    doctor = DoctorFactory()

    with violates():
        DoctorFactory(clinic=doctor.clinic, full_name=doctor.full_name, specialty=doctor.specialty)
