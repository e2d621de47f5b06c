"""The confirmation e-mail with its .ics file, and the day-before reminder sent once."""

import datetime

import pytest
import time_machine
from django.utils import timezone

from clinics.ics import appointment_ics, fold
from clinics.models import Appointment
from clinics.services.booking import appointment_book, appointment_cancel, appointment_move
from clinics.tasks import appointment_notify, appointment_remind, appointment_reminders_send

from .conftest import local, slot_at, tomorrow_at

pytestmark = pytest.mark.django_db


@pytest.fixture
def booked(user, insured, slot, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return appointment_book(user=user, insured_person=insured, slot=slot)


def unfolded(text: str) -> str:
    return text.replace("\r\n ", "")


def test_booking_sends_a_confirmation_with_an_ics_file(booked, user, mailoutbox):
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == [user.email]
    assert message.subject.startswith("Вы записаны к врачу: ")
    assert "Орлова Анна Викторовна" in message.body
    assert booked.insured_person.full_name in message.body
    name, content, mimetype = message.attachments[0]
    assert name == f"appointment-{booked.pk}.ics"
    assert mimetype.startswith("text/calendar")
    assert "BEGIN:VEVENT" in content


def test_the_ics_content(booked):
    starts = timezone.localtime(booked.slot.starts_at)

    text = appointment_ics(booked, now=datetime.datetime(2026, 1, 10, 9, 0, tzinfo=datetime.UTC))

    assert text.endswith("\r\n")
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))
    lines = unfolded(text).split("\r\n")
    assert lines[:3] == [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Insured Portal//Clinic bookings//RU",
    ]
    assert "METHOD:PUBLISH" in lines
    assert "TZID:Europe/Moscow" in lines
    assert f"UID:appointment-{booked.pk}@portal.local" in lines
    assert "SEQUENCE:0" in lines
    assert "DTSTAMP:20260110T090000Z" in lines
    assert f"DTSTART;TZID=Europe/Moscow:{starts:%Y%m%dT%H%M%S}" in lines
    assert (
        f"DTEND;TZID=Europe/Moscow:{starts + datetime.timedelta(minutes=30):%Y%m%dT%H%M%S}" in lines
    )
    assert "STATUS:CONFIRMED" in lines
    # commas and semicolons of TEXT values are escaped
    assert "SUMMARY:Приём: терапевт\\, Клиника «Онлайн»" in lines
    assert lines[-1] == "END:VCALENDAR" or lines[-2] == "END:VCALENDAR"


def test_the_uid_stays_and_the_sequence_grows_when_moved_and_cancelled(
    booked, user, doctor, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        appointment_move(user=user, appointment=booked, slot=slot_at(doctor, tomorrow_at(15)))
    with django_capture_on_commit_callbacks(execute=True):
        appointment_cancel(user=user, appointment=booked)

    moved, cancelled = (unfolded(m.attachments[0][1]) for m in mailoutbox[1:])
    uid = f"UID:appointment-{booked.pk}@portal.local"
    assert uid in moved and uid in cancelled
    assert "SEQUENCE:1" in moved and "STATUS:CONFIRMED" in moved
    assert "SEQUENCE:2" in cancelled and "STATUS:CANCELLED" in cancelled
    assert "METHOD:CANCEL" in cancelled
    assert mailoutbox[1].subject.startswith("Запись к врачу перенесена")
    assert mailoutbox[2].subject.startswith("Запись к врачу отменена")


def test_the_confirmation_task_is_safe_to_run_twice(booked, mailoutbox):
    appointment_notify(booked.pk)
    appointment_notify(booked.pk)

    assert len(mailoutbox) == 1


def test_fold_never_cuts_a_utf8_character():
    line = "DESCRIPTION:" + "Приём у врача, " * 20

    folded = fold(line)

    parts = folded.split("\r\n")
    assert all(len(part.encode()) <= 75 for part in parts)
    assert "".join(p[1:] if i else p for i, p in enumerate(parts)) == line


# --- Reminders ----------------------------------------------------------------------------------


def test_the_reminder_goes_out_once_the_day_before(
    booked, mailoutbox, django_capture_on_commit_callbacks
):
    mailoutbox.clear()
    evening_before = local(
        timezone.localdate(booked.slot.starts_at) - datetime.timedelta(days=1), 10
    )

    with (
        time_machine.travel(evening_before, tick=False),
        django_capture_on_commit_callbacks(execute=True),  # the outbox hands the task over
    ):
        first = appointment_reminders_send()
        second = appointment_reminders_send()

    assert (first, second) == (1, 0)
    assert len(mailoutbox) == 1
    assert mailoutbox[0].subject.startswith("Напоминание: приём у врача")
    booked.refresh_from_db()
    assert booked.reminded_at == evening_before


def test_the_reminder_task_itself_is_idempotent(booked, mailoutbox):
    mailoutbox.clear()

    assert appointment_remind(booked.pk) is True
    assert appointment_remind(booked.pk) is False

    assert len(mailoutbox) == 1


def test_no_reminder_two_days_ahead_or_for_a_cancelled_booking(
    user, insured, doctor, mailoutbox, booked
):
    later = appointment_book(
        user=user,
        insured_person=insured,
        slot=slot_at(doctor, tomorrow_at(11) + datetime.timedelta(days=1)),
    )
    Appointment.objects.filter(pk=booked.pk).update(
        status=Appointment.Status.CANCELLED, cancelled_at=timezone.now()
    )
    mailoutbox.clear()

    with time_machine.travel(local(timezone.localdate(), 10), tick=False):
        sent = appointment_reminders_send()

    assert sent == 0
    assert mailoutbox == []
    later.refresh_from_db()
    assert later.reminded_at is None


def test_a_moved_booking_is_reminded_again(booked, user, doctor, mailoutbox):
    appointment_remind(booked.pk)
    appointment_move(user=user, appointment=booked, slot=slot_at(doctor, tomorrow_at(17)))
    mailoutbox.clear()

    assert appointment_remind(booked.pk) is True
    assert len(mailoutbox) == 1
