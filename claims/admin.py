"""Service registers and claims for the insurer's operators. Diagnoses (ICD-10) are medical data:
read-only once a line exists, and every page showing them is written to the staff audit log.

The register upload (claims.admin_registers) and the payout-case moves and file downloads
(claims.admin_actions) are the claims section's own; they are mixed in here."""

from django.contrib import admin
from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _

from portal.core.admin import (
    AuditedAdminMixin,
    PortalModelAdmin,
    PortalTabularInline,
    ReadOnlyAdminMixin,
)

from .admin_actions import ClaimDocumentDownloadInlineMixin, ClaimOperatorAdminMixin
from .admin_registers import Icd10DiagnosisAdmin, RegisterImportAdminMixin
from .models import (
    Claim,
    ClaimDocument,
    ClaimEvent,
    ClaimNumberSequence,
    Icd10Diagnosis,
    ServiceLine,
)
from .rules import PAYOUT_LABELS, event_type_label

DIAGNOSIS_FIELDS = ("icd10_code", "icd10_name", "icd10_flag")


@admin.register(ServiceLine)
class ServiceLineAdmin(RegisterImportAdminMixin, AuditedAdminMixin, PortalModelAdmin):
    list_display = (
        "date",
        "clinic",
        "policy_number",
        "service_name",
        "icd10_code",
        "icd10_flag",
        "amount",
        "copay_amount",
        "copay_state",
    )
    list_filter = ("copay_state", "care_kind", "icd10_flag")
    search_fields = (
        "register_number",
        "service_code",
        "insured_person__policy_number",
        "insured_person__last_name",
    )
    raw_id_fields = ("clinic", "insured_person")
    list_select_related = ("clinic", "insured_person")
    date_hierarchy = "service_date"
    list_per_page = 50

    class Media:
        css = {"all": ("employers/admin.css",)}

    @admin.display(description=_("дата"), ordering="service_date")
    def date(self, obj: ServiceLine) -> str:
        return obj.service_date.strftime("%d.%m.%Y")

    @admin.display(description=_("полис"), ordering="insured_person__policy_number")
    def policy_number(self, obj: ServiceLine) -> str:
        return obj.insured_person.policy_number

    def get_readonly_fields(self, request, obj=None):
        # A register line is the clinic's record: its diagnosis is not edited afterwards.
        return DIAGNOSIS_FIELDS if obj is not None else ()

    def audit_entry(self, request, obj):
        return str(obj.insured_person), "услуга ДМС с диагнозом по МКБ-10"

    def audit_changelist_entries(self, request, objects):
        lines_by_person: dict[int, list[ServiceLine]] = {}
        for line in objects:
            lines_by_person.setdefault(line.insured_person_id, []).append(line)
        return [
            (
                lines[0].insured_person,
                str(lines[0].insured_person),
                f"список услуг ДМС с диагнозами по МКБ-10 ({len(lines)} строк)",
            )
            for lines in lines_by_person.values()
        ]


class ReadOnlyInline(ReadOnlyAdminMixin, PortalTabularInline):
    extra = 0
    can_delete = False


class ClaimEventInline(ReadOnlyInline):
    model = ClaimEvent
    fields = ("at", "from_status", "to_status", "by", "comment")
    readonly_fields = fields


class ClaimDocumentInline(ClaimDocumentDownloadInlineMixin, ReadOnlyInline):
    model = ClaimDocument
    fields = ("kind", "original_name", "content_type", "created_at", "download_link")
    readonly_fields = fields


@admin.register(Claim)
class ClaimAdmin(ClaimOperatorAdminMixin, AuditedAdminMixin, PortalModelAdmin):
    """The payout case moves through the actions (one intermediate form each); what the person
    declared stays as declared for operators."""

    list_display = ("number", "policy", "event_kind", "event_at", "status", "created_at")
    list_filter = ("status", "event_type")
    search_fields = ("number", "policy__number", "policy__holder__email")
    raw_id_fields = ("policy",)
    inlines = [ClaimEventInline, ClaimDocumentInline]
    list_select_related = ("policy",)
    date_hierarchy = "created_at"
    fields = (
        "number",
        "policy",
        "event_type",
        "event_at",
        "place",
        "description",
        "payout_details",
        "status",
        "approved_amount",
    )
    DECLARED = (
        "number",
        "policy",
        "event_type",
        "event_at",
        "place",
        "description",
        "payout_details",
    )

    # What the person declared, as an operator reads it: the event's name, not its code; the
    # payout details as labelled fields, not JSON.
    DECLARED_SHOWN = {"event_type": "event_kind", "payout_details": "payout_card"}

    def get_fields(self, request, obj=None):
        if obj is None or request.user.is_superuser:
            return self.fields
        return tuple(self.DECLARED_SHOWN.get(name, name) for name in self.fields)

    def get_readonly_fields(self, request, obj=None):
        readonly = ["status", "approved_amount", "event_kind", "payout_card"]
        if obj is not None and not request.user.is_superuser:
            readonly += self.DECLARED
        return readonly

    @admin.display(description=_("тип события"), ordering="event_type")
    def event_kind(self, obj: Claim) -> str:
        return event_type_label(obj.policy.product, obj.event_type)

    @admin.display(description=_("реквизиты выплаты"))
    def payout_card(self, obj: Claim) -> str:
        details = obj.payout_details or {}
        method = details.get("method", "")
        return render_to_string(
            "claims/admin/payout_details.html",
            {"details": details, "method": PAYOUT_LABELS.get(method, method)},
        )

    def audit_entry(self, request, obj):
        holder = obj.policy.holder
        label = (holder.full_name or holder.email) if holder else str(obj.policy)
        return label, "убыток: описание события, документы, реквизиты выплаты"


@admin.register(ClaimNumberSequence)
class ClaimNumberSequenceAdmin(ReadOnlyAdminMixin, PortalModelAdmin):
    """The claim numbers given per year: read-only (a number is never given twice)."""

    list_display = ("year", "last")


# The ICD-10 dictionary (claims.admin_registers): names, not anyone's diagnosis.
admin.site.register(Icd10Diagnosis, Icd10DiagnosisAdmin)
