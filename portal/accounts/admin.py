"""Users in the admin. Operators see and correct people's accounts, with the passport masked, and
lift brute-force lockouts; staff accounts, rights and passwords are the admins' (superusers')."""

from axes.models import AccessAttempt
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from portal.core.admin import AuditedAdminMixin

from .models import AccountEvent, Consent, PhoneVerification, RememberedDevice, User
from .services import account_unlock

# Fields only a superuser may change: they grant rights.
RIGHTS_FIELDS = ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ConsentInline(ReadOnlyInline):
    model = Consent
    fields = ("document", "version", "given_at", "withdrawn_at")
    readonly_fields = fields


class AccountEventInline(ReadOnlyInline):
    model = AccountEvent
    fields = ("at", "kind")
    readonly_fields = fields
    verbose_name_plural = _("история учётной записи")

    def get_queryset(self, request):
        return super().get_queryset(request).order_by("-at", "-pk")


class RememberedDeviceInline(ReadOnlyInline):
    model = RememberedDevice
    fields = ("label", "created_at", "last_used_at", "failed_attempts")
    readonly_fields = fields


class PhoneVerificationInline(ReadOnlyInline):
    model = PhoneVerification
    fields = ("purpose", "phone", "sent_at", "expires_at", "attempts", "confirmed_at")
    readonly_fields = fields


class LockedFilter(admin.SimpleListFilter):
    title = _("вход")
    parameter_name = "locked"

    def lookups(self, request, model_admin):
        return (("yes", _("заблокирован после неудачных попыток")),)

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(login_locked=True)
        return queryset


@admin.register(User)
class UserAdmin(AuditedAdminMixin, BaseUserAdmin):
    ordering = ("email",)
    list_display = (
        "email",
        "last_name",
        "first_name",
        "middle_name",
        "phone",
        "is_staff",
        "is_active",
        "locked",
    )
    list_filter = (LockedFilter, "is_staff", "is_superuser", "is_active", "groups")
    search_fields = ("email", "last_name", "first_name", "phone")
    readonly_fields = ("passport_display", "last_login", "date_joined")
    inlines = [ConsentInline, AccountEventInline, RememberedDeviceInline, PhoneVerificationInline]
    actions = ("unlock_login",)
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
        (_("Права"), {"fields": RIGHTS_FIELDS}),
        (_("Даты"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)

    def get_queryset(self, request):
        failures = AccessAttempt.objects.filter(
            username=OuterRef("email"), failures_since_start__gte=settings.AXES_FAILURE_LIMIT
        )
        return super().get_queryset(request).annotate(login_locked=Exists(failures))

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            readonly += RIGHTS_FIELDS
        return readonly

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or request.user.is_superuser:
            return fieldsets
        # Passwords are the admins' business: not even the (hashed) field for anyone else.
        (_title, first), *rest = fieldsets
        return ((None, {**first, "fields": ("email",)}), *rest)

    def has_change_permission(self, request, obj=None):
        # A staff account is out of an operator's reach: changing its e-mail would hand over
        # the account (and its rights) through a password reset.
        if obj is not None and obj.is_staff and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser and super().has_delete_permission(request, obj)

    def user_change_password(self, request, id, form_url=""):
        if not request.user.is_superuser:
            raise PermissionDenied
        return super().user_change_password(request, id, form_url)

    @admin.display(description=_("паспорт РФ"))
    def passport_display(self, obj: User) -> str:
        return obj.passport_masked or "—"

    @admin.display(description=_("вход заблокирован"), boolean=True)
    def locked(self, obj: User) -> bool:
        return bool(getattr(obj, "login_locked", False))

    def has_unlock_permission(self, request) -> bool:
        return request.user.is_superuser or request.user.has_perm("axes.delete_accessattempt")

    @admin.action(
        description=_("Разблокировать вход (сбросить неудачные попытки)"), permissions=["unlock"]
    )
    def unlock_login(self, request, queryset):
        cleared = sum(account_unlock(email=user.email) for user in queryset.only("email"))
        self.message_user(
            request,
            ngettext(
                "Сброшена %(count)d запись о неудачных попытках входа.",
                "Сброшено записей о неудачных попытках входа: %(count)d.",
                cleared,
            )
            % {"count": cleared},
            messages.SUCCESS if cleared else messages.INFO,
        )

    def audit_entry(self, request, obj):
        shown = "паспорт замаскирован" if obj.passport else "паспорта нет"
        return obj.full_name or obj.email, f"карточка пользователя ({shown})"
