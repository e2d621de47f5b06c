"""Online booking: make, move and cancel an appointment.

Who may be booked where: the patient is the person or a child linked to them; the patient's DMS
policy is in force on the day of the visit and its program covers the clinic for the doctor's
kind of care; on a co-pay program a card must be bound (removing it suspends access) and the
visit must start at least 30 minutes after the binding: the booking itself may be made at once.
Two bookings of one time are kept apart by the schedule's hold (a row lock on the slot,
clinics.schedule.slot_hold) and, in the end, by the partial unique constraint on Appointment.
"""

import dataclasses
import datetime
import enum

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

# The one import of a higher layer, named in the import contract: booking's read of co-pay
# access, until co-pay enrollment has an app of its own. Handing it down instead would move the
# booking and moving pages (clinics' own) above payments, or leave a lookup no linter sees.
from payments.selectors import CopayAccess, copay_access
from policies.models import InsuredPerson
from policies.selectors import insured_persons_for_user
from portal.accounts.models import User
from portal.core import outbox

from .. import schedule
from ..models import Appointment, AppointmentEvent, Slot
from ..selectors import Coverage, coverage_for

# A booking can be cancelled or moved until this long before the visit; later, by phone only.
CHANGE_DEADLINE = datetime.timedelta(hours=2)


class CancelReason(enum.StrEnum):
    """Why a booking is cancelled: the rules differ, the event row does not."""

    # The person, in the cabinet: up to CHANGE_DEADLINE before the visit, with an e-mail.
    BY_PERSON = "by_person"
    # The person closed the account: every visit not yet begun goes, and no e-mail (the address
    # is erased in the same transaction).
    ACCOUNT_DELETED = "account_deleted"


def slot_taken_message() -> str:
    return _("Это время уже занято: выберите другое.")


def coverage_check(
    *, insured_person: InsuredPerson, clinic, care_kind, on: datetime.date
) -> Coverage:
    """The coverage check as the person sees it: a co-pay program covers nothing until a card
    is bound, and nothing after it is removed."""
    coverage = coverage_for(
        insured_person=insured_person, clinic=clinic, care_kind=care_kind, on=on
    )
    if not coverage.has_copay:
        return coverage
    return _with_copay_access(coverage, copay_access(insured_person=insured_person))


def _with_copay_access(coverage: Coverage, access: CopayAccess) -> Coverage:
    if access.suspended:
        return dataclasses.replace(
            coverage, status=Coverage.CARD_REMOVED, card_removed_at=access.card_removed_at
        )
    if not access.card_active:
        return dataclasses.replace(coverage, status=Coverage.CARD_REQUIRED)
    if access.processing(timezone.localdate()):
        return dataclasses.replace(coverage, processing_until=access.processing_until)
    return coverage


def _slot_fresh(slot: Slot) -> Slot:
    return Slot.objects.select_related("doctor__clinic", "doctor__care_kind").get(pk=slot.pk)


def _patient_check(*, user: User, insured_person: InsuredPerson) -> InsuredPerson:
    patient = insured_persons_for_user(user).filter(pk=insured_person.pk).first()
    if patient is None:
        raise ValidationError(
            _("Записать можно только себя или своего ребёнка, привязанного к кабинету."),
            code="not_your_patient",
        )
    return patient


def booking_check(*, insured_person: InsuredPerson, slot: Slot, now: datetime.datetime) -> Coverage:
    """Whether this patient may take this time; raises ValidationError with the reason."""
    clinic = slot.doctor.clinic
    if not clinic.online_booking:
        raise ValidationError(
            _("В эту клинику нельзя записаться онлайн: позвоните в регистратуру."),
            code="no_online_booking",
        )
    if slot.starts_at <= now:
        raise ValidationError(_("Это время уже прошло: выберите другое."), code="past")
    coverage = coverage_for(
        insured_person=insured_person,
        clinic=clinic,
        care_kind=slot.doctor.care_kind,
        on=timezone.localdate(slot.starts_at),
    )
    if not coverage.is_covered:
        raise ValidationError(coverage.message, code=coverage.status)
    if not coverage.has_copay:
        return coverage
    access = copay_access(insured_person=insured_person)
    coverage = _with_copay_access(coverage, access)
    if coverage.needs_card:
        raise ValidationError(coverage.message, code="copay_card_required")
    if not access.visit_allowed(slot.starts_at):
        raise ValidationError(
            _(
                "По со-оплатной программе можно записаться на приём не раньше %(time)s — через "
                "30 минут после привязки карты. Выберите время позже."
            )
            % {
                "time": formats.date_format(
                    timezone.localtime(access.clinic_access_from), "d.m.Y H:i"
                )
            },
            code="copay_access_pending",
        )
    return coverage


def _patient_free_check(
    *, insured_person: InsuredPerson, slot: Slot, exclude: Appointment | None = None
) -> None:
    overlapping = Appointment.objects.filter(
        insured_person=insured_person,
        status=Appointment.Status.BOOKED,
        slot__starts_at__lt=slot.ends_at,
        slot__ends_at__gt=slot.starts_at,
    )
    if exclude is not None:
        overlapping = overlapping.exclude(pk=exclude.pk)
    if overlapping.exists():
        raise ValidationError(
            _("На это время у пациента уже есть запись к врачу."), code="patient_busy"
        )


def _hold(slot: Slot) -> None:
    try:
        schedule.slot_hold(slot)
    except schedule.SlotUnavailable as exc:
        raise ValidationError(slot_taken_message(), code="slot_taken") from exc


def _save_holding_slot(appointment: Appointment, **save_kwargs) -> None:
    """Save in a savepoint: a second booking of the slot that got past the hold (no row locks on
    SQLite) is refused by the constraint, and the transaction stays usable for the message."""
    try:
        with transaction.atomic():
            appointment.save(**save_kwargs)
    except IntegrityError as exc:
        raise ValidationError(slot_taken_message(), code="slot_taken") from exc


def _notify_on_commit(appointment: Appointment) -> None:
    from ..tasks import appointment_notify

    pk = appointment.pk
    outbox.send(appointment_notify, pk)


def appointment_book(
    *,
    user: User,
    insured_person: InsuredPerson,
    slot: Slot,
    now: datetime.datetime | None = None,
) -> Appointment:
    """Book the time for the patient; the person gets a confirmation with an .ics file."""
    now = now or timezone.now()
    with transaction.atomic():
        slot = _slot_fresh(slot)
        patient = _patient_check(user=user, insured_person=insured_person)
        booking_check(insured_person=patient, slot=slot, now=now)
        _hold(slot)
        _patient_free_check(insured_person=patient, slot=slot)
        appointment = Appointment(slot=slot, user=user, insured_person=patient)
        appointment.full_clean(validate_constraints=False)
        _save_holding_slot(appointment)
        AppointmentEvent.objects.create(
            appointment=appointment,
            action=AppointmentEvent.Action.BOOKED,
            slot=slot,
            by=user,
            at=now,
        )
        _notify_on_commit(appointment)
    return appointment


def can_change(
    appointment: Appointment,
    *,
    now: datetime.datetime | None = None,
    deadline: datetime.timedelta = CHANGE_DEADLINE,
) -> bool:
    now = now or timezone.now()
    return (
        appointment.status == Appointment.Status.BOOKED
        and now <= appointment.slot.starts_at - deadline
    )


def _locked_for_change(
    *,
    user: User,
    appointment: Appointment,
    now: datetime.datetime,
    deadline: datetime.timedelta = CHANGE_DEADLINE,
) -> Appointment:
    locked = (
        Appointment.objects.select_for_update(of=("self",))
        .select_related("slot__doctor__clinic", "slot__doctor__care_kind", "insured_person")
        .filter(pk=appointment.pk, user=user)
        .first()
    )
    if locked is None:
        raise ValidationError(_("Запись не найдена."), code="not_found")
    if locked.status != Appointment.Status.BOOKED:
        raise ValidationError(_("Эта запись уже отменена или состоялась."), code="not_booked")
    if not can_change(locked, now=now, deadline=deadline):
        raise ValidationError(
            _(
                "Отменить или перенести запись можно не позднее чем за 2 часа до приёма. "
                "Позвоните в клинику."
            ),
            code="deadline",
        )
    return locked


def appointment_cancel(
    *,
    user: User,
    appointment: Appointment,
    now: datetime.datetime | None = None,
    reason: CancelReason = CancelReason.BY_PERSON,
) -> Appointment:
    """Cancel a booking up to 2 hours before the visit (or, when the account is being deleted,
    any visit not yet begun); the time is free for others again."""
    now = now or timezone.now()
    by_person = reason == CancelReason.BY_PERSON
    with transaction.atomic():
        appointment = _locked_for_change(
            user=user,
            appointment=appointment,
            now=now,
            deadline=CHANGE_DEADLINE if by_person else datetime.timedelta(0),
        )
        appointment.status = Appointment.Status.CANCELLED
        appointment.cancelled_at = now
        appointment.sequence += 1
        appointment.full_clean(validate_constraints=False)
        appointment.save(update_fields=["status", "cancelled_at", "sequence", "updated_at"])
        AppointmentEvent.objects.create(
            appointment=appointment,
            action=AppointmentEvent.Action.CANCELLED,
            slot=appointment.slot,
            by=user,
            at=now,
        )
        if by_person:
            _notify_on_commit(appointment)
    return appointment


def appointments_cancel_upcoming(*, user: User, now: datetime.datetime) -> int:
    """Cancel every visit of the user not yet begun (the account is being deleted): each gets
    its cancellation time and event row, and the clinic's schedule gets the time back; no
    e-mail. Returns the number of visits cancelled."""
    with transaction.atomic():
        upcoming = Appointment.objects.filter(
            user=user, status=Appointment.Status.BOOKED, slot__starts_at__gt=now
        )
        cancelled = 0
        for appointment in upcoming:
            appointment_cancel(
                user=user, appointment=appointment, now=now, reason=CancelReason.ACCOUNT_DELETED
            )
            cancelled += 1
    return cancelled


def appointment_move(
    *,
    user: User,
    appointment: Appointment,
    slot: Slot,
    now: datetime.datetime | None = None,
) -> Appointment:
    """Move a booking to another free time of the same doctor, up to 2 hours before the visit."""
    now = now or timezone.now()
    with transaction.atomic():
        appointment = _locked_for_change(user=user, appointment=appointment, now=now)
        slot = _slot_fresh(slot)
        previous = appointment.slot
        if slot.doctor_id != previous.doctor_id:
            raise ValidationError(
                _("Перенести запись можно только на другое время того же врача."),
                code="other_doctor",
            )
        if slot.pk == previous.pk:
            raise ValidationError(_("Запись уже на это время."), code="same_slot")
        booking_check(insured_person=appointment.insured_person, slot=slot, now=now)
        _hold(slot)
        _patient_free_check(
            insured_person=appointment.insured_person, slot=slot, exclude=appointment
        )
        appointment.slot = slot
        appointment.sequence += 1
        appointment.reminded_at = None
        appointment.reminded_soon_at = None
        appointment.full_clean(validate_constraints=False)
        _save_holding_slot(
            appointment,
            update_fields=["slot", "sequence", "reminded_at", "reminded_soon_at", "updated_at"],
        )
        AppointmentEvent.objects.create(
            appointment=appointment,
            action=AppointmentEvent.Action.MOVED,
            slot=slot,
            previous_slot=previous,
            by=user,
            at=now,
        )
        _notify_on_commit(appointment)
    return appointment
