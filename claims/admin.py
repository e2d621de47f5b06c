"""Service registers and claims for the insurer's operators. Diagnoses (ICD-10) are medical data:
read-only once a line exists, and every page showing them is written to the staff audit log."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from portal.core.admin import AuditedAdminMixin

from .models import Claim, ClaimDocument, ClaimEvent, ClaimNumberSequence, ServiceLine
from .services.status import claim_set_status

DIAGNOSIS_FIELDS = ("icd10_code", "icd10_name")


@admin.register(ServiceLine)
class ServiceLineAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = (
        "date",
        "clinic",
        "policy_number",
        "service_name",
        "icd10_code",
        "amount",
        "copay_amount",
        "copay_state",
    )
    list_filter = ("copay_state", "care_kind")
    search_fields = (
        "register_number",
        "service_code",
        "insured_person__policy_number",
        "insured_person__last_name",
    )
    raw_id_fields = ("clinic", "insured_person")
    list_select_related = ("clinic", "insured_person")
    date_hierarchy = "service_date"
    list_per_page = 50

    class Media:
        css = {"all": ("employers/admin.css",)}

    @admin.display(description=_("дата"), ordering="service_date")
    def date(self, obj: ServiceLine) -> str:
        return obj.service_date.strftime("%d.%m.%Y")

    @admin.display(description=_("полис"), ordering="insured_person__policy_number")
    def policy_number(self, obj: ServiceLine) -> str:
        return obj.insured_person.policy_number

    def get_readonly_fields(self, request, obj=None):
        # A register line is the clinic's record: its diagnosis is not edited afterwards.
        return DIAGNOSIS_FIELDS if obj is not None else ()

    def audit_entry(self, request, obj):
        return str(obj.insured_person), "услуга ДМС с диагнозом по МКБ-10"

    def audit_changelist_entries(self, request, objects):
        lines_by_person: dict[int, list[ServiceLine]] = {}
        for line in objects:
            lines_by_person.setdefault(line.insured_person_id, []).append(line)
        return [
            (
                lines[0].insured_person,
                str(lines[0].insured_person),
                f"список услуг ДМС с диагнозами по МКБ-10 ({len(lines)} строк)",
            )
            for lines in lines_by_person.values()
        ]


class ClaimEventInline(admin.TabularInline):
    model = ClaimEvent
    extra = 0
    fields = ("at", "from_status", "to_status", "by", "comment")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class ClaimDocumentInline(admin.TabularInline):
    model = ClaimDocument
    extra = 0
    fields = ("kind", "original_name", "content_type", "created_at")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class ClaimAdminForm(forms.ModelForm):
    """The claim's own fields, plus one step of its payout case (claim_set_status writes it)."""

    new_status = forms.ChoiceField(label=_("Перевести в статус"), required=False)
    status_comment = forms.CharField(
        label=_("Комментарий к переходу"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Для отказа обязательно: причина и пункт правил страхования."),
    )
    status_amount = forms.DecimalField(
        label=_("Сумма выплаты, ₽"),
        required=False,
        max_digits=12,
        decimal_places=2,
        help_text=_("Только для решения о выплате."),
    )

    class Meta:
        model = Claim
        fields = [
            "number",
            "policy",
            "event_type",
            "event_at",
            "place",
            "description",
            "payout_details",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        current = self.instance.status if self.instance.pk else Claim.Status.SUBMITTED
        allowed = Claim.TRANSITIONS.get(current, ())
        self.fields["new_status"].choices = [("", _("— не менять —"))] + [
            (status, Claim.Status(status).label) for status in allowed
        ]

    def clean(self):
        cleaned = super().clean()
        status = cleaned.get("new_status")
        if status == Claim.Status.APPROVED and not (cleaned.get("status_amount") or 0) > 0:
            self.add_error("status_amount", _("Для решения о выплате укажите сумму больше нуля"))
        if status == Claim.Status.REFUSED and not (cleaned.get("status_comment") or "").strip():
            self.add_error("status_comment", _("Укажите причину отказа и пункт правил страхования"))
        return cleaned


@admin.register(Claim)
class ClaimAdmin(AuditedAdminMixin, admin.ModelAdmin):
    form = ClaimAdminForm
    list_display = ("number", "policy", "event_type", "event_at", "status", "created_at")
    list_filter = ("status", "event_type")
    search_fields = ("number", "policy__number", "policy__holder__email")
    raw_id_fields = ("policy",)
    inlines = [ClaimEventInline, ClaimDocumentInline]
    # What the person declared stays as declared; operators move the payout case.
    DECLARED = (
        "number",
        "policy",
        "event_type",
        "event_at",
        "place",
        "description",
        "payout_details",
    )

    def get_readonly_fields(self, request, obj=None):
        readonly = ["status", "approved_amount"]
        if obj is not None and not request.user.is_superuser:
            readonly += self.DECLARED
        return readonly

    list_select_related = ("policy",)
    date_hierarchy = "created_at"

    def get_fieldsets(self, request, obj=None):
        fieldsets = [
            (
                None,
                {
                    "fields": [
                        "number",
                        "policy",
                        "event_type",
                        "event_at",
                        "place",
                        "description",
                        "payout_details",
                        "status",
                        "approved_amount",
                    ]
                },
            )
        ]
        if obj is not None and self.has_change_permission(request, obj):
            fieldsets.append(
                (
                    _("Выплатное дело: следующий шаг"),
                    {"fields": ["new_status", "status_comment", "status_amount"]},
                )
            )
        return fieldsets

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        status = form.cleaned_data.get("new_status")
        if not (change and status):
            return
        try:
            claim_set_status(
                claim=obj,
                status=status,
                by=request.user,
                comment=form.cleaned_data.get("status_comment") or "",
                amount=form.cleaned_data.get("status_amount"),
            )
        except ValidationError as exc:
            # The service has the last word on a step; the rest of the form is saved.
            self.message_user(
                request,
                _("Статус не изменён: %(reason)s") % {"reason": " ".join(exc.messages)},
                messages.ERROR,
            )

    def audit_entry(self, request, obj):
        holder = obj.policy.holder
        label = (holder.full_name or holder.email) if holder else str(obj.policy)
        return label, "убыток: описание события, документы, реквизиты выплаты"


@admin.register(ClaimNumberSequence)
class ClaimNumberSequenceAdmin(admin.ModelAdmin):
    """The claim numbers given per year: read-only (a number is never given twice)."""

    list_display = ("year", "last")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
