from django.contrib import admin
from django.db import models

from .models import Appointment, Clinic, Doctor, ProgramClinic, Slot


class DoctorInline(admin.TabularInline):
    model = Doctor
    extra = 0
    fields = ("full_name", "specialty", "care_kind")
    show_change_link = True


@admin.register(Clinic)
class ClinicAdmin(admin.ModelAdmin):
    list_display = ("name", "city", "address", "online_booking", "last_verified_on")
    list_filter = ("city", "online_booking")
    search_fields = ("name", "address")
    inlines = [DoctorInline]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


@admin.register(ProgramClinic)
class ProgramClinicAdmin(admin.ModelAdmin):
    list_display = ("program", "clinic", "care_kind", "guarantee_letter_required")
    list_filter = ("care_kind", "guarantee_letter_required")
    search_fields = ("clinic__name", "program__code")
    raw_id_fields = ("clinic",)
    list_select_related = ("program", "clinic", "care_kind")


@admin.register(Doctor)
class DoctorAdmin(admin.ModelAdmin):
    list_display = ("full_name", "specialty", "clinic", "care_kind")
    list_filter = ("care_kind",)
    search_fields = ("full_name", "specialty", "clinic__name")
    raw_id_fields = ("clinic",)
    list_select_related = ("clinic", "care_kind")


@admin.register(Slot)
class SlotAdmin(admin.ModelAdmin):
    list_display = ("doctor", "starts_at", "ends_at")
    date_hierarchy = "starts_at"
    raw_id_fields = ("doctor",)
    list_select_related = ("doctor__clinic",)


@admin.register(Appointment)
class AppointmentAdmin(admin.ModelAdmin):
    list_display = ("slot", "insured_person", "user", "status", "created_at")
    list_filter = ("status",)
    raw_id_fields = ("slot", "user", "insured_person")
    list_select_related = ("slot__doctor", "insured_person", "user")
