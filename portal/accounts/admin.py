from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from portal.core.audit import audit_log_record

from .models import Consent, User


class ConsentInline(admin.TabularInline):
    model = Consent
    extra = 0
    readonly_fields = ("document", "version", "given_at", "withdrawn_at")
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ("email",)
    list_display = ("email", "last_name", "first_name", "middle_name", "is_staff", "is_active")
    search_fields = ("email", "last_name", "first_name", "phone")
    readonly_fields = ("passport_display", "last_login", "date_joined")
    inlines = [ConsentInline]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (
            _("Персональные данные"),
            {
                "fields": (
                    "last_name",
                    "first_name",
                    "middle_name",
                    "no_middle_name",
                    "birth_date",
                    "phone",
                    "passport_display",
                )
            },
        ),
        (
            _("Права"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Даты"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)

    @admin.display(description=_("паспорт РФ"))
    def passport_display(self, obj: User) -> str:
        return obj.passport_masked or "—"

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        obj = self.get_object(request, object_id)
        if obj is not None and request.method == "GET":
            audit_log_record(
                request=request,
                subject=obj,
                person_label=obj.full_name or obj.email,
                what="карточка пользователя (паспорт замаскирован)",
            )
        return response
