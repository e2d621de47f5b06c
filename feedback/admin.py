"""Appeals and guarantee letters for the insurer's operators: open appeals by their due date,
overdue ones first. The answer page, the "service not provided" decision, the status moves, the
file downloads and the letter decisions are the appeals section's own (feedback.admin_queue,
through feedback.services); they are mixed in here. An appeal about a service
shows the service, diagnosis included: each such page is written to the staff audit log."""

from django.contrib import admin
from django.db.models import Case, IntegerField, Value, When
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from portal.core.admin import (
    AuditedAdminMixin,
    PortalModelAdmin,
    PortalStackedInline,
    PortalTabularInline,
    ReadOnlyAdminMixin,
)
from portal.core.audit import audit_log_record
from portal.core.formatting import money

from .admin_queue import AppealQueueAdminMixin, GuaranteeLetterAdminMixin
from .models import (
    Appeal,
    AppealAttachment,
    AppealEvent,
    AppealMessage,
    AppealNumberSequence,
    GuaranteeLetter,
)

OPEN_STATUSES = (Appeal.Status.NEW, Appeal.Status.IN_PROGRESS)


class ReadOnlyInlineMixin:
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ReadOnlyInline(ReadOnlyInlineMixin, PortalTabularInline):
    pass


class AppealMessageInline(ReadOnlyInlineMixin, PortalStackedInline):
    """The conversation as it was sent (answers are written on the answer page)."""

    model = AppealMessage
    fields = ("sent_at", "author", "from_staff", "body")
    readonly_fields = fields
    verbose_name_plural = _("переписка")


class AppealEventInline(ReadOnlyInline):
    model = AppealEvent
    fields = ("at", "from_status", "to_status", "by", "comment")
    readonly_fields = fields
    verbose_name_plural = _("история статусов")


class AppealAttachmentInline(ReadOnlyInline):
    model = AppealAttachment
    fields = ("original_name", "content_type", "size", "created_at")
    readonly_fields = fields


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
class AppealAdmin(AppealQueueAdminMixin, AuditedAdminMixin, PortalModelAdmin):
    list_display = (
        "number",
        "kind",
        "status",
        "subject",
        "due_on",
        "overdue",
        "user",
        "answer_links",
    )
    list_filter = (OverdueFilter, "status", "kind")
    search_fields = ("number", "subject", "user__email", "user__last_name")
    raw_id_fields = ("user", "service_line", "clinic")
    inlines = [AppealMessageInline, AppealEventInline, AppealAttachmentInline]
    list_select_related = ("user",)
    # What the person wrote stays as written; the status moves through the appeal services.
    PERSON_FIELDS = ("number", "user", "kind", "subject", "due_on", "clinic", "service_line")

    def get_ordering(self, request):
        # The operators' queue: overdue open appeals on top, then the other open ones, by due
        # date; answered and closed ones last (the changelist orders by this, not the queryset).
        today = timezone.localdate()
        rank = Case(
            When(status__in=OPEN_STATUSES, due_on__lt=today, then=Value(0)),
            When(status__in=OPEN_STATUSES, then=Value(1)),
            default=Value(2),
            output_field=IntegerField(),
        )
        return (rank.asc(), "due_on", "-created_at")

    def get_fieldsets(self, request, obj=None):
        about = ["clinic", "service_line"]
        if obj is not None and obj.service_line_id:
            about.append("service_line_card")
        fieldsets = [
            (None, {"fields": ["number", "user", "kind", "status", "subject", "due_on"]}),
            (_("О чём"), {"fields": about}),
        ]
        if obj is not None and obj.dispute_outcome:
            fieldsets.append(
                (_("Спор по услуге"), {"fields": ["dispute_outcome", "dispute_reason"]})
            )
        if obj is not None:
            fieldsets.append((_("Ответ и файлы"), {"fields": ["answer_links", "attachment_links"]}))
        return fieldsets

    def get_readonly_fields(self, request, obj=None):
        readonly = [
            "status",
            "service_line_card",
            "dispute_outcome",
            "dispute_reason",
            "answer_links",
            "attachment_links",
        ]
        if obj is not None and not request.user.is_superuser:
            readonly += self.PERSON_FIELDS
        return readonly

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
            "{} · {} · {}<br>{}: {} · {}: {} · {}: {}",
            line.service_date.strftime("%d.%m.%Y"),
            line.clinic,
            line.service_name,
            _("Диагноз"),
            diagnosis,
            _("Сумма"),
            money(line.amount),
            _("со-оплата"),
            line.get_copay_state_display(),
        )

    def audit_entry(self, request, obj):
        if obj.service_line_id is None:
            return None
        return str(obj.service_line.insured_person), "обращение по услуге ДМС с диагнозом"

    def _audited(self, request, response, pk: int, what: str):
        """The answer and decision pages show the service of an appeal about one."""
        if response.status_code == 200 and request.method == "GET":
            appeal = Appeal.objects.select_related("service_line__insured_person").get(pk=pk)
            if appeal.service_line_id is not None:
                audit_log_record(
                    request=request,
                    subject=appeal,
                    person_label=str(appeal.service_line.insured_person),
                    what=what,
                )
        return response

    def answer_view(self, request, pk: int):
        response = super().answer_view(request, pk)
        return self._audited(request, response, pk, "ответ на обращение по услуге ДМС")

    def settle_view(self, request, pk: int):
        response = super().settle_view(request, pk)
        return self._audited(request, response, pk, "решение по спору об услуге ДМС")


@admin.register(GuaranteeLetter)
class GuaranteeLetterAdmin(GuaranteeLetterAdminMixin, AuditedAdminMixin, PortalModelAdmin):
    list_display = (
        "number",
        "status",
        "clinic",
        "care_kind",
        "valid_until",
        "user",
        "created_at",
        "decide_link",
    )
    list_filter = ("status", "care_kind")
    search_fields = ("number", "clinic__name", "user__email", "insured_person__policy_number")
    raw_id_fields = ("user", "insured_person", "clinic")
    list_select_related = ("clinic", "care_kind", "user")
    # The referral file is served only through the person's own pages, never from the admin.
    fields = (
        "user",
        "insured_person",
        "clinic",
        "care_kind",
        "service_name",
        "planned_on",
        "referral_name",
        "status",
        "number",
        "valid_until",
        "refusal_reason",
        "reminded_at",
    )

    def get_ordering(self, request):
        # The operators' queue: letters waiting for a decision on top, the oldest request first.
        waiting = Case(
            When(status=GuaranteeLetter.Status.REQUESTED, then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        )
        return (waiting.asc(), "created_at")

    def get_readonly_fields(self, request, obj=None):
        # A letter is issued or refused on its decision page (feedback.services), not edited.
        readonly = ["referral_name", "reminded_at"]
        if obj is not None and not request.user.is_superuser:
            readonly += ["status", "number", "valid_until", "refusal_reason"]
        return readonly

    def audit_entry(self, request, obj):
        return str(obj.insured_person), "гарантийное письмо: клиника и вид медицинской помощи"


@admin.register(AppealNumberSequence)
class AppealNumberSequenceAdmin(ReadOnlyAdminMixin, PortalModelAdmin):
    """The appeal numbers given per year: read-only (a number is never given twice)."""

    list_display = ("year", "last")
