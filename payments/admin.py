"""The co-pay program in the admin: read-only for the insurer's staff. Enrolments, cards and
charges are written by the payment services and the provider's webhooks only; card data never
reaches the portal (the provider holds it), and a charge's client secret is never shown."""

from django.contrib import admin

from portal.core.admin import ReadOnlyAdminMixin

from .models import (
    Charge,
    ChargeLine,
    ClinicAttachmentList,
    CopayEnrollment,
    CopayNotice,
    PaymentCard,
    ProcessedEvent,
)


class ReadOnlyInline(ReadOnlyAdminMixin, admin.TabularInline):
    extra = 0


class PaymentCardInline(ReadOnlyInline):
    model = PaymentCard
    fields = ("brand", "last4", "exp_month", "exp_year", "gateway", "created_at", "removed_at")
    readonly_fields = fields


class ClinicAttachmentListInline(ReadOnlyInline):
    model = ClinicAttachmentList
    fields = ("clinic", "sent_at", "processed_by")
    readonly_fields = fields


@admin.register(CopayEnrollment)
class CopayEnrollmentAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
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
    inlines = [PaymentCardInline, ClinicAttachmentListInline]


class ChargeLineInline(ReadOnlyInline):
    model = ChargeLine
    fields = ("service_line", "amount", "active")
    readonly_fields = fields


@admin.register(Charge)
class ChargeAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("day", "user", "insured_person", "kind", "amount", "status", "settled_at")
    list_filter = ("status", "kind")
    search_fields = ("user__email", "insured_person__policy_number", "provider_payment_id")
    date_hierarchy = "day"
    list_select_related = ("user", "insured_person")
    exclude = ("client_secret", "service_lines")
    inlines = [ChargeLineInline]


@admin.register(CopayNotice)
class CopayNoticeAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("charge_day", "insured_person", "amount", "created_at", "sent_at")
    search_fields = ("insured_person__policy_number",)
    list_select_related = ("insured_person",)


@admin.register(ProcessedEvent)
class ProcessedEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Provider webhook events already handled (each is handled once)."""

    list_display = ("processed_at", "type", "event_id")
    search_fields = ("event_id", "type")
