"""/appointments/: the person's bookings, cancel and move buttons, and nobody else's."""

import datetime

import pytest
from django.utils import timezone

from clinics.models import Appointment
from clinics.services.booking import appointment_book
from tests.factories import AppointmentFactory, UserFactory

from .conftest import slot_at, tomorrow_at

pytestmark = pytest.mark.django_db


@pytest.fixture
def booked(user, insured, slot):
    return appointment_book(user=user, insured_person=insured, slot=slot)


def test_upcoming_and_past_bookings(person_client, user, insured, doctor, booked):
    past = AppointmentFactory(
        user=user,
        insured_person=insured,
        slot=slot_at(doctor, timezone.now() - datetime.timedelta(days=3)),
        status=Appointment.Status.COMPLETED,
    )

    response = person_client.get("/appointments/")

    html = response.text
    upcoming, _sep, earlier = html.partition("Прошедшие и отменённые")
    assert f"/appointments/{booked.pk}/cancel/" in upcoming
    assert f"/appointments/{booked.pk}/move/" in upcoming
    assert f"/appointments/{past.pk}/cancel/" not in html
    assert "состоялась" in earlier


def test_someone_elses_bookings_are_not_listed(person_client, booked):
    stranger_booking = AppointmentFactory()

    response = person_client.get("/appointments/")

    assert f"/appointments/{stranger_booking.pk}/" not in response.text


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("post", "/appointments/{pk}/cancel/"),
        ("get", "/appointments/{pk}/move/"),
        ("post", "/appointments/{pk}/move/"),
        ("get", "/appointments/{pk}/calendar.ics"),
    ],
)
def test_another_persons_booking_answers_404(client, booked, method, path):
    client.force_login(UserFactory())

    response = getattr(client, method)(path.format(pk=booked.pk))

    assert response.status_code == 404
    booked.refresh_from_db()
    assert booked.status == Appointment.Status.BOOKED


def test_the_person_cancels_from_the_list(
    person_client, booked, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True):
        response = person_client.post(f"/appointments/{booked.pk}/cancel/")

    assert response.status_code == 302
    booked.refresh_from_db()
    assert booked.status == Appointment.Status.CANCELLED
    assert "STATUS:CANCELLED" in mailoutbox[-1].attachments[0][1]


def test_within_two_hours_there_are_no_buttons_and_cancel_is_refused(
    person_client, user, insured, doctor
):
    soon = appointment_book(
        user=user,
        insured_person=insured,
        slot=slot_at(doctor, timezone.now() + datetime.timedelta(minutes=90)),
    )

    page = person_client.get("/appointments/")
    response = person_client.post(f"/appointments/{soon.pk}/cancel/", follow=True)

    assert f"/appointments/{soon.pk}/cancel/" not in page.text
    assert "не позднее чем за 2 часа" in response.text
    soon.refresh_from_db()
    assert soon.status == Appointment.Status.BOOKED


def test_the_person_moves_a_booking(person_client, booked, doctor):
    later = slot_at(doctor, tomorrow_at(16))

    page = person_client.get(f"/appointments/{booked.pk}/move/")
    response = person_client.post(f"/appointments/{booked.pk}/move/", {"slot": later.pk})

    assert f'value="{later.pk}"' in page.text
    assert f'value="{booked.slot_id}"' not in page.text  # not the current time
    assert response.status_code == 302
    booked.refresh_from_db()
    assert booked.slot == later


def test_moving_to_a_slot_not_offered_is_refused(person_client, booked):
    other_doctors_slot = slot_at(
        AppointmentFactory().slot.doctor, tomorrow_at(17)
    )  # a free time of another doctor

    response = person_client.post(
        f"/appointments/{booked.pk}/move/", {"slot": other_doctors_slot.pk}
    )

    assert response.status_code == 200
    assert "Выберите корректный вариант" in response.text
    booked.refresh_from_db()
    assert booked.slot_id != other_doctors_slot.pk


def test_the_calendar_file_can_be_downloaded(person_client, booked):
    response = person_client.get(f"/appointments/{booked.pk}/calendar.ics")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    assert response["Content-Disposition"] == (
        f'attachment; filename="appointment-{booked.pk}.ics"'
    )
    assert b"BEGIN:VCALENDAR" in response.content


def test_the_list_keeps_its_query_count(
    person_client, user, insured, doctor, django_assert_max_num_queries
):
    for hour in range(9, 15):
        AppointmentFactory(
            user=user, insured_person=insured, slot=slot_at(doctor, tomorrow_at(hour))
        )

    with django_assert_max_num_queries(5):
        response = person_client.get("/appointments/")

    assert response.text.count("appointment__when") == 6
