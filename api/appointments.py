"""«Мои записи к врачу»: book, move, cancel and the calendar event, by the booking services the
pages use (coverage, the co-pay card, the two-hour rule are theirs)."""

import datetime

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status

from clinics import selectors
from clinics.forms import MoveForm, PatientForm
from clinics.ics import CONTENT_TYPE, appointment_ics, ics_filename
from clinics.services.booking import (
    appointment_book,
    appointment_cancel,
    appointment_move,
    can_change,
)

from .errors import ApiError, form_error

router = Router(tags=["Записи к врачу"])


class AppointmentOut(Schema):
    id: int
    status: str
    status_display: str
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    doctor: str
    specialty: str
    clinic_id: int
    clinic: str
    address: str
    patient_id: int
    patient: str
    changeable: bool


class AppointmentLists(Schema):
    upcoming: list[AppointmentOut]
    past: list[AppointmentOut]


class BookIn(Schema):
    clinic_id: int
    slot_id: int
    patient_id: int


class MoveIn(Schema):
    slot_id: int


def appointment_out(appointment, *, now: datetime.datetime) -> dict:
    slot = appointment.slot
    doctor = slot.doctor
    return {
        "id": appointment.pk,
        "status": appointment.status,
        "status_display": appointment.get_status_display(),
        "starts_at": slot.starts_at,
        "ends_at": slot.ends_at,
        "doctor": doctor.full_name,
        "specialty": doctor.specialty,
        "clinic_id": doctor.clinic_id,
        "clinic": doctor.clinic.name,
        "address": doctor.clinic.address,
        "patient_id": appointment.insured_person_id,
        "patient": appointment.insured_person.full_name,
        "changeable": can_change(appointment, now=now),
    }


def _appointment(request: HttpRequest, pk: int):
    return get_object_or_404(selectors.appointments_for_user(request.auth), pk=pk)


@router.get("/", response=AppointmentLists, summary="Предстоящие и прошедшие записи")
def appointment_list(request: HttpRequest):
    now = timezone.now()
    mine = selectors.appointments_for_user(request.auth)
    lists = selectors.appointment_lists(request.auth, now=now)
    # the page's lists, with the columns an app needs (ends_at, ids) read in one more query
    full = mine.in_bulk([a.pk for a in lists.upcoming + lists.past])
    return {
        "upcoming": [appointment_out(full[a.pk], now=now) for a in lists.upcoming],
        "past": [appointment_out(full[a.pk], now=now) for a in lists.past],
    }


@router.post("/", response={201: AppointmentOut}, summary="Записаться")
def appointment_create(request: HttpRequest, data: BookIn):
    user = request.auth
    clinic = get_object_or_404(selectors.clinic_viewable(data.clinic_id))
    slot = get_object_or_404(selectors.slot_for_booking(clinic=clinic, pk=data.slot_id))
    patients = selectors.patients_for_user(user)
    if not patients:
        raise ApiError(_("Чтобы записаться, добавьте в кабинет полис ДМС."), status=409)
    form = PatientForm({"patient": str(data.patient_id)}, patients=patients)
    if not form.is_valid():
        raise form_error(form)
    now = timezone.now()
    appointment = appointment_book(
        user=user, insured_person=form.chosen_patient, slot=slot, now=now
    )
    return Status(201, appointment_out(_appointment(request, appointment.pk), now=now))


@router.get("/{int:pk}", response=AppointmentOut, summary="Запись")
def appointment_detail(request: HttpRequest, pk: int):
    return appointment_out(_appointment(request, pk), now=timezone.now())


@router.post("/{int:pk}/cancel", response=AppointmentOut, summary="Отменить запись")
def appointment_cancel_endpoint(request: HttpRequest, pk: int):
    appointment = _appointment(request, pk)
    appointment_cancel(user=request.auth, appointment=appointment)
    return appointment_out(_appointment(request, pk), now=timezone.now())


@router.post("/{int:pk}/move", response=AppointmentOut, summary="Перенести запись")
def appointment_move_endpoint(request: HttpRequest, pk: int, data: MoveIn):
    appointment = _appointment(request, pk)
    if not can_change(appointment):
        raise ApiError(
            _("Перенести запись можно не позднее чем за 2 часа до приёма. Позвоните в клинику."),
            status=409,
        )
    slots = selectors.free_slots_of_doctor(doctor=appointment.slot.doctor, exclude=appointment.slot)
    form = MoveForm({"slot": str(data.slot_id)}, slots=slots)
    if not form.is_valid():
        raise form_error(form)
    appointment_move(user=request.auth, appointment=appointment, slot=form.chosen_slot)
    return appointment_out(_appointment(request, pk), now=timezone.now())


@router.get("/{int:pk}/calendar.ics", response={200: None}, summary="Событие для календаря")
def appointment_calendar(request: HttpRequest, pk: int):
    appointment = _appointment(request, pk)
    response = HttpResponse(appointment_ics(appointment), content_type=CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{ics_filename(appointment)}"'
    return response
