"""The policies' own catalogue and links in the admin. The register (policyholders, contracts,
programs, insured persons, policies), scoped for HR managers, is employers.admin_register."""

from django.contrib import admin

from .models import BoxedPolicyCard, CareKind, PolicyLink


@admin.register(CareKind)
class CareKindAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "order")
    list_editable = ("order",)
    search_fields = ("name", "code")


@admin.register(PolicyLink)
class PolicyLinkAdmin(admin.ModelAdmin):
    list_display = ("user", "insured_person", "relation", "linked_at", "unlinked_at")
    list_filter = ("relation",)
    search_fields = ("user__email", "insured_person__policy_number")
    raw_id_fields = ("user", "insured_person")
    list_select_related = ("user", "insured_person")


@admin.register(BoxedPolicyCard)
class BoxedPolicyCardAdmin(admin.ModelAdmin):
    list_display = ("number", "product", "title", "activate_by", "activated_at")
    list_filter = ("product",)
    search_fields = ("number", "title")
    raw_id_fields = ("activated_by", "policy")
    readonly_fields = ("activated_at", "activated_by", "policy")
