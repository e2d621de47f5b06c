from django.contrib import admin

from portal.core.audit import audit_log_record

from .models import Claim, ClaimDocument, ClaimEvent, ServiceLine


@admin.register(ServiceLine)
class ServiceLineAdmin(admin.ModelAdmin):
    list_display = (
        "service_date",
        "clinic",
        "register_number",
        "line_number",
        "service_name",
        "amount",
        "copay_amount",
        "copay_state",
    )
    list_filter = ("copay_state", "care_kind")
    search_fields = ("register_number", "service_code", "insured_person__policy_number")
    raw_id_fields = ("clinic", "insured_person")
    list_select_related = ("clinic",)
    date_hierarchy = "service_date"

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, object_id)
        if obj is not None and request.method == "GET":
            audit_log_record(
                request=request,
                subject=obj,
                person_label=str(obj.insured_person),
                what="услуга ДМС с диагнозом по МКБ-10",
            )
        return super().change_view(request, object_id, form_url, extra_context)


class ClaimEventInline(admin.TabularInline):
    model = ClaimEvent
    extra = 0
    readonly_fields = ("from_status", "to_status", "at", "by", "comment")
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class ClaimDocumentInline(admin.TabularInline):
    model = ClaimDocument
    extra = 0
    readonly_fields = ("kind", "original_name", "content_type", "created_at")
    exclude = ("file",)
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Claim)
class ClaimAdmin(admin.ModelAdmin):
    list_display = ("number", "policy", "event_type", "event_at", "status")
    list_filter = ("status",)
    search_fields = ("number", "policy__number")
    raw_id_fields = ("policy",)
    readonly_fields = ("status", "approved_amount")
    inlines = [ClaimEventInline, ClaimDocumentInline]
    list_select_related = ("policy",)
