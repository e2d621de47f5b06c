"""Clinics of the network, what each program covers where, doctors, schedules and bookings."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from policies.models import CareKind, InsuredPerson, Program
from portal.core.models import TimeStampedModel


class Clinic(TimeStampedModel):
    """A medical institution (ЛПУ) of the network."""

    name = models.CharField(_("наименование"), max_length=255)
    address = models.CharField(_("адрес"), max_length=255)
    city = models.CharField(_("город"), max_length=64, db_index=True)
    latitude = models.DecimalField(_("широта"), max_digits=9, decimal_places=6)
    longitude = models.DecimalField(_("долгота"), max_digits=9, decimal_places=6)
    phones = models.JSONField(_("телефоны"), default=list, blank=True)
    hours = models.CharField(_("часы работы"), max_length=255, blank=True)
    site = models.URLField(_("сайт"), blank=True)
    online_booking = models.BooleanField(_("онлайн-запись"), default=False)
    last_verified_on = models.DateField(_("сведения проверены"), null=True, blank=True)

    class Meta:
        verbose_name = _("клиника")
        verbose_name_plural = _("клиники")
        ordering = ["city", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(latitude__gte=-90) & Q(latitude__lte=90), name="clinic_latitude_range"
            ),
            models.CheckConstraint(
                condition=Q(longitude__gte=-180) & Q(longitude__lte=180),
                name="clinic_longitude_range",
            ),
            models.UniqueConstraint(fields=["name", "address"], name="clinic_name_address_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class ProgramClinic(models.Model):
    """A program covers a clinic for a kind of care, possibly only with a guarantee letter."""

    program = models.ForeignKey(
        Program, on_delete=models.CASCADE, related_name="clinic_links", verbose_name=_("программа")
    )
    clinic = models.ForeignKey(
        Clinic, on_delete=models.CASCADE, related_name="program_links", verbose_name=_("клиника")
    )
    care_kind = models.ForeignKey(
        CareKind, on_delete=models.PROTECT, related_name="+", verbose_name=_("вид помощи")
    )
    guarantee_letter_required = models.BooleanField(_("нужно гарантийное письмо"), default=False)

    class Meta:
        verbose_name = _("покрытие клиники программой")
        verbose_name_plural = _("покрытие клиник программами")
        constraints = [
            models.UniqueConstraint(
                fields=["program", "clinic", "care_kind"], name="programclinic_unique"
            ),
        ]
        indexes = [models.Index(fields=["program", "care_kind"])]

    def __str__(self) -> str:
        return f"{self.program.code}: {self.clinic} — {self.care_kind}"


class Doctor(TimeStampedModel):
    clinic = models.ForeignKey(
        Clinic, on_delete=models.CASCADE, related_name="doctors", verbose_name=_("клиника")
    )
    full_name = models.CharField(_("ФИО"), max_length=255)
    specialty = models.CharField(_("специальность"), max_length=128)
    care_kind = models.ForeignKey(
        CareKind, on_delete=models.PROTECT, related_name="+", verbose_name=_("вид помощи")
    )

    class Meta:
        verbose_name = _("врач")
        verbose_name_plural = _("врачи")
        ordering = ["clinic", "specialty", "full_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["clinic", "full_name", "specialty"], name="doctor_unique_in_clinic"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.full_name}, {self.specialty}"


class Slot(models.Model):
    """A time in a doctor's schedule that can be booked."""

    doctor = models.ForeignKey(
        Doctor, on_delete=models.CASCADE, related_name="slots", verbose_name=_("врач")
    )
    starts_at = models.DateTimeField(_("начало"))
    ends_at = models.DateTimeField(_("окончание"))

    class Meta:
        verbose_name = _("время приёма")
        verbose_name_plural = _("расписание")
        ordering = ["starts_at"]
        constraints = [
            models.UniqueConstraint(fields=["doctor", "starts_at"], name="slot_unique_per_doctor"),
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="slot_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.doctor} {self.starts_at:%d.%m.%Y %H:%M}"


class Appointment(TimeStampedModel):
    """A booking of a slot for an insured person (self or a child), made by a user."""

    class Status(models.TextChoices):
        BOOKED = "booked", _("записан")
        CANCELLED = "cancelled", _("отменена")
        COMPLETED = "completed", _("состоялась")

    slot = models.ForeignKey(
        Slot, on_delete=models.PROTECT, related_name="appointments", verbose_name=_("время")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="appointments",
        verbose_name=_("пользователь"),
    )
    insured_person = models.ForeignKey(
        InsuredPerson, on_delete=models.PROTECT, related_name="+", verbose_name=_("пациент")
    )
    status = models.CharField(
        _("статус"), max_length=16, choices=Status.choices, default=Status.BOOKED
    )

    class Meta:
        verbose_name = _("запись к врачу")
        verbose_name_plural = _("записи к врачу")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["slot"], condition=Q(status="booked"), name="appointment_one_per_slot"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.insured_person.full_name}: {self.slot}"
