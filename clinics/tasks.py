"""Celery tasks of the clinics section: they take ids and call a service; each is safe to run
twice (the appointment row records what was sent)."""

from celery import shared_task

from .selectors import appointments_due_for_reminder
from .services.notifications import appointment_notification_send, appointment_reminder_send


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
    for appointment_id in due:
        appointment_remind.delay(appointment_id)
    return len(due)
