from django.contrib import admin
from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Q
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from portal.core.admin import PortalModelAdmin, ReadOnlyAdminMixin

from . import admin_register  # noqa: F401 (registers the register's admin: policies' models)
from .models import EmployerManager, ImportBatch, ImportRow, Invitation
from .scoping import EmployerScopedAdminMixin
from .selectors import contracts_for_staff


@admin.register(EmployerManager)
class EmployerManagerAdmin(PortalModelAdmin):
    """Who manages which company's list: admins assign HR managers here (or on the company)."""

    list_display = ("user", "policyholder", "created_at")
    list_filter = (("policyholder", admin.RelatedOnlyFieldListFilter),)
    search_fields = ("user__email", "user__last_name", "policyholder__name", "policyholder__inn")
    raw_id_fields = ("user",)
    list_select_related = ("user", "policyholder")


class UploadedContractFilter(admin.RelatedOnlyFieldListFilter):
    """«По договор»: the contracts with uploads, taken from the contracts the page has read once
    with their companies (ImportBatchAdmin.page_contracts), not read again one company a row."""

    def field_choices(self, field, request, model_admin):
        return [
            (contract.pk, str(contract))
            for contract in model_admin.page_contracts(request)
            if contract.has_uploads
        ]


@admin.register(ImportBatch)
class ImportBatchAdmin(ReadOnlyAdminMixin, EmployerScopedAdminMixin, PortalModelAdmin):
    list_display = (
        "created_at",
        "contract",
        "original_name",
        "status",
        "rows_total",
        "rows_invalid",
        "to_add",
        "to_change",
        "to_remove",
        "uploaded_by",
        "page_link",
    )
    list_filter = ("status", ("contract", UploadedContractFilter))
    search_fields = ("original_name", "contract__number", "uploaded_by__email")
    list_select_related = ("contract__policyholder", "uploaded_by")
    # One COUNT a page: «N результатов (всего M)» of a search needs a second one (bench: ≤ 12).
    show_full_result_count = False
    date_hierarchy = "created_at"
    exclude = ("file", "register_fingerprint")
    readonly_fields = ("page_link",)

    change_list_template = "admin/employers/importbatch/change_list.html"

    UPLOAD_LINKS = 20

    def page_contracts(self, request) -> list:
        """The contracts the page shows, read once a request: the first UPLOAD_LINKS the user
        may load (`can_upload`, the upload links) and those with uploads (`has_uploads`, the
        contract filter), each with its company."""
        if not hasattr(request, "_importbatch_contracts"):
            contracts = contracts_for_staff(request.user)
            first = contracts.values("pk")[: self.UPLOAD_LINKS]
            request._importbatch_contracts = list(
                contracts.annotate(
                    has_uploads=Exists(ImportBatch.objects.filter(contract=OuterRef("pk"))),
                    can_upload=ExpressionWrapper(Q(pk__in=first), output_field=BooleanField()),
                ).filter(Q(has_uploads=True) | Q(can_upload=True))
            )
        return request._importbatch_contracts

    def changelist_view(self, request, extra_context=None):
        # «Загрузки списков» leads to the upload: one link per contract the manager may load.
        uploads = [
            (contract, reverse("admin:policies_contract_import", args=[contract.pk]))
            for contract in self.page_contracts(request)
            if contract.can_upload
        ]
        return super().changelist_view(request, {**(extra_context or {}), "uploads": uploads})

    @admin.display(description=_("страница загрузки"))
    def page_link(self, obj: ImportBatch) -> str:
        url = reverse("admin:policies_contract_import_batch", args=[obj.contract_id, obj.pk])
        return format_html('<a href="{}">{}</a>', url, _("открыть"))


@admin.register(ImportRow)
class ImportRowAdmin(ReadOnlyAdminMixin, EmployerScopedAdminMixin, PortalModelAdmin):
    """The staged rows of the imports, for the insurer's support (HR managers see them on the
    import page)."""

    policyholder_path = "batch__contract__policyholder"
    list_display = ("batch", "row_number", "action", "policy_number", "last_name", "first_name")
    list_filter = ("action",)
    search_fields = ("policy_number", "last_name")
    raw_id_fields = ("batch", "person", "program")
    list_select_related = ("batch",)
    show_full_result_count = False

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_module_permission(self, request):
        return request.user.is_superuser


@admin.register(Invitation)
class InvitationAdmin(ReadOnlyAdminMixin, EmployerScopedAdminMixin, PortalModelAdmin):
    policyholder_path = "insured_person__contract__policyholder"
    list_display = ("email", "insured_person", "created_at", "sent_at")
    list_filter = (("sent_at", admin.EmptyFieldListFilter),)
    search_fields = ("email", "insured_person__policy_number", "insured_person__last_name")
    raw_id_fields = ("insured_person", "batch")
    list_select_related = ("insured_person",)
    date_hierarchy = "created_at"
