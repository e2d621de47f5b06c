"""A bookable world: the person's DMS policy covers an online-booking clinic for outpatient care,
where a doctor has free times tomorrow."""

import datetime

import pytest
from django.utils import timezone

from tests.factories import (
    CareKindFactory,
    ClinicFactory,
    DoctorFactory,
    ProgramClinicFactory,
    SlotFactory,
)


def local(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def tomorrow_at(hour: int, minute: int = 0) -> datetime.datetime:
    return local(timezone.localdate() + datetime.timedelta(days=1), hour, minute)


def slot_at(doctor, starts_at: datetime.datetime):
    return SlotFactory(
        doctor=doctor, starts_at=starts_at, ends_at=starts_at + datetime.timedelta(minutes=30)
    )


@pytest.fixture
def outpatient(db):
    return CareKindFactory(code="outpatient", name="Амбулаторно-поликлиническое обслуживание")


@pytest.fixture
def dental(db):
    return CareKindFactory(code="dental", name="Стоматология")


@pytest.fixture
def booking_clinic(insured, dms_policy, outpatient):
    clinic = ClinicFactory(online_booking=True, name="Клиника «Онлайн»")
    ProgramClinicFactory(program=insured.program, clinic=clinic, care_kind=outpatient)
    return clinic


@pytest.fixture
def doctor(booking_clinic, outpatient):
    return DoctorFactory(
        clinic=booking_clinic, care_kind=outpatient, full_name="Орлова Анна Викторовна"
    )


@pytest.fixture
def slot(doctor):
    return slot_at(doctor, tomorrow_at(10))
