"""E-mails about bookings: the confirmation (with an .ics file) of each change, and the reminder
the day before. Both are safe to run twice: the appointment row says what was sent already."""

import datetime

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from portal.accounts.models import NotificationKind
from portal.accounts.services import notification_wanted, notify

from ..formatting import phone_display
from ..ics import CONTENT_TYPE, appointment_ics, ics_filename
from ..models import Appointment


def _locked(appointment_id: int) -> Appointment | None:
    return (
        Appointment.objects.select_for_update(of=("self",))
        .select_related("slot__doctor__clinic", "insured_person", "user")
        .filter(pk=appointment_id)
        .first()
    )


def _context(appointment: Appointment) -> dict:
    slot = appointment.slot
    clinic = slot.doctor.clinic
    base = getattr(settings, "PORTAL_PUBLIC_URL", "").rstrip("/")
    return {
        "appointment": appointment,
        "user": appointment.user,
        "doctor": slot.doctor,
        "clinic": clinic,
        "patient": appointment.insured_person,
        "when": formats.date_format(timezone.localtime(slot.starts_at), "l, j E Y, H:i"),
        "phones": [phone_display(p) for p in clinic.phones],
        "appointments_url": f"{base}{reverse('appointments')}",
        "hotline": settings.HOTLINE_PHONE_DISPLAY,
    }


def notification_kind(appointment: Appointment) -> str:
    if appointment.status == Appointment.Status.CANCELLED:
        return "cancelled"
    return "booked" if appointment.sequence == 0 else "moved"


SUBJECTS = {
    "booked": lambda when: _("Вы записаны к врачу: %(when)s") % {"when": when},
    "moved": lambda when: _("Запись к врачу перенесена: %(when)s") % {"when": when},
    "cancelled": lambda when: _("Запись к врачу отменена: %(when)s") % {"when": when},
}


def appointment_notification_send(
    *, appointment_id: int, now: datetime.datetime | None = None
) -> bool:
    """Tell the person the booking's current state, with the calendar file; once per change."""
    now = now or timezone.now()
    with transaction.atomic():
        appointment = _locked(appointment_id)
        if appointment is None or not appointment.user.email:
            return False
        if (
            appointment.notified_sequence is not None
            and appointment.notified_sequence >= appointment.sequence
        ):
            return False
        kind = notification_kind(appointment)
        context = _context(appointment)
        message = EmailMessage(
            subject=SUBJECTS[kind](
                formats.date_format(timezone.localtime(appointment.slot.starts_at), "d.m.Y H:i")
            ),
            body=render_to_string(f"clinics/email/appointment_{kind}.txt", context),
            to=[appointment.user.email],
        )
        message.attach(
            ics_filename(appointment), appointment_ics(appointment, now=now), CONTENT_TYPE
        )
        message.send()
        appointment.notified_sequence = appointment.sequence
        appointment.save(update_fields=["notified_sequence"])
    return True


def appointment_reminder_send(*, appointment_id: int, now: datetime.datetime | None = None) -> bool:
    """The day-before reminder, once: `reminded_at` is set in the transaction that sends it."""
    now = now or timezone.now()
    with transaction.atomic():
        appointment = _locked(appointment_id)
        if (
            appointment is None
            or appointment.status != Appointment.Status.BOOKED
            or appointment.reminded_at is not None
            or appointment.slot.starts_at <= now
        ):
            return False
        when = formats.date_format(timezone.localtime(appointment.slot.starts_at), "j E, H:i")
        notify(
            user=appointment.user,
            kind=NotificationKind.VISIT_REMINDER,
            title=_("Напоминание: приём у врача %(when)s") % {"when": when},
            body=f"{appointment.slot.doctor.specialty}, {appointment.slot.doctor.clinic.name}",
            url="/appointments/",
        )
        if not appointment.user.email or not notification_wanted(
            appointment.user, NotificationKind.VISIT_REMINDER, "email"
        ):
            appointment.reminded_at = now
            appointment.save(update_fields=["reminded_at"])
            return True
        context = _context(appointment)
        EmailMessage(
            subject=_("Напоминание: приём у врача %(when)s")
            % {
                "when": formats.date_format(
                    timezone.localtime(appointment.slot.starts_at), "j E, H:i"
                )
            },
            body=render_to_string("clinics/email/appointment_reminder.txt", context),
            to=[appointment.user.email],
        ).send()
        appointment.reminded_at = now
        appointment.save(update_fields=["reminded_at"])
    return True


def appointment_soon_reminder_send(
    *, appointment_id: int, now: datetime.datetime | None = None
) -> bool:
    """The reminder two hours before, once, by push and SMS as the person chose (the e-mail of
    the day before has the details)."""
    now = now or timezone.now()
    with transaction.atomic():
        appointment = _locked(appointment_id)
        if (
            appointment is None
            or appointment.status != Appointment.Status.BOOKED
            or appointment.reminded_soon_at is not None
            or appointment.slot.starts_at <= now
        ):
            return False
        when = formats.time_format(timezone.localtime(appointment.slot.starts_at), "H:i")
        doctor = appointment.slot.doctor
        notify(
            user=appointment.user,
            kind=NotificationKind.VISIT_REMINDER,
            title=_("Сегодня в %(when)s — приём у врача") % {"when": when},
            body=f"{doctor.specialty}, {doctor.clinic.name}, {doctor.clinic.address}",
            url="/appointments/",
        )
        appointment.reminded_soon_at = now
        appointment.save(update_fields=["reminded_soon_at"])
    return True
