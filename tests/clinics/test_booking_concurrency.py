"""Two people press «Подтвердить запись» for the same time at the same moment: one gets it, the
other a Russian message; never two bookings. Real concurrency needs real connections and row
locks: PostgreSQL only, each thread with its own connection, committed transactions."""

import threading

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection

from clinics import schedule
from clinics.models import Appointment
from clinics.services.booking import appointment_book
from tests.factories import (
    CareKindFactory,
    ClinicFactory,
    DoctorFactory,
    InsuredPersonFactory,
    PolicyFactory,
    PolicyLinkFactory,
    ProgramClinicFactory,
    UserFactory,
)

from .conftest import slot_at, tomorrow_at
from .slot_holds import hold_nothing_slowly, hold_slowly

pytestmark = [
    pytest.mark.skipif(
        settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
        reason="needs PostgreSQL: SQLite has no row locks and one writer at a time, so two "
        "bookings can never overlap there (set DATABASE_URL=postgres://...)",
    ),
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def contested_slot():
    kind = CareKindFactory(code="outpatient")
    clinic = ClinicFactory(online_booking=True)
    return slot_at(DoctorFactory(clinic=clinic, care_kind=kind), tomorrow_at(12))


def covered_person(slot):
    user = UserFactory()
    person = InsuredPersonFactory()
    PolicyLinkFactory(user=user, insured_person=person)
    PolicyFactory(insured_person=person)
    ProgramClinicFactory(
        program=person.program, clinic=slot.doctor.clinic, care_kind=slot.doctor.care_kind
    )
    return user, person


def book_at_once(slot, people) -> list:
    """Every person books the slot in a thread of their own, all released together."""
    start = threading.Barrier(len(people))
    results: list = [None] * len(people)

    def attempt(index, user, person):
        try:
            start.wait()
            results[index] = appointment_book(user=user, insured_person=person, slot=slot)
        except ValidationError as error:
            results[index] = error
        finally:
            connection.close()

    threads = [
        threading.Thread(target=attempt, args=(i, user, person))
        for i, (user, person) in enumerate(people)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


def assert_one_booked_one_refused(slot, results):
    booked = [r for r in results if isinstance(r, Appointment)]
    refused = [r for r in results if isinstance(r, ValidationError)]
    assert len(booked) == 1, results
    assert len(refused) == len(results) - 1, results
    assert {error.code for error in refused} == {"slot_taken"}
    assert {error.messages[0] for error in refused} == {"Это время уже занято: выберите другое."}
    assert Appointment.objects.filter(slot=slot, status="booked").count() == 1


def test_the_slot_lock_lets_one_of_two_concurrent_bookings_through(contested_slot, monkeypatch):
    # given: two people covered for the clinic; the schedule holds its lock half a second, so
    # the second booking surely arrives while the first is in progress
    monkeypatch.setattr(schedule, "slot_hold", hold_slowly)
    people = [covered_person(contested_slot) for _ in range(2)]

    results = book_at_once(contested_slot, people)

    assert_one_booked_one_refused(contested_slot, results)


def test_without_a_lock_the_constraint_refuses_the_second_booking(contested_slot, monkeypatch):
    # given: a schedule that reserves nothing (both bookings get past it), so both INSERTs race:
    # the partial unique index makes the second wait for the first and fail, and the service
    # turns that IntegrityError into the Russian message
    monkeypatch.setattr(schedule, "slot_hold", hold_nothing_slowly)
    people = [covered_person(contested_slot) for _ in range(3)]

    results = book_at_once(contested_slot, people)

    assert_one_booked_one_refused(contested_slot, results)
