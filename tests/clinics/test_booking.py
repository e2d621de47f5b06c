"""Booking, moving and cancelling: who may take which time, and what is refused (services)."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from clinics import schedule
from clinics.models import Appointment, AppointmentEvent
from clinics.services.booking import (
    CancelReason,
    appointment_book,
    appointment_cancel,
    appointment_move,
)
from tests.factories import (
    AppointmentFactory,
    ClinicFactory,
    DoctorFactory,
    InsuredPersonFactory,
    PolicyFactory,
    PolicyLinkFactory,
    ProgramClinicFactory,
    UserFactory,
)

from .conftest import slot_at, tomorrow_at
from .factories import CopayEnrollmentFactory
from .slot_holds import hold_nothing

pytestmark = pytest.mark.django_db


def test_the_person_books_a_free_time_of_a_covered_clinic(user, insured, slot):
    # when
    appointment = appointment_book(user=user, insured_person=insured, slot=slot)

    # then
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.BOOKED
    assert (appointment.user, appointment.insured_person, appointment.slot) == (user, insured, slot)
    assert appointment.sequence == 0
    assert list(appointment.events.values_list("action", flat=True)) == ["booked"]


def test_a_child_linked_to_the_person_can_be_booked(user, insured, outpatient, slot):
    # given: a child on a program without co-pay that covers the clinic too
    child = InsuredPersonFactory(child=True, parent=insured, contract=insured.contract)
    PolicyLinkFactory(user=user, insured_person=child)
    PolicyFactory(insured_person=child)
    ProgramClinicFactory(program=child.program, clinic=slot.doctor.clinic, care_kind=outpatient)

    appointment = appointment_book(user=user, insured_person=child, slot=slot)

    assert appointment.insured_person == child


def test_booking_is_refused_for_a_clinic_outside_the_program(user, insured, dms_policy, outpatient):
    # given: an online clinic that the person's program does not include
    other = DoctorFactory(clinic=ClinicFactory(online_booking=True), care_kind=outpatient)
    slot = slot_at(other, tomorrow_at(11))

    with pytest.raises(ValidationError) as refusal:
        appointment_book(user=user, insured_person=insured, slot=slot)

    assert refusal.value.code == "not_covered"
    assert "не входит в программу" in refusal.value.messages[0]
    assert not Appointment.objects.exists()


def test_booking_is_refused_for_a_kind_of_care_the_clinic_is_not_covered_for(
    user, insured, booking_clinic, dental
):
    dentist = DoctorFactory(clinic=booking_clinic, care_kind=dental, specialty="стоматолог")

    with pytest.raises(ValidationError) as refusal:
        appointment_book(user=user, insured_person=insured, slot=slot_at(dentist, tomorrow_at(9)))

    assert refusal.value.code == "not_covered"


def test_booking_is_refused_for_a_taken_slot(user, insured, slot):
    # given: someone else holds the time
    AppointmentFactory(slot=slot)

    with pytest.raises(ValidationError) as refusal:
        appointment_book(user=user, insured_person=insured, slot=slot)

    assert refusal.value.code == "slot_taken"
    assert refusal.value.messages == ["Это время уже занято: выберите другое."]
    assert slot.appointments.filter(user=user).count() == 0


def test_booking_is_refused_for_another_persons_patient_id(user, slot):
    # given: an insured person linked to somebody else, even one covered by the same clinic
    stranger = InsuredPersonFactory()
    PolicyLinkFactory(insured_person=stranger)
    PolicyFactory(insured_person=stranger)

    with pytest.raises(ValidationError) as refusal:
        appointment_book(user=user, insured_person=stranger, slot=slot)

    assert refusal.value.code == "not_your_patient"
    assert not Appointment.objects.exists()


def test_booking_is_refused_without_a_policy_in_force_on_the_day(user, insured, dms_policy, slot):
    # given: the policy ends before the visit
    dms_policy.ends_on = timezone.localdate()
    dms_policy.save()

    with pytest.raises(ValidationError) as refusal:
        appointment_book(user=user, insured_person=insured, slot=slot)

    assert refusal.value.code == "no_policy"


def test_booking_is_refused_in_a_clinic_without_online_booking(user, insured, slot):
    clinic = slot.doctor.clinic
    clinic.online_booking = False
    clinic.save()

    with pytest.raises(ValidationError) as refusal:
        appointment_book(user=user, insured_person=insured, slot=slot)

    assert refusal.value.code == "no_online_booking"


def test_booking_is_refused_for_a_past_time(user, insured, doctor):
    past = slot_at(doctor, timezone.now() - datetime.timedelta(hours=1))

    with pytest.raises(ValidationError) as refusal:
        appointment_book(user=user, insured_person=insured, slot=past)

    assert refusal.value.code == "past"


def test_a_patient_cannot_hold_two_times_at_once(user, insured, booking_clinic, outpatient, slot):
    # given: the patient is booked with another doctor of the clinic at the same time
    other = DoctorFactory(clinic=booking_clinic, care_kind=outpatient)
    appointment_book(user=user, insured_person=insured, slot=slot_at(other, slot.starts_at))

    with pytest.raises(ValidationError) as refusal:
        appointment_book(user=user, insured_person=insured, slot=slot)

    assert refusal.value.code == "patient_busy"


# --- Co-pay programs --------------------------------------------------------------------------


@pytest.fixture
def copay_program(insured):
    insured.program.copay_share = Decimal("20")
    insured.program.save()
    return insured.program


def test_a_copay_patient_without_a_bound_card_is_sent_to_bind_one(
    user, insured, copay_program, slot
):
    with pytest.raises(ValidationError) as refusal:
        appointment_book(user=user, insured_person=insured, slot=slot)

    assert refusal.value.code == "copay_card_required"
    assert "только с привязанной банковской картой" in refusal.value.messages[0]


def test_a_copay_patient_who_only_consented_is_refused_too(user, insured, copay_program, slot):
    CopayEnrollmentFactory(user=user, insured_person=insured, no_card=True)

    with pytest.raises(ValidationError) as refusal:
        appointment_book(user=user, insured_person=insured, slot=slot)

    assert refusal.value.code == "copay_card_required"


def test_a_copay_patient_books_at_once_a_visit_starting_30_minutes_after_binding(
    user, insured, copay_program, doctor
):
    # given: the card was bound a minute ago
    now = timezone.now()
    CopayEnrollmentFactory(
        user=user, insured_person=insured, card_bound_at=now - datetime.timedelta(minutes=1)
    )
    too_soon = slot_at(doctor, now + datetime.timedelta(minutes=20))
    in_time = slot_at(doctor, now + datetime.timedelta(minutes=29))

    # then: a visit before the 30 minutes are up is refused, with the time it may start
    with pytest.raises(ValidationError) as refusal:
        appointment_book(user=user, insured_person=insured, slot=too_soon, now=now)
    assert refusal.value.code == "copay_access_pending"
    assert "не раньше" in refusal.value.messages[0]

    # and one that starts after them is booked right now
    appointment = appointment_book(user=user, insured_person=insured, slot=in_time, now=now)
    assert appointment.status == Appointment.Status.BOOKED


def test_removing_the_card_suspends_booking_with_the_date(user, insured, copay_program, slot):
    from payments.models import PaymentCard

    enrollment = CopayEnrollmentFactory(
        user=user,
        insured_person=insured,
        card_bound_at=timezone.now() - datetime.timedelta(days=3),
    )
    removed = timezone.now() - datetime.timedelta(days=1)
    PaymentCard.objects.filter(enrollment=enrollment).update(removed_at=removed)

    with pytest.raises(ValidationError) as refusal:
        appointment_book(user=user, insured_person=insured, slot=slot)

    assert refusal.value.code == "copay_card_required"
    assert f"приостановлены с {timezone.localtime(removed):%d.%m.%Y}" in refusal.value.messages[0]


# --- Cancel and move ----------------------------------------------------------------------------


def test_the_person_cancels_up_to_two_hours_before(user, insured, slot):
    appointment = appointment_book(user=user, insured_person=insured, slot=slot)
    two_hours_before = slot.starts_at - datetime.timedelta(hours=2)

    appointment_cancel(user=user, appointment=appointment, now=two_hours_before)

    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.CANCELLED
    assert appointment.cancelled_at == two_hours_before
    assert appointment.sequence == 1
    # the time is free for another person again
    other_user, other_person = another_covered_person(slot)
    assert appointment_book(user=other_user, insured_person=other_person, slot=slot)


def another_covered_person(slot):
    """Another user with their own insured person, whose program covers the slot's clinic."""
    other = UserFactory()
    person = InsuredPersonFactory()
    PolicyLinkFactory(user=other, insured_person=person)
    PolicyFactory(insured_person=person)
    ProgramClinicFactory(
        program=person.program, clinic=slot.doctor.clinic, care_kind=slot.doctor.care_kind
    )
    return other, person


def test_cancelling_is_refused_after_the_deadline(user, insured, slot):
    appointment = appointment_book(user=user, insured_person=insured, slot=slot)
    too_late = slot.starts_at - datetime.timedelta(hours=2) + datetime.timedelta(seconds=1)

    with pytest.raises(ValidationError) as refusal:
        appointment_cancel(user=user, appointment=appointment, now=too_late)

    assert refusal.value.code == "deadline"
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.BOOKED


def test_closing_the_account_cancels_even_inside_the_deadline_without_an_email(
    user, insured, slot, django_capture_on_commit_callbacks, mailoutbox
):
    appointment = appointment_book(user=user, insured_person=insured, slot=slot)
    mailoutbox.clear()
    ten_minutes_before = slot.starts_at - datetime.timedelta(minutes=10)

    with django_capture_on_commit_callbacks(execute=True):
        appointment_cancel(
            user=user,
            appointment=appointment,
            now=ten_minutes_before,
            reason=CancelReason.ACCOUNT_DELETED,
        )

    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.CANCELLED
    assert appointment.cancelled_at == ten_minutes_before
    event = appointment.events.get(action=AppointmentEvent.Action.CANCELLED)
    assert (event.by, event.at) == (user, ten_minutes_before)
    assert mailoutbox == []
    # the time is free for another person again
    other_user, other_person = another_covered_person(slot)
    assert appointment_book(user=other_user, insured_person=other_person, slot=slot)


def test_a_visit_already_begun_is_not_cancelled_by_closing_the_account(user, insured, slot):
    appointment = appointment_book(user=user, insured_person=insured, slot=slot)

    with pytest.raises(ValidationError) as refusal:
        appointment_cancel(
            user=user,
            appointment=appointment,
            now=slot.starts_at + datetime.timedelta(minutes=1),
            reason=CancelReason.ACCOUNT_DELETED,
        )

    assert refusal.value.code == "deadline"
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.BOOKED


def test_moving_is_refused_after_the_deadline(user, insured, doctor, slot):
    appointment = appointment_book(user=user, insured_person=insured, slot=slot)
    later = slot_at(doctor, tomorrow_at(15))

    with pytest.raises(ValidationError) as refusal:
        appointment_move(
            user=user,
            appointment=appointment,
            slot=later,
            now=slot.starts_at - datetime.timedelta(minutes=90),
        )

    assert refusal.value.code == "deadline"


def test_another_persons_booking_cannot_be_cancelled(user, insured, slot):
    appointment = appointment_book(user=user, insured_person=insured, slot=slot)

    with pytest.raises(ValidationError) as refusal:
        appointment_cancel(user=UserFactory(), appointment=appointment)

    assert refusal.value.code == "not_found"


def test_the_person_moves_to_another_free_time_of_the_same_doctor(user, insured, doctor, slot):
    appointment = appointment_book(user=user, insured_person=insured, slot=slot)
    appointment.reminded_at = timezone.now()
    appointment.save()
    later = slot_at(doctor, tomorrow_at(15))

    appointment_move(user=user, appointment=appointment, slot=later)

    appointment.refresh_from_db()
    assert appointment.slot == later
    assert appointment.sequence == 1
    assert appointment.reminded_at is None  # the new time gets its own reminder
    moved = appointment.events.get(action=AppointmentEvent.Action.MOVED)
    assert (moved.previous_slot, moved.slot) == (slot, later)
    # the old time is free for others
    assert not slot.appointments.filter(status=Appointment.Status.BOOKED).exists()


def test_moving_to_a_taken_time_is_refused(user, insured, doctor, slot):
    appointment = appointment_book(user=user, insured_person=insured, slot=slot)
    taken = slot_at(doctor, tomorrow_at(15))
    AppointmentFactory(slot=taken)

    with pytest.raises(ValidationError) as refusal:
        appointment_move(user=user, appointment=appointment, slot=taken)

    assert refusal.value.code == "slot_taken"
    appointment.refresh_from_db()
    assert appointment.slot == slot


def test_moving_to_another_doctor_is_refused(user, insured, booking_clinic, outpatient, slot):
    appointment = appointment_book(user=user, insured_person=insured, slot=slot)
    other = DoctorFactory(clinic=booking_clinic, care_kind=outpatient)

    with pytest.raises(ValidationError) as refusal:
        appointment_move(user=user, appointment=appointment, slot=slot_at(other, tomorrow_at(16)))

    assert refusal.value.code == "other_doctor"


# --- The database has the last word -------------------------------------------------------------


def test_an_integrity_error_becomes_the_russian_slot_taken_message(
    user, insured, slot, monkeypatch
):
    # given: a schedule that does not check (a remote system that said «free»), and the slot
    # already booked by someone else: only the partial unique constraint stands in the way
    monkeypatch.setattr(schedule, "slot_hold", hold_nothing)
    AppointmentFactory(slot=slot)

    with pytest.raises(ValidationError) as refusal:
        appointment_book(user=user, insured_person=insured, slot=slot)

    assert refusal.value.code == "slot_taken"
    assert refusal.value.messages == ["Это время уже занято: выберите другое."]
    assert slot.appointments.count() == 1
