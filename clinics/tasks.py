"""Celery tasks of the clinics section: they take ids and call a service; each is safe to run
twice (the appointment row records what was sent)."""

from celery import shared_task

from portal.core import outbox

from .selectors import appointments_due_for_reminder, appointments_due_for_soon_reminder
from .services.notifications import (
    appointment_notification_send,
    appointment_reminder_send,
    appointment_soon_reminder_send,
)


@shared_task
def appointment_notify(appointment_id: int) -> bool:
    """The e-mail about a booking's latest change (booked, moved, cancelled), with an .ics."""
    return appointment_notification_send(appointment_id=appointment_id)


@shared_task
def appointment_remind(appointment_id: int) -> bool:
    return appointment_reminder_send(appointment_id=appointment_id)


@shared_task
def appointment_reminders_send() -> int:
    """Periodic (CELERY_BEAT_SCHEDULE): queue the reminders of tomorrow's bookings."""
    due = appointments_due_for_reminder()
    return outbox.send_each(appointment_remind, [(pk,) for pk in due], skip_waiting=True)


@shared_task
def clinic_list_pdf_render_task(program_id: int, care_kind_id: int) -> None:
    """Make the clinic list PDF of a program's kind of care (queued through the outbox)."""
    from .documents import clinic_list_pdf_render

    clinic_list_pdf_render(program_id=program_id, care_kind_id=care_kind_id)


@shared_task
def appointment_remind_soon(appointment_id: int) -> bool:
    return appointment_soon_reminder_send(appointment_id=appointment_id)


@shared_task
def appointment_soon_reminders_send() -> int:
    """Periodic: queue the two-hours-before reminders."""
    due = appointments_due_for_soon_reminder()
    return outbox.send_each(appointment_remind_soon, [(pk,) for pk in due], skip_waiting=True)
