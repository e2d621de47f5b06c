"""Users in the admin. Operators see and correct people's accounts, with the passport masked, and
lift brute-force lockouts; staff accounts, rights and passwords are the admins' (superusers').

Nobody on staff, superusers included, edits a person's login identifiers here (e-mail, phone,
passport, the ESIA link, the e-mail addresses): a change the person asks for is an
IdentifierChangeRequest, which the person confirms in the cabinet. Every other change of an
account is written to the staff audit log with its values before and after."""

from allauth.account.admin import EmailAddressAdmin as AllauthEmailAddressAdmin
from allauth.account.models import EmailAddress
from allauth.mfa.admin import AuthenticatorAdmin as AllauthAuthenticatorAdmin
from allauth.mfa.models import Authenticator
from allauth.socialaccount.admin import SocialAccountAdmin as AllauthSocialAccountAdmin
from allauth.socialaccount.admin import SocialAppAdmin as AllauthSocialAppAdmin
from allauth.socialaccount.admin import SocialTokenAdmin as AllauthSocialTokenAdmin
from allauth.socialaccount.models import SocialAccount, SocialApp, SocialToken
from axes.admin import AccessAttemptAdmin as AxesAccessAttemptAdmin
from axes.admin import AccessFailureLogAdmin as AxesAccessFailureLogAdmin
from axes.admin import AccessLogAdmin as AxesAccessLogAdmin
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth.admin import GroupAdmin as BaseGroupAdmin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from portal.core.admin import (
    AuditedAdminMixin,
    ChangeAuditedAdminMixin,
    PortalModelAdmin,
    PortalTabularInline,
    ReadOnlyAdminMixin,
    SelectLabelsMixin,
)
from portal.core.audit import audit_log_record
from portal.core.client_ip import client_ip
from portal.core.models import AuditLogEntry

from .forms import IdentifierChangeRequestAdminForm
from .models import (
    AccountEvent,
    Consent,
    IdentifierChangeRequest,
    NotificationPreference,
    PhoneVerification,
    PushSubscription,
    RememberedDevice,
    User,
)
from .services import (
    account_unlock,
    identifier_change_request_cancel,
    identifier_change_request_create,
    identifier_change_requests_expire,
)

# Fields only a superuser may change: they grant rights.
RIGHTS_FIELDS = ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")
# A person's login identifiers: never edited on the admin's pages (see IdentifierChangeRequest).
IDENTIFIER_FIELDS = ("email", "phone")


class ReadOnlyInline(PortalTabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
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


class NotificationPreferenceInline(ReadOnlyInline):
    model = NotificationPreference
    fields = ("kind", "push", "sms", "email", "updated_at")
    readonly_fields = fields


class PushSubscriptionInline(ReadOnlyInline):
    model = PushSubscription
    fields = ("kind", "label", "created_at", "last_sent_at")  # never the endpoint or its keys
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
class UserAdmin(SelectLabelsMixin, AuditedAdminMixin, ChangeAuditedAdminMixin, BaseUserAdmin):
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
    inlines = [
        ConsentInline,
        AccountEventInline,
        RememberedDeviceInline,
        PhoneVerificationInline,
        NotificationPreferenceInline,
        PushSubscriptionInline,
    ]
    actions = ("unlock_login",)
    fieldsets = (
        (None, {"fields": ("email", "password", "identifier_change")}),
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
        if obj is not None:
            readonly += [*IDENTIFIER_FIELDS, "identifier_change"]
        if not request.user.is_superuser:
            readonly += RIGHTS_FIELDS
        return readonly

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None:
            return fieldsets
        (_title, first), *rest = fieldsets
        fields = list(first["fields"])
        # Passwords are the admins' business, and only of staff accounts: a person's password is
        # the person's (a reset goes to their verified address); not even the hash for others.
        if not (request.user.is_superuser and obj.is_staff):
            fields.remove("password")
        if obj.is_staff:
            fields.remove("identifier_change")
        return ((None, {**first, "fields": tuple(fields)}), *rest)

    def has_change_permission(self, request, obj=None):
        # A staff account is out of an operator's reach: changing its e-mail would hand over
        # the account (and its rights) through a password reset.
        if obj is not None and obj.is_staff and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser and super().has_delete_permission(request, obj)

    def user_change_password(self, request, id, form_url=""):
        # Setting a person's password would hand their account to whoever set it.
        target = self.get_object(request, id)
        if not request.user.is_superuser or target is None or not target.is_staff:
            raise PermissionDenied
        response = super().user_change_password(request, id, form_url)
        if request.method == "POST" and response.status_code == 302:
            audit_log_record(
                request=request,
                subject=target,
                person_label=target.full_name or target.email,
                what="пароль сотрудника задан администратором",
                action=AuditLogEntry.Action.CHANGE,
                changes={"password": {"before": "••••••", "after": "••••••"}},
            )
        return response

    def audit_person(self, obj: User) -> str:
        return obj.full_name or obj.email

    @admin.display(description=_("смена e-mail или телефона"))
    def identifier_change(self, obj: User) -> str:
        if obj.pk is None:
            return "—"
        url = reverse("admin:accounts_identifierchangerequest_add")
        return format_html(
            '<a href="{}?{}">{}</a> — {}',
            url,
            urlencode({"user": obj.pk}),
            _("Запросить смену"),
            _("человек подтвердит её в личном кабинете"),
        )

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
        cleared = 0
        for user in queryset.only("email", "last_name", "first_name", "middle_name"):
            count = account_unlock(email=user.email)
            cleared += count
            if count:
                audit_log_record(
                    request=request,
                    subject=user,
                    person_label=user.full_name or user.email,
                    what="вход разблокирован (сброшены неудачные попытки)",
                    action=AuditLogEntry.Action.CHANGE,
                    changes={"login_locked": {"before": True, "after": False}},
                )
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


@admin.register(IdentifierChangeRequest)
class IdentifierChangeRequestAdmin(PortalModelAdmin):
    """Operators write here the e-mail or phone change a person asked for; the person confirms it
    in the cabinet. Requests are never edited or deleted; a pending one can be cancelled."""

    form = IdentifierChangeRequestAdminForm
    list_display = (
        "pk",
        "user",
        "field",
        "new_value",
        "status",
        "created_by",
        "created_at",
        "decided_at",
    )
    list_filter = ("status", "field")
    search_fields = ("user__email", "user__last_name", "new_value", "reason")
    raw_id_fields = ("user",)
    list_select_related = ("user", "created_by")
    actions = ("cancel_requests",)
    readonly_fields = (
        "user",
        "field",
        "old_value",
        "new_value",
        "reason",
        "status",
        "created_by",
        "created_at",
        "expires_at",
        "decided_at",
        "confirmed_by",
        "cancelled_by",
    )

    def _may_request(self, request) -> bool:
        # A permission of its own (the support operator's, docs/ROLES.md): changing the other
        # fields of a user does not let anyone ask for a new login identifier.
        return request.user.has_perm("accounts.add_identifierchangerequest")

    def has_view_permission(self, request, obj=None):
        return self._may_request(request) or request.user.has_perm(
            "accounts.view_identifierchangerequest"
        )

    def has_add_permission(self, request):
        return self._may_request(request)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_cancel_permission(self, request) -> bool:
        return self._may_request(request)

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else self.readonly_fields

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("user", "field", "new_value", "reason")
        return self.readonly_fields

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "user":
            # Staff accounts are the admins' to manage; a request is for a person's account.
            kwargs["queryset"] = User.objects.filter(is_staff=False, deleted_at__isnull=True)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def changelist_view(self, request, extra_context=None):
        identifier_change_requests_expire()
        return super().changelist_view(request, extra_context)

    def save_model(self, request, obj, form, change):
        if change:
            raise PermissionDenied
        created = identifier_change_request_create(
            user=obj.user,
            staff_user=request.user,
            field=obj.field,
            new_value=obj.new_value,
            reason=obj.reason,
            ip_address=client_ip(request),
        )
        # The admin goes on with this object (its history line, the redirect to its page).
        for field in IdentifierChangeRequest._meta.concrete_fields:
            setattr(obj, field.attname, getattr(created, field.attname))
        obj._state.adding = False

    def response_add(self, request, obj, post_url_continue=None):
        self.message_user(
            request,
            _(
                "Запрос создан. Ничего не изменится, пока человек не подтвердит смену в личном "
                "кабинете (PIN-код и SMS или вход через Госуслуги); ему отправлено письмо."
            ),
            messages.SUCCESS,
        )
        return super().response_add(request, obj, post_url_continue)

    def add_view(self, request, form_url="", extra_context=None):
        try:
            return super().add_view(request, form_url, extra_context)
        except ValidationError as error:
            # The service refused what the form let through (a race, a staff account...).
            self.message_user(request, " ".join(error.messages), messages.ERROR)
            return self.response_post_save_add(request, None)

    @admin.action(description=_("Отменить выбранные запросы"), permissions=["cancel"])
    def cancel_requests(self, request, queryset):
        cancelled = 0
        for change_request in queryset.filter(status=IdentifierChangeRequest.Status.PENDING):
            try:
                identifier_change_request_cancel(
                    change_request=change_request,
                    by=request.user,
                    ip_address=client_ip(request),
                )
            except ValidationError:
                continue
            cancelled += 1
        self.message_user(
            request,
            ngettext("Отменён %(count)d запрос.", "Отменено запросов: %(count)d.", cancelled)
            % {"count": cancelled},
            messages.SUCCESS if cancelled else messages.INFO,
        )


# The e-mail addresses and the ESIA links are login identifiers too: shown, never edited.
admin.site.unregister(EmailAddress)
admin.site.unregister(SocialAccount)


@admin.register(EmailAddress)
class EmailAddressAdmin(SelectLabelsMixin, ReadOnlyAdminMixin, AllauthEmailAddressAdmin):
    actions = None


@admin.register(SocialAccount)
class SocialAccountAdmin(SelectLabelsMixin, ReadOnlyAdminMixin, AllauthSocialAccountAdmin):
    actions = None


# The other packages' admins, registered again with the portal's labels of empty choices
# (SelectLabelsMixin): their action selects and forms read «Выберите…», not «---------».
admin.site.unregister([Group, AccessAttempt, AccessLog, AccessFailureLog])
admin.site.unregister([Authenticator, SocialApp, SocialToken])


@admin.register(Group)
class GroupAdmin(SelectLabelsMixin, BaseGroupAdmin):
    pass


@admin.register(AccessAttempt)
class AccessAttemptAdmin(SelectLabelsMixin, AxesAccessAttemptAdmin):
    pass


@admin.register(AccessLog)
class AccessLogAdmin(SelectLabelsMixin, AxesAccessLogAdmin):
    pass


@admin.register(AccessFailureLog)
class AccessFailureLogAdmin(SelectLabelsMixin, AxesAccessFailureLogAdmin):
    pass


@admin.register(Authenticator)
class AuthenticatorAdmin(SelectLabelsMixin, AllauthAuthenticatorAdmin):
    pass


@admin.register(SocialApp)
class SocialAppAdmin(SelectLabelsMixin, AllauthSocialAppAdmin):
    pass


@admin.register(SocialToken)
class SocialTokenAdmin(SelectLabelsMixin, AllauthSocialTokenAdmin):
    pass
