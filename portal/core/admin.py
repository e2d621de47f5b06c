from django.contrib import admin

from .models import AuditLogEntry


@admin.register(AuditLogEntry)
class AuditLogEntryAdmin(admin.ModelAdmin):
    """Readable by admins only; nobody adds, changes or deletes rows."""

    list_display = ("at", "staff_user", "action", "person_label", "what", "ip_address")
    list_filter = ("action",)
    search_fields = ("person_label", "staff_user__email", "what")
    date_hierarchy = "at"
    list_select_related = ("staff_user",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser
