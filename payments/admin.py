from django.contrib import admin

from .models import CopayEnrollment


@admin.register(CopayEnrollment)
class CopayEnrollmentAdmin(admin.ModelAdmin):
    list_display = (
        "user",
        "insured_person",
        "program",
        "consent_at",
        "card_bound_at",
        "active_from",
    )
    search_fields = ("user__email", "insured_person__policy_number")
    raw_id_fields = ("user", "insured_person", "program")
    list_select_related = ("user", "insured_person", "program")
