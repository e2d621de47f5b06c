"""An appointment as an iCalendar file (RFC 5545), written by hand: one event, Moscow time.

The UID stays the same for the appointment's whole life and SEQUENCE grows with every move or
cancellation, so that a calendar application updates (or removes) the event it already has.
"""

import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

from .models import Appointment

CLINIC_TZ_NAME = "Europe/Moscow"
CLINIC_TZ = ZoneInfo(CLINIC_TZ_NAME)
PRODID = "-//Insured Portal//Clinic bookings//RU"
CONTENT_TYPE = "text/calendar; charset=utf-8"

# Moscow has kept UTC+3 all year since 26 October 2014; one STANDARD block describes it.
VTIMEZONE = (
    "BEGIN:VTIMEZONE",
    f"TZID:{CLINIC_TZ_NAME}",
    "BEGIN:STANDARD",
    "DTSTART:20141026T020000",
    "TZOFFSETFROM:+0400",
    "TZOFFSETTO:+0300",
    "TZNAME:MSK",
    "END:STANDARD",
    "END:VTIMEZONE",
)


def escape_text(value: str) -> str:
    """TEXT values: backslash, semicolon, comma and line breaks escaped (RFC 5545, 3.3.11)."""
    return (
        value.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
        .replace("\r", "\\n")
    )


def fold(line: str) -> str:
    """Lines longer than 75 octets continue on the next line after a space (3.1), never cutting a
    UTF-8 character in two."""
    parts = []
    current = ""
    limit = 75
    for char in line:
        if len((current + char).encode()) > limit:
            parts.append(current)
            current = " " + char
            limit = 75
        else:
            current += char
    parts.append(current)
    return "\r\n".join(parts)


def _local(moment: datetime.datetime) -> str:
    return moment.astimezone(CLINIC_TZ).strftime("%Y%m%dT%H%M%S")


def _utc(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")


def appointment_ics(appointment: Appointment, *, now: datetime.datetime | None = None) -> str:
    """The calendar file of the appointment: a confirmed event, or a cancelled one."""
    now = now or timezone.now()
    slot = appointment.slot
    doctor = slot.doctor
    clinic = doctor.clinic
    cancelled = appointment.status == Appointment.Status.CANCELLED
    summary = f"Приём: {doctor.specialty}, {clinic.name}"
    description = "\n".join(
        [
            f"Врач: {doctor.full_name}, {doctor.specialty}",
            f"Пациент: {appointment.insured_person.full_name}",
            f"Клиника: {clinic.name}",
            f"Адрес: {clinic.city}, {clinic.address}",
            *([f"Телефон клиники: {clinic.phones[0]}"] if clinic.phones else []),
            "Возьмите с собой полис ДМС и паспорт.",
        ]
    )
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        f"METHOD:{'CANCEL' if cancelled else 'PUBLISH'}",
        *VTIMEZONE,
        "BEGIN:VEVENT",
        f"UID:{appointment.ics_uid}",
        f"SEQUENCE:{appointment.sequence}",
        f"DTSTAMP:{_utc(now)}",
        f"DTSTART;TZID={CLINIC_TZ_NAME}:{_local(slot.starts_at)}",
        f"DTEND;TZID={CLINIC_TZ_NAME}:{_local(slot.ends_at)}",
        f"SUMMARY:{escape_text(summary)}",
        f"LOCATION:{escape_text(f'{clinic.city}, {clinic.address}')}",
        f"DESCRIPTION:{escape_text(description)}",
        f"STATUS:{'CANCELLED' if cancelled else 'CONFIRMED'}",
        "TRANSP:OPAQUE",
        f'ORGANIZER;CN="{settings.PORTAL_NAME.replace(chr(34), "")}":mailto:{_mailbox()}',
    ]
    if not cancelled:
        lines += [
            "BEGIN:VALARM",
            "ACTION:DISPLAY",
            f"DESCRIPTION:{escape_text(summary)}",
            "TRIGGER:-PT2H",
            "END:VALARM",
        ]
    lines += ["END:VEVENT", "END:VCALENDAR"]
    return "\r\n".join(fold(line) for line in lines) + "\r\n"


def _mailbox() -> str:
    sender = settings.DEFAULT_FROM_EMAIL
    if "<" in sender:
        sender = sender.split("<", 1)[1].rstrip(">")
    return sender.strip()


def ics_filename(appointment: Appointment) -> str:
    return f"appointment-{appointment.pk}.ics"
