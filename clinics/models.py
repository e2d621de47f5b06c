"""Clinics of the network, what each program covers where, doctors, schedules and bookings."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
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
        indexes = [
            # The map asks for the clinics inside a rectangle.
            models.Index(fields=["latitude", "longitude"], name="clinic_lat_lon_idx"),
        ]
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
        indexes = [
            models.Index(fields=["program", "care_kind"]),
            # «Is this kind of care offered in this clinic?» in one index probe (the map).
            models.Index(fields=["clinic", "care_kind"], name="programclinic_clinic_kind_idx"),
        ]

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
    cancelled_at = models.DateTimeField(_("отменена"), null=True, blank=True)
    # The day-before reminder goes out once (clinics.tasks); a move clears it for the new time.
    reminded_at = models.DateTimeField(_("напоминание отправлено"), null=True, blank=True)
    # The reminder two hours before (push and SMS, as the person chose), once; a move clears it.
    reminded_soon_at = models.DateTimeField(
        _("напоминание за 2 часа отправлено"), null=True, blank=True
    )
    # iCalendar SEQUENCE: one more on every move or cancellation, so that a calendar replaces
    # the event of the same UID; `notified_sequence` is the last one e-mailed to the person.
    sequence = models.PositiveIntegerField(_("версия записи"), default=0)
    notified_sequence = models.PositiveIntegerField(
        _("версия, отправленная письмом"), null=True, blank=True
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
        indexes = [
            # The reminder run looks for booked appointments not reminded yet.
            models.Index(
                fields=["status", "reminded_at"],
                name="appointment_to_remind_idx",
                condition=Q(status="booked", reminded_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.insured_person.full_name}: {self.slot}"

    @property
    def ics_uid(self) -> str:
        """The iCalendar UID: the same for the appointment's whole life (moves included)."""
        domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2].strip("> ") or "portal.local"
        return f"appointment-{self.pk}@{domain}"


class AppointmentEvent(models.Model):
    """One change of a booking (made, moved, cancelled): who, when, from which time to which."""

    class Action(models.TextChoices):
        BOOKED = "booked", _("запись")
        MOVED = "moved", _("перенос")
        CANCELLED = "cancelled", _("отмена")

    appointment = models.ForeignKey(
        Appointment, on_delete=models.CASCADE, related_name="events", verbose_name=_("запись")
    )
    action = models.CharField(_("действие"), max_length=16, choices=Action.choices)
    slot = models.ForeignKey(
        Slot, on_delete=models.PROTECT, related_name="+", verbose_name=_("время")
    )
    previous_slot = models.ForeignKey(
        Slot,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("прежнее время"),
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("кто"),
    )
    at = models.DateTimeField(_("когда"), default=timezone.now)

    class Meta:
        verbose_name = _("изменение записи к врачу")
        verbose_name_plural = _("история записей к врачу")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.at:%d.%m.%Y %H:%M}"


latitude_validators = [MinValueValidator(Decimal("-90")), MaxValueValidator(Decimal("90"))]
longitude_validators = [MinValueValidator(Decimal("-180")), MaxValueValidator(Decimal("180"))]


class SavedPlace(TimeStampedModel):
    """The person's home or work point: the clinic list can be sorted by the distance from it."""

    class Kind(models.TextChoices):
        HOME = "home", _("дом")
        WORK = "work", _("работа")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="saved_places",
        verbose_name=_("пользователь"),
    )
    kind = models.CharField(_("что это"), max_length=8, choices=Kind.choices)
    label = models.CharField(_("подпись"), max_length=120, blank=True)
    address = models.CharField(_("адрес"), max_length=300, blank=True)
    latitude = models.DecimalField(
        _("широта"), max_digits=9, decimal_places=6, validators=latitude_validators
    )
    longitude = models.DecimalField(
        _("долгота"), max_digits=9, decimal_places=6, validators=longitude_validators
    )

    class Meta:
        verbose_name = _("место пользователя")
        verbose_name_plural = _("места пользователей")
        ordering = ["kind"]
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="savedplace_one_per_kind"),
            models.CheckConstraint(
                condition=Q(latitude__gte=-90) & Q(latitude__lte=90),
                name="savedplace_latitude_range",
            ),
            models.CheckConstraint(
                condition=Q(longitude__gte=-180) & Q(longitude__lte=180),
                name="savedplace_longitude_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.shown}"

    @property
    def shown(self) -> str:
        """How the person recognises the place: their label, the address, or the point."""
        return self.label or self.address or self.latitude_longitude

    @property
    def latitude_longitude(self) -> str:
        return f"{self.latitude:.5f}, {self.longitude:.5f}"
