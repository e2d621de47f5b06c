from django.contrib import admin

from .models import CareKind, Contract, InsuredPerson, Policy, Policyholder, PolicyLink, Program


class ContractInline(admin.TabularInline):
    model = Contract
    extra = 0
    fields = ("number", "starts_on", "ends_on")
    show_change_link = True


@admin.register(Policyholder)
class PolicyholderAdmin(admin.ModelAdmin):
    list_display = ("name", "inn")
    search_fields = ("name", "inn")
    inlines = [ContractInline]


class ProgramInline(admin.TabularInline):
    model = Program
    extra = 0
    fields = ("code", "name", "copay_share", "includes_vzr")
    show_change_link = True


@admin.register(Contract)
class ContractAdmin(admin.ModelAdmin):
    list_display = ("number", "policyholder", "starts_on", "ends_on")
    list_filter = ("policyholder",)
    search_fields = ("number", "policyholder__name")
    list_select_related = ("policyholder",)
    inlines = [ProgramInline]


@admin.register(CareKind)
class CareKindAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "order")
    list_editable = ("order",)


@admin.register(Program)
class ProgramAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "contract", "copay_share", "includes_vzr")
    list_filter = ("includes_vzr", "care_kinds")
    search_fields = ("code", "name", "contract__number")
    filter_horizontal = ("care_kinds",)
    list_select_related = ("contract__policyholder",)


@admin.register(InsuredPerson)
class InsuredPersonAdmin(admin.ModelAdmin):
    list_display = (
        "policy_number",
        "last_name",
        "first_name",
        "middle_name",
        "birth_date",
        "relation",
        "program",
        "starts_on",
        "ends_on",
    )
    list_filter = ("relation", "contract__policyholder")
    search_fields = ("policy_number", "last_name", "first_name", "email")
    raw_id_fields = ("parent",)
    list_select_related = ("program",)


@admin.register(Policy)
class PolicyAdmin(admin.ModelAdmin):
    list_display = ("number", "product", "status", "starts_on", "ends_on", "premium")
    list_filter = ("product", "status")
    search_fields = ("number",)
    raw_id_fields = ("holder", "insured_person")


@admin.register(PolicyLink)
class PolicyLinkAdmin(admin.ModelAdmin):
    list_display = ("user", "insured_person", "relation", "linked_at", "unlinked_at")
    list_filter = ("relation",)
    search_fields = ("user__email", "insured_person__policy_number")
    raw_id_fields = ("user", "insured_person")
    list_select_related = ("user", "insured_person")
