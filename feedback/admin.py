"""Appeals and guarantee letters for the insurer's operators: open appeals by their due date,
overdue ones first; an appeal about a service shows the service (a diagnosis is medical data, so
that page is written to the staff audit log)."""

from django.contrib import admin, messages
from django.db.models import Case, IntegerField, Value, When
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from portal.core.admin import AuditedAdminMixin

from .models import Appeal, AppealMessage, GuaranteeLetter

OPEN_STATUSES = (Appeal.Status.NEW, Appeal.Status.IN_PROGRESS)


class AppealMessageInline(admin.StackedInline):
    """The conversation: earlier messages as they were sent; the operator adds an answer."""

    model = AppealMessage
    extra = 0
    fields = ("body", "author", "from_staff", "sent_at")
    readonly_fields = ("author", "from_staff", "sent_at")
    can_delete = False
    verbose_name = _("ответ")
    verbose_name_plural = _("переписка")

    def has_change_permission(self, request, obj=None):
        return False


class OverdueFilter(admin.SimpleListFilter):
    title = _("срок ответа")
    parameter_name = "due"

    def lookups(self, request, model_admin):
        return (("overdue", _("просрочено")), ("today", _("истекает сегодня")))

    def queryset(self, request, queryset):
        today = timezone.localdate()
        if self.value() == "overdue":
            return queryset.filter(status__in=OPEN_STATUSES, due_on__lt=today)
        if self.value() == "today":
            return queryset.filter(status__in=OPEN_STATUSES, due_on=today)
        return queryset


@admin.register(Appeal)
class AppealAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ("number", "kind", "status", "subject", "due_on", "overdue", "user")
    list_filter = (OverdueFilter, "status", "kind")
    search_fields = ("number", "subject", "user__email", "user__last_name")
    raw_id_fields = ("user", "service_line", "clinic")
    inlines = [AppealMessageInline]
    list_select_related = ("user",)
    actions = ("take_in_work", "mark_answered", "close")
    # What the person wrote stays as written; an operator moves the status and the due date.
    PERSON_FIELDS = ("number", "user", "kind", "subject", "clinic", "service_line")

    def get_fieldsets(self, request, obj=None):
        about = ["clinic", "service_line"]
        if obj is not None and obj.service_line_id:
            about.append("service_line_card")
        return (
            (None, {"fields": ("number", "user", "kind", "status", "subject", "due_on")}),
            (_("О чём"), {"fields": about}),
        )

    def get_readonly_fields(self, request, obj=None):
        readonly = ["service_line_card"]
        if obj is not None and not request.user.is_superuser:
            readonly += self.PERSON_FIELDS
        return readonly

    def get_queryset(self, request):
        # The operators' queue: open appeals first, by due date, so overdue ones are on top.
        return (
            super()
            .get_queryset(request)
            .annotate(
                closed_rank=Case(
                    When(status__in=OPEN_STATUSES, then=Value(0)),
                    default=Value(1),
                    output_field=IntegerField(),
                )
            )
            .order_by("closed_rank", "due_on", "-created_at")
        )

    @admin.display(description=_("просрочено"), boolean=True)
    def overdue(self, obj: Appeal) -> bool:
        return obj.is_overdue

    @admin.display(description=_("услуга: подробности"))
    def service_line_card(self, obj: Appeal) -> str:
        line = obj.service_line
        if line is None:
            return "—"
        diagnosis = f"{line.icd10_code} {line.icd10_name}".strip() or "—"
        return format_html(
            "{} · {} · {}<br>{}: {} · {}: {} ₽ · {}: {}",
            line.service_date.strftime("%d.%m.%Y"),
            line.clinic,
            line.service_name,
            _("Диагноз"),
            diagnosis,
            _("Сумма"),
            line.amount,
            _("со-оплата"),
            line.get_copay_state_display(),
        )

    def save_formset(self, request, form, formset, change):
        # An answer written here is the insurer's, by the operator who wrote it.
        messages_ = formset.save(commit=False)
        for message in messages_:
            if isinstance(message, AppealMessage) and message.pk is None:
                message.author = request.user
                message.from_staff = True
                message.sent_at = timezone.now()
            message.save()
        formset.save_m2m()

    def audit_entry(self, request, obj):
        if obj.service_line_id is None:
            return None
        return str(obj.service_line.insured_person), "обращение по услуге ДМС с диагнозом"

    def _move(self, request, queryset, *, to: str, allowed_from: tuple[str, ...]) -> None:
        moved = queryset.filter(status__in=allowed_from).update(
            status=to, updated_at=timezone.now()
        )
        skipped = queryset.count() - moved
        self.message_user(
            request,
            ngettext(
                "Статус изменён у %(count)d обращения.",
                "Статус изменён у %(count)d обращений.",
                moved,
            )
            % {"count": moved},
            messages.SUCCESS,
        )
        if skipped:
            self.message_user(
                request,
                _("Не изменены (из их статуса такой переход не делается): %(count)d.")
                % {"count": skipped},
                messages.WARNING,
            )

    @admin.action(description=_("Взять в работу"), permissions=["change"])
    def take_in_work(self, request, queryset):
        self._move(
            request, queryset, to=Appeal.Status.IN_PROGRESS, allowed_from=(Appeal.Status.NEW,)
        )

    @admin.action(description=_("Отметить: дан ответ"), permissions=["change"])
    def mark_answered(self, request, queryset):
        self._move(request, queryset, to=Appeal.Status.ANSWERED, allowed_from=OPEN_STATUSES)

    @admin.action(description=_("Закрыть"), permissions=["change"])
    def close(self, request, queryset):
        self._move(
            request,
            queryset,
            to=Appeal.Status.CLOSED,
            allowed_from=(*OPEN_STATUSES, Appeal.Status.ANSWERED),
        )


@admin.register(GuaranteeLetter)
class GuaranteeLetterAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ("number", "status", "clinic", "care_kind", "valid_until", "user", "created_at")
    list_filter = ("status", "care_kind")
    search_fields = ("number", "clinic__name", "user__email", "insured_person__policy_number")
    raw_id_fields = ("user", "insured_person", "clinic")
    list_select_related = ("clinic", "care_kind", "user")

    def audit_entry(self, request, obj):
        return str(obj.insured_person), "гарантийное письмо: клиника и вид медицинской помощи"
