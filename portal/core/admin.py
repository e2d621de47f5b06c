from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .audit import audit_log_record
from .client_ip import client_ip
from .models import AuditLogEntry


class ReadOnlyAdminMixin:
    """Rows written only by services (imports, charges, numbering, history): shown in the admin,
    never added, edited or deleted there."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class AuditedAdminMixin:
    """Writes the staff audit log whenever an admin page shows a person's passport or medical
    data: a change page (one entry for its object), and a changelist whose columns show such data
    (one entry per person on the page). Only pages actually shown are logged (status 200), never
    a refused request.

    Subclasses say whose data an object is and what was shown: `audit_entry(obj)` returns
    (person label, what) or None when the object shows nothing sensitive; a changelist that
    shows such data overrides `audit_changelist_entries(objects)`."""

    def audit_entry(self, request: HttpRequest, obj: models.Model) -> tuple[str, str] | None:
        return None

    def audit_changelist_entries(
        self, request: HttpRequest, objects: list[models.Model]
    ) -> list[tuple[models.Model, str, str]]:
        return []

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        context = getattr(response, "context_data", None) or {}
        obj = context.get("original")
        if response.status_code == 200 and obj is not None:
            entry = self.audit_entry(request, obj)
            if entry is not None:
                person_label, what = entry
                audit_log_record(request=request, subject=obj, person_label=person_label, what=what)
        return response

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        context = getattr(response, "context_data", None) or {}
        changelist = context.get("cl")
        if response.status_code == 200 and changelist is not None:
            entries = self.audit_changelist_entries(request, list(changelist.result_list))
            audit_log_record_many(request=request, entries=entries)
        return response


def audit_log_record_many(
    *, request: HttpRequest, entries: list[tuple[models.Model, str, str]]
) -> int:
    """Several audit entries at once (a changelist page): (subject, person label, what) each.
    Like audit_log_record, only staff reads are recorded."""
    user = request.user
    if not entries or not (user.is_authenticated and user.is_staff):
        return 0
    ip_address = client_ip(request)
    rows = [
        AuditLogEntry(
            staff_user=user,
            action=AuditLogEntry.Action.VIEW,
            subject_type=ContentType.objects.get_for_model(subject),
            subject_id=str(subject.pk),
            person_label=person_label[:255],
            what=what[:255],
            ip_address=ip_address,
        )
        for subject, person_label, what in entries
    ]
    AuditLogEntry.objects.bulk_create(rows)
    return len(rows)


@admin.register(AuditLogEntry)
class AuditLogEntryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Readable by admins only; nobody adds, changes or deletes rows."""

    list_display = ("when", "staff_user", "action", "person_label", "what", "ip_address")
    list_filter = ("action", ("subject_type", admin.RelatedOnlyFieldListFilter))
    search_fields = ("person_label", "staff_user__email", "what", "subject_id")
    date_hierarchy = "at"
    list_select_related = ("staff_user", "subject_type")
    list_per_page = 50

    class Media:
        css = {"all": ("employers/admin.css",)}

    @admin.display(description=_("когда"), ordering="at")
    def when(self, obj: AuditLogEntry) -> str:
        return timezone.localtime(obj.at).strftime("%d.%m.%Y %H:%M:%S")

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_module_permission(self, request):
        return request.user.is_superuser
