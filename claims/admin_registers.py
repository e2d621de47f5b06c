"""Operators' upload of clinic service registers (CSV or XLSX) in the admin, the downloadable
templates, and the ICD-10 dictionary the registers fill.

claims/admin.py wires it in: `class ServiceLineAdmin(RegisterImportAdminMixin, AuditedAdminMixin,
admin.ModelAdmin)` and `admin.site.register(Icd10Diagnosis, Icd10DiagnosisAdmin)`.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .registers import COLUMNS, RegisterFileError, register_import, template_csv, template_xlsx

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
        result = None
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                result = register_import(content=upload.read(), filename=upload.name)
            except RegisterFileError as error:
                form.add_error("file", str(error))
            else:
                if result.ok:
                    self.message_user(
                        request,
                        _("Реестр загружен: новых строк %(new)s, уже были загружены %(old)s.")
                        % {"new": result.created, "old": result.already_loaded},
                        messages.SUCCESS,
                    )
                    return HttpResponseRedirect(reverse("admin:claims_serviceline_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Загрузка реестра услуг клиники"),
            "form": form,
            "result": result,
            "columns": COLUMNS,
        }
        return TemplateResponse(request, "claims/admin/register_import.html", context)

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


class Icd10DiagnosisAdmin(admin.ModelAdmin):
    """The ICD-10 dictionary; claims/admin.py registers it (admin.site.register)."""

    list_display = ("code", "name")
    search_fields = ("code", "name")
    ordering = ("code",)
