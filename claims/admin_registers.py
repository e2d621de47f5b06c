"""Operators' upload of clinic service registers (CSV or XLSX) in the admin, the downloadable
templates, and the Ministry's МКБ-10 dictionary the registers' codes are checked against.

claims/admin.py wires it in: `class ServiceLineAdmin(RegisterImportAdminMixin, AuditedAdminMixin,
PortalModelAdmin)` and `admin.site.register(Icd10Diagnosis, Icd10DiagnosisAdmin)`.
"""

import re

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseNotAllowed,
    HttpResponseRedirect,
)
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from portal.core.admin import PortalModelAdmin, ReadOnlyAdminMixin

from .icd10 import icd10_normalize
from .register_jobs import register_job_get, register_job_start
from .registers import COLUMNS, template_csv, template_xlsx
from .services.icd10 import icd10_load

# A code or its beginning, in the dictionary's form: «K», «K02», «K02.», «K02.1».
CODE_PREFIX_RE = re.compile(r"^[A-Z]([0-9]{1,2}(\.[0-9]{0,2})?)?$")
# A register of 100,000 lines (registers.MAX_ROWS) with long service names is about 21 MB.
MAX_UPLOAD_BYTES = 40 * 1024 * 1024


class RegisterUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Файл реестра (CSV или XLSX)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )

    def clean_file(self):
        file = self.cleaned_data["file"]
        name = (file.name or "").lower()
        if not name.endswith((".csv", ".xlsx")):
            raise forms.ValidationError(_("Загрузите файл CSV или XLSX"))
        if file.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("Файл больше 40 МБ: разделите реестр"))
        return file


class RegisterImportAdminMixin:
    """Mixed into ServiceLineAdmin before ModelAdmin: «Загрузить реестр» and the templates."""

    change_list_template = "claims/admin/serviceline_changelist.html"

    def get_urls(self):
        return [
            path(
                "import/",
                self.admin_site.admin_view(self.register_import_view),
                name="claims_serviceline_import",
            ),
            path(
                "import/<str:job_id>/",
                self.admin_site.admin_view(self.register_job_view),
                name="claims_serviceline_import_job",
            ),
            path(
                "import/template.csv",
                self.admin_site.admin_view(self.register_template_csv),
                name="claims_serviceline_template_csv",
            ),
            path(
                "import/template.xlsx",
                self.admin_site.admin_view(self.register_template_xlsx),
                name="claims_serviceline_template_xlsx",
            ),
        ] + super().get_urls()

    def _check(self, request) -> None:
        if not self.has_add_permission(request):
            raise PermissionDenied

    def register_import_view(self, request: HttpRequest) -> HttpResponse:
        self._check(request)
        form = RegisterUploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            job = register_job_start(content=upload.read(), filename=upload.name)
            return HttpResponseRedirect(
                reverse("admin:claims_serviceline_import_job", args=[job.id])
            )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Загрузка реестра услуг клиники"),
            "form": form,
            "columns": COLUMNS,
        }
        return TemplateResponse(request, "claims/admin/register_import.html", context)

    def register_job_view(self, request: HttpRequest, job_id: str) -> HttpResponse:
        """The upload's progress (the page refreshes itself) and then its outcome."""
        self._check(request)
        job = register_job_get(job_id)
        if job is None:
            raise Http404
        if job.ok:
            self.message_user(
                request,
                _("Реестр загружен: новых строк %(new)s, уже были загружены %(old)s.")
                % {"new": job.created, "old": job.already_loaded},
                messages.SUCCESS,
            )
            if job.icd10_flagged:
                self.message_user(
                    request,
                    _(
                        "Строк с кодом МКБ-10 не из справочника: %(n)s. Они загружены "
                        "и отмечены для проверки (фильтр «проверка кода МКБ-10»)."
                    )
                    % {"n": job.icd10_flagged},
                    messages.WARNING,
                )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Загрузка реестра услуг клиники"),
            "job": job,
            "form": RegisterUploadForm(),
        }
        return TemplateResponse(request, "claims/admin/register_job.html", context)

    def register_template_csv(self, request: HttpRequest) -> HttpResponse:
        self._check(request)
        response = HttpResponse(template_csv(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="register-template.csv"'
        return response

    def register_template_xlsx(self, request: HttpRequest) -> HttpResponse:
        self._check(request)
        response = HttpResponse(
            template_xlsx(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = 'attachment; filename="register-template.xlsx"'
        return response


class Icd10DiagnosisAdmin(ReadOnlyAdminMixin, PortalModelAdmin):
    """The МКБ-10 dictionary, read-only (it is the Ministry's, loaded from claims/data); claims/
    admin.py registers it. The search takes a code as people type it («к021», «J06,9», «K02»)
    or words of the name; «Загрузить заново» runs the loader (manage.py load_mkb10)."""

    change_list_template = "claims/admin/icd10_changelist.html"
    list_display = ("code", "name", "level", "is_actual", "addl_code", "source")
    list_filter = ("level", "is_actual", "source")
    search_fields = ("code", "name")
    search_help_text = gettext_lazy("Код (K02.1, к021, K02) или слова наименования")
    list_select_related = ("parent",)
    ordering = ("rec_code",)
    list_per_page = 100

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        if not term:
            return queryset, False
        code = icd10_normalize(term)
        if CODE_PREFIX_RE.match(code):
            return queryset.filter(code__startswith=code), False
        words = Q()
        for word in term.split():
            words &= Q(name__icontains=word)
        return queryset.filter(words), False

    def get_urls(self):
        return [
            path(
                "reload/",
                self.admin_site.admin_view(self.reload_view),
                name="claims_icd10diagnosis_reload",
            )
        ] + super().get_urls()

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "can_reload": self._can_reload(request)}
        return super().changelist_view(request, extra_context)

    def _can_reload(self, request) -> bool:
        return request.user.has_perm("claims.reload_icd10diagnosis")

    def reload_view(self, request: HttpRequest) -> HttpResponse:
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not self._can_reload(request):
            raise PermissionDenied
        result = icd10_load()
        self.message_user(
            request,
            ngettext(
                "Справочник МКБ-10 загружен: %(total)s запись; добавлено %(new)s, изменено "
                "%(changed)s, удалено %(deleted)s.",
                "Справочник МКБ-10 загружен: %(total)s записей; добавлено %(new)s, изменено "
                "%(changed)s, удалено %(deleted)s.",
                result.total,
            )
            % {
                "total": result.total,
                "new": result.created,
                "changed": result.updated,
                "deleted": result.deleted,
            },
            messages.SUCCESS,
        )
        return HttpResponseRedirect(reverse("admin:claims_icd10diagnosis_changelist"))
