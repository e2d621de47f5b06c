"""The clinic network for operators: clinics with their doctors, schedules and bookings."""

from django import forms
from django.contrib import admin
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from portal.core.admin import PortalModelAdmin, PortalTabularInline, ReadOnlyAdminMixin
from portal.core.forms import JSONFormField

from . import schedule
from .models import Appointment, AppointmentEvent, Clinic, Doctor, ProgramClinic, SavedPlace, Slot


class DoctorInline(PortalTabularInline):
    model = Doctor
    extra = 0
    fields = ("full_name", "specialty", "care_kind")
    show_change_link = True


@admin.register(Clinic)
class ClinicAdmin(PortalModelAdmin):
    list_display = ("name", "city", "address", "online_booking", "last_verified_on")
    list_filter = ("city", "online_booking")
    search_fields = ("name", "address")
    inlines = [DoctorInline]
    formfield_overrides = {
        models.URLField: {"assume_scheme": "https"},
        models.JSONField: {"form_class": JSONFormField},
    }
    actions = ("mark_verified_today",)

    @admin.action(description=_("Отметить: сведения проверены сегодня"), permissions=["change"])
    def mark_verified_today(self, request, queryset):
        count = queryset.update(last_verified_on=timezone.localdate(), updated_at=timezone.now())
        self.message_user(
            request,
            ngettext("Отмечена %(count)d клиника.", "Отмечено клиник: %(count)d.", count)
            % {"count": count},
        )


@admin.register(ProgramClinic)
class ProgramClinicAdmin(PortalModelAdmin):
    list_display = ("program", "clinic", "care_kind", "guarantee_letter_required")
    list_filter = ("care_kind", "guarantee_letter_required")
    search_fields = ("clinic__name", "program__code")
    raw_id_fields = ("clinic",)
    list_select_related = ("program", "clinic", "care_kind")


@admin.register(Doctor)
class DoctorAdmin(PortalModelAdmin):
    list_display = ("full_name", "specialty", "clinic", "care_kind")
    list_filter = ("care_kind",)
    search_fields = ("full_name", "specialty", "clinic__name")
    raw_id_fields = ("clinic",)
    list_select_related = ("clinic", "care_kind")


class SlotAdminForm(forms.ModelForm):
    class Meta:
        model = Slot
        fields = ("doctor", "starts_at", "ends_at")

    def clean(self):
        data = super().clean()
        doctor, starts, ends = data.get("doctor"), data.get("starts_at"), data.get("ends_at")
        if (
            doctor
            and starts
            and ends
            and schedule.slot_outside_hours(
                doctor.clinic.hours, starts, ends, timezone.get_current_timezone()
            )
        ):
            raise forms.ValidationError(
                _("Время вне часов работы клиники (%(hours)s).") % {"hours": doctor.clinic.hours}
            )
        return data


@admin.register(Slot)
class SlotAdmin(PortalModelAdmin):
    form = SlotAdminForm
    list_display = ("doctor", "starts_at", "ends_at")
    date_hierarchy = "starts_at"
    search_fields = ("doctor__full_name", "doctor__clinic__name")
    raw_id_fields = ("doctor",)
    list_select_related = ("doctor__clinic",)


class AppointmentEventInline(PortalTabularInline):
    model = AppointmentEvent
    extra = 0
    fields = ("at", "action", "slot", "previous_slot", "by")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Appointment)
class AppointmentAdmin(ReadOnlyAdminMixin, PortalModelAdmin):
    """Read-only: a booking is made, moved and cancelled by clinics.services.booking alone (the
    event row, the schedule's hold and release, the person's e-mail), never by an admin form."""

    list_display = ("slot", "insured_person", "user", "status", "created_at")
    list_filter = ("status",)
    search_fields = ("insured_person__policy_number", "user__email", "slot__doctor__clinic__name")
    raw_id_fields = ("slot", "user", "insured_person")
    list_select_related = ("slot__doctor", "insured_person", "user")
    inlines = [AppointmentEventInline]


@admin.register(SavedPlace)
class SavedPlaceAdmin(PortalModelAdmin):
    """A person's home and work points (for the nearest clinics): for admins only."""

    list_display = ("user", "kind", "label", "updated_at")
    list_filter = ("kind",)
    search_fields = ("user__email",)
    raw_id_fields = ("user",)
    list_select_related = ("user",)
