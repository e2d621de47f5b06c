"""The policies' own catalogue and links in the admin. The register (policyholders, contracts,
programs, insured persons, policies), scoped for HR managers, is employers.admin_register."""

from django.contrib import admin

from portal.core.admin import ChangeAuditedAdminMixin, PortalModelAdmin, ReadOnlyAdminMixin

from .models import AssistanceCompany, BoxedPolicyCard, CareKind, PolicyLink, ProgramDocument


@admin.register(CareKind)
class CareKindAdmin(PortalModelAdmin):
    list_display = ("name", "code", "order")
    list_editable = ("order",)
    search_fields = ("name", "code")


@admin.register(PolicyLink)
class PolicyLinkAdmin(ChangeAuditedAdminMixin, PortalModelAdmin):
    """Who sees whose policies. A link is made only by the person, whose data must match the
    register (policy_link_add); staff, superusers included, can only end one (the unlink date),
    and that is written to the audit log. Handing a person's policy to another account by hand
    would open their medical data to it."""

    list_display = ("user", "insured_person", "relation", "linked_at", "unlinked_at")
    list_filter = ("relation",)
    search_fields = ("user__email", "insured_person__policy_number")
    raw_id_fields = ("user", "insured_person")
    list_select_related = ("user", "insured_person")
    fields = ("user", "insured_person", "relation", "linked_at", "unlinked_at", "end_notified_at")
    readonly_fields = ("user", "insured_person", "relation", "linked_at", "end_notified_at")

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def audit_person(self, obj: PolicyLink) -> str:
        return obj.user.full_name or obj.user.email


@admin.register(BoxedPolicyCard)
class BoxedPolicyCardAdmin(PortalModelAdmin):
    list_display = ("number", "product", "title", "activate_by", "activated_at")
    list_filter = ("product",)
    search_fields = ("number", "title")
    raw_id_fields = ("activated_by", "policy")
    readonly_fields = ("activated_at", "activated_by", "policy")


@admin.register(AssistanceCompany)
class AssistanceCompanyAdmin(PortalModelAdmin):
    """The assistance company and its 24/7 phone that ВЗР/ВПМК policies print."""

    list_display = ("name", "phone", "is_active")
    list_filter = ("is_active",)
    search_fields = ("name", "name_en")


@admin.register(ProgramDocument)
class ProgramDocumentAdmin(ReadOnlyAdminMixin, PortalModelAdmin):
    """Made by the portal (the program's PDF, its clinic lists): shown, never edited."""

    list_display = ("program", "key", "status", "generated_at", "size")
    list_filter = ("status",)
    list_select_related = ("program",)
