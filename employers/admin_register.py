"""The register in the admin (policies' models, at their admin URLs /admin/policies/...): HR
managers see their companies' contracts and insured persons (and upload employee lists from a
contract's page); operators search the register; admins see all. Registered from employers
(employers.admin imports this module), which sits above policies."""

import re
from functools import update_wrapper

from django import forms
from django.contrib import admin
from django.contrib.admin.views.main import ChangeList
from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Q, Subquery
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from policies.models import (
    Contract,
    InsuredPerson,
    Policy,
    PolicyDocument,
    Policyholder,
    PolicyLink,
    Program,
)
from portal.core.admin import (
    AuditedAdminMixin,
    PortalModelAdmin,
    PortalStackedInline,
    PortalTabularInline,
)

from . import admin_views as import_views
from .models import ColumnMapping, EmployerManager, Invitation
from .scoping import EmployerScopedAdminMixin
from .selectors import (
    contracts_for_staff,
    contracts_with_activation,
    employer_scope,
    insured_persons_for_staff,
    is_employer_manager,
    programs_for_staff,
)
from .services.mapping import column_choices
from .services.register import insured_person_save


class ContractInline(PortalTabularInline):
    model = Contract
    extra = 0
    fields = ("number", "starts_on", "ends_on")
    show_change_link = True


class EmployerManagerInline(PortalTabularInline):
    model = EmployerManager
    extra = 0
    raw_id_fields = ("user",)
    verbose_name = _("HR-менеджер")
    verbose_name_plural = _("HR-менеджеры (видят и загружают списки застрахованных компании)")


class ColumnMappingInline(PortalTabularInline):
    """What the company's HR chose for the columns of their lists the import did not recognise
    (employers.services.mapping): an administrator corrects a wrong choice or deletes it, and the
    next list asks for that column again."""

    model = ColumnMapping
    extra = 0
    fields = ("header", "field", "chosen_by", "updated_at")
    readonly_fields = ("header", "chosen_by", "updated_at")
    verbose_name_plural = _("Столбцы списков, сопоставленные HR-менеджерами")

    def has_add_permission(self, request, obj=None):
        return False

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "field":
            return forms.ChoiceField(
                choices=column_choices(), required=False, label=db_field.verbose_name
            )
        return super().formfield_for_dbfield(db_field, request, **kwargs)


@admin.register(Policyholder)
class PolicyholderAdmin(EmployerScopedAdminMixin, PortalModelAdmin):
    policyholder_path = "pk"
    list_display = ("name", "inn")
    search_fields = ("name", "inn")
    inlines = [ContractInline, EmployerManagerInline, ColumnMappingInline]


class ProgramInline(PortalTabularInline):
    model = Program
    extra = 0
    fields = ("code", "name", "copay_share", "includes_vzr")
    show_change_link = True


class ContractChangeList(ChangeList):
    """The list counts each contract's people and activated cabinets (two correlated counts over
    its insured persons, ~3 ms for 1,000 of them); the contract's own pages and the list import
    read one contract and need neither."""

    def get_queryset(self, request, exclude_parameters=None):
        return contracts_with_activation(super().get_queryset(request, exclude_parameters))


class RowLinkChangeList(ChangeList):
    """Each row's link carries the list's filters as Django's would, written on directly: Django
    resolves every row's URL through the whole URL map (50 rows: ~2 ms of a filtered page) only
    to learn that it is not the list's own URL."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Read only by the rows (admin_list.items_for_result); the page's own links take theirs
        # from the view's context.
        self.row_link_query, self.preserved_filters = self.preserved_filters, ""

    def url_for_result(self, result):
        url = super().url_for_result(result)
        return f"{url}?{self.row_link_query}" if self.row_link_query else url


@admin.register(Contract)
class ContractAdmin(EmployerScopedAdminMixin, PortalModelAdmin):
    policyholder_path = "policyholder"
    list_display = (
        "number",
        "policyholder",
        "starts_on",
        "ends_on",
        "cabinet_activation",
        "import_link",
    )
    list_filter = (("policyholder", admin.RelatedOnlyFieldListFilter),)
    search_fields = ("number", "policyholder__name", "policyholder__inn")
    list_select_related = ("policyholder",)
    inlines = [ProgramInline]

    def get_changelist(self, request, **kwargs):
        return ContractChangeList

    @admin.display(description=_("кабинет"))
    def cabinet_activation(self, obj: Contract) -> str:
        covered = getattr(obj, "people_covered", None)
        if covered is None:
            return "—"
        activated = obj.people_activated
        percent = round(100 * activated / covered) if covered else 0
        return _("%(activated)s из %(covered)s (%(percent)s %%)") % {
            "activated": activated,
            "covered": covered,
            "percent": percent,
        }

    @admin.display(description=_("список"))
    def import_link(self, obj: Contract) -> str:
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:policies_contract_import", args=[obj.pk]),
            _("Загрузить список"),
        )

    def get_list_display(self, request):
        shown = list(super().get_list_display(request))
        if not import_views.can_view(request.user):
            shown.remove("import_link")
        return shown

    def get_urls(self):
        def wrap(view, *, csrf_checked_inside: bool = False):
            def wrapper(request, *args, **kwargs):
                return view(self, request, *args, **kwargs)

            update_wrapper(wrapper, view)
            if csrf_checked_inside:
                # The upload page checks CSRF itself, after refusing an oversized body unread.
                wrapper.csrf_exempt = True
            return self.admin_site.admin_view(wrapper)

        upload = wrap(import_views.import_upload_view, csrf_checked_inside=True)
        return [
            path("<path:object_id>/import/", upload, name="policies_contract_import"),
            path(
                "<path:object_id>/import/template.<str:file_format>",
                wrap(import_views.import_template_view),
                name="policies_contract_import_template",
            ),
            path(
                "<path:object_id>/import/<int:batch_id>/",
                wrap(import_views.import_batch_view),
                name="policies_contract_import_batch",
            ),
            path(
                "<path:object_id>/import/<int:batch_id>/apply/",
                wrap(import_views.import_apply_view),
                name="policies_contract_import_apply",
            ),
            path(
                "<path:object_id>/import/<int:batch_id>/recheck/",
                wrap(import_views.import_recheck_view),
                name="policies_contract_import_recheck",
            ),
            path(
                "<path:object_id>/import/<int:batch_id>/columns/",
                wrap(import_views.import_columns_view),
                name="policies_contract_import_columns",
            ),
            path(
                "<path:object_id>/import/<int:batch_id>/list.<str:file_format>",
                wrap(import_views.import_list_view),
                name="policies_contract_import_list",
            ),
            path(
                "<path:object_id>/import/<int:batch_id>/errors.csv",
                wrap(import_views.import_errors_view),
                name="policies_contract_import_errors",
            ),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = dict(extra_context or {})
        if import_views.can_view(request.user):
            extra_context["import_url"] = reverse(
                "admin:policies_contract_import", args=[object_id]
            )
        return super().change_view(request, object_id, form_url, extra_context)


@admin.register(Program)
class ProgramAdmin(EmployerScopedAdminMixin, PortalModelAdmin):
    list_display = ("code", "name", "contract", "copay_share", "includes_vzr")
    list_filter = ("includes_vzr", "care_kinds", ("contract", admin.RelatedOnlyFieldListFilter))
    search_fields = ("code", "name", "contract__number")
    filter_horizontal = ("care_kinds",)
    list_select_related = ("contract__policyholder",)

    def get_list_filter(self, request):
        # The kinds of care are the insurer's catalogue, not a company's: only for the insurer.
        if is_employer_manager(request.user):
            return ("includes_vzr", ("contract", admin.RelatedOnlyFieldListFilter))
        return super().get_list_filter(request)


class CoveredTodayFilter(admin.SimpleListFilter):
    title = _("страхование")
    parameter_name = "covered"

    def lookups(self, request, model_admin):
        return (
            ("now", _("действует сегодня")),
            ("future", _("начнётся позже")),
            ("ended", _("закончилось")),
        )

    def queryset(self, request, queryset):
        today = timezone.localdate()
        if self.value() == "now":
            return queryset.filter(starts_on__lte=today, ends_on__gte=today)
        if self.value() == "future":
            return queryset.filter(starts_on__gt=today)
        if self.value() == "ended":
            return queryset.filter(ends_on__lt=today)
        return queryset


class ContractOnlyFieldListFilter(admin.RelatedOnlyFieldListFilter):
    """The contracts of the listed rows, each named with its policyholder read in the same query
    (Contract's str names the policyholder: one query per contract otherwise)."""

    def field_choices(self, field, request, model_admin):
        listed = model_admin.get_queryset(request).distinct().values_list("contract__pk")
        contracts = Contract.objects.select_related("policyholder").filter(pk__in=listed)
        ordering = self.field_admin_ordering(field, request, model_admin)
        if ordering:
            contracts = contracts.order_by(*ordering)
        return [(contract.pk, str(contract)) for contract in contracts]


class CabinetFilter(admin.SimpleListFilter):
    title = _("личный кабинет")
    parameter_name = "cabinet"

    def lookups(self, request, model_admin):
        return (("yes", _("активирован")), ("no", _("не активирован")))

    def queryset(self, request, queryset):
        # A semi- or anti-join, not the list's `cabinet_activated` flag: PostgreSQL estimates
        # those from the links' statistics, where it guessed 5 rows of 1,000 for the flag and
        # joined every program to every row (18 → 5 ms at the bench's large scale).
        active = Exists(
            PolicyLink.objects.filter(insured_person=OuterRef("pk"), unlinked_at__isnull=True)
        )
        if self.value() == "yes":
            return queryset.filter(active)
        if self.value() == "no":
            return queryset.filter(~active)
        return queryset


class InsuredPersonAdminForm(forms.ModelForm):
    class Meta:
        model = InsuredPerson
        fields = [
            "policy_number",
            "contract",
            "program",
            "relation",
            "parent",
            "last_name",
            "first_name",
            "middle_name",
            "birth_date",
            "email",
            "phone",
            "personnel_number",
            "department",
            "starts_on",
            "ends_on",
        ]

    def clean(self):
        cleaned = super().clean()
        program = cleaned.get("program")
        contract = cleaned.get("contract") or getattr(self.instance, "contract", None)
        if program is not None and contract is not None and program.contract_id != contract.pk:
            self.add_error("program", _("Программа должна быть из договора застрахованного."))
        return cleaned


class InvitationInline(PortalTabularInline):
    model = Invitation
    extra = 0
    fields = ("email", "created_at", "sent_at")
    readonly_fields = fields
    can_delete = False
    verbose_name_plural = _("приглашения в личный кабинет")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


PHONE_QUERY_RE = re.compile(r"^\+?[\d\s()\-]{7,20}$")


@admin.register(InsuredPerson)
class InsuredPersonAdmin(AuditedAdminMixin, EmployerScopedAdminMixin, PortalModelAdmin):
    form = InsuredPersonAdminForm
    # What fits beside the sidebar and the filters; the relation and the phone are a filter and a
    # search away, and on the person's page.
    list_display = (
        "policy_number",
        "full_name",
        "born",
        "program_code",
        "covered_until",
        "email",
        "cabinet",
    )
    list_filter = (
        CoveredTodayFilter,
        CabinetFilter,
        "relation",
        ("contract", ContractOnlyFieldListFilter),
        ("program", admin.RelatedOnlyFieldListFilter),
    )
    search_fields = (
        "policy_number",
        "last_name",
        "first_name",
        "middle_name",
        "email",
        "phone",
        "personnel_number",
    )
    search_help_text = _(
        "Номер полиса, фамилия, имя, отчество, e-mail, телефон или табельный номер"
    )
    raw_id_fields = ("parent",)
    list_select_related = ("program",)
    inlines = [InvitationInline]
    list_per_page = 50
    # No second count of the whole (unfiltered) register beside the filtered one.
    show_full_result_count = False

    class Media:
        css = {"all": ("employers/admin.css",)}

    def get_changelist(self, request, **kwargs):
        return RowLinkChangeList

    def scope_queryset(self, queryset, request):
        # An HR manager's people by their contracts' ids, not by a join to the contracts: with the
        # ids PostgreSQL reads the company's people in the list's order from
        # insured_contract_name_idx (0.8 ms at the bench's large scale) instead of walking the
        # names of the whole register and dropping the other companies' people (7-9 ms).
        scope = employer_scope(request.user)
        if scope is None:
            return queryset
        # Read once per request: the changelist, its filters and its counts each ask for it.
        contract_ids = getattr(request, "_insured_scope_contract_ids", None)
        if contract_ids is None:
            contract_ids = list(
                Contract.objects.filter(policyholder__in=scope)
                .order_by()
                .values_list("pk", flat=True)
            )
            request._insured_scope_contract_ids = contract_ids
        return queryset.filter(contract_id__in=contract_ids)

    def get_queryset(self, request):
        # `activated` as a correlated probe of the person's active link, not `EXISTS`: the planner
        # reads an EXISTS over a list of ~1,000 people as a hash of every active link of the
        # register (42,000 at the bench's large scale, 7 ms) when the page shows 50 of them.
        link = PolicyLink.objects.filter(
            insured_person=OuterRef("pk"), unlinked_at__isnull=True
        ).order_by()
        return (
            super()
            .get_queryset(request)
            .alias(active_link=Subquery(link.values("pk")[:1]))
            .annotate(
                cabinet_activated=ExpressionWrapper(
                    Q(active_link__isnull=False), output_field=BooleanField()
                )
            )
        )

    def get_fieldsets(self, request, obj=None):
        personal = [
            "last_name",
            "first_name",
            "middle_name",
            "birth_date",
            "email",
            "phone",
            "personnel_number",
            "department",
        ]
        if obj is not None and obj.passport and not is_employer_manager(request.user):
            personal.append("passport_masked")
        fieldsets = [
            (None, {"fields": ["policy_number", "contract", "program", "relation", "parent"]}),
            (_("Персональные данные"), {"fields": personal}),
            (_("Срок страхования"), {"fields": ["starts_on", "ends_on"]}),
        ]
        if obj is not None:
            fieldsets.append((_("Личный кабинет"), {"fields": ["cabinet_status"]}))
        return fieldsets

    def get_readonly_fields(self, request, obj=None):
        readonly = ["passport_masked", "cabinet_status"]
        if obj is not None:
            # The policy number is the register's key; moving between contracts is the insurer's.
            readonly.append("policy_number")
            if not request.user.is_superuser:
                readonly.append("contract")
        return readonly

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "contract":
            kwargs["queryset"] = contracts_for_staff(request.user)
        elif db_field.name == "program":
            kwargs["queryset"] = programs_for_staff(request.user)
        elif db_field.name == "parent":
            # A raw id is typed by hand: only the user's own people are accepted.
            kwargs["queryset"] = insured_persons_for_staff(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_search_results(self, request, queryset, search_term):
        results, distinct = super().get_search_results(request, queryset, search_term)
        term = search_term.strip()
        if PHONE_QUERY_RE.match(term):
            # Phones are stored as +7XXXXXXXXXX: «8 (916) 123-45-67» finds them by the digits.
            digits = re.sub(r"\D", "", term)
            if len(digits) == 11 and digits[0] in "78":
                digits = digits[1:]
            results |= queryset.filter(phone__endswith=digits)
        return results, distinct

    @admin.display(description=_("ФИО"), ordering="last_name")
    def full_name(self, obj: InsuredPerson) -> str:
        return obj.full_name

    @admin.display(description=_("дата рождения"), ordering="birth_date")
    def born(self, obj: InsuredPerson) -> str:
        return obj.birth_date.strftime("%d.%m.%Y")

    @admin.display(description=_("программа"), ordering="program__code")
    def program_code(self, obj: InsuredPerson) -> str:
        return obj.program.code

    @admin.display(description=_("застрахован до"), ordering="ends_on")
    def covered_until(self, obj: InsuredPerson) -> str:
        return obj.ends_on.strftime("%d.%m.%Y")

    @admin.display(description=_("кабинет"), boolean=True, ordering="cabinet_activated")
    def cabinet(self, obj: InsuredPerson) -> bool:
        return bool(getattr(obj, "cabinet_activated", False))

    @admin.display(description=_("личный кабинет"))
    def cabinet_status(self, obj: InsuredPerson) -> str:
        activated = getattr(obj, "cabinet_activated", None)
        if activated is None:
            activated = obj.links.filter(unlinked_at__isnull=True).exists()
        return _("активирован") if activated else _("не активирован")

    @admin.display(description=_("паспорт РФ"))
    def passport_masked(self, obj: InsuredPerson) -> str:
        passport = obj.passport or ""
        if len(passport) < 4:
            return "—" if not passport else "****"
        return f"{passport[:2]}** ******{passport[-2:]}"

    def save_model(self, request, obj, form, change):
        insured_person_save(person=obj)

    def audit_entry(self, request, obj):
        if obj.passport and not is_employer_manager(request.user):
            return str(obj), "карточка застрахованного (паспорт замаскирован)"
        return None


class PolicyDocumentInline(PortalStackedInline):
    model = PolicyDocument
    extra = 0
    fields = ("status", "generated_at", "size", "render_ms")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Policy)
class PolicyAdmin(EmployerScopedAdminMixin, PortalModelAdmin):
    policyholder_path = "insured_person__contract__policyholder"
    list_display = ("number", "product", "status", "starts_on", "ends_on", "premium")
    list_filter = ("product", "status")
    search_fields = ("number", "insured_person__policy_number", "holder__email")
    raw_id_fields = ("holder", "insured_person")
    inlines = [PolicyDocumentInline]
