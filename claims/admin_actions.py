"""The operators' moves of a payout case in the admin, each through an intermediate form and
claim_set_status (allowed steps only, an event row each, the person e-mailed), and the download
of a claim's files for staff (audit-logged).

claims/admin.py wires it in (see ClaimOperatorAdminMixin and ClaimDocumentDownloadInlineMixin).
"""

import datetime
from collections.abc import Callable
from decimal import Decimal

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.core.audit import audit_log_record
from portal.core.validators import LONG_TEXT_MAX_LENGTH, refuse_control_characters

from .models import Claim, ClaimDocument
from .presentation import event_label
from .rules import DOCUMENTS, OTHER, checklist, rules_for
from .selectors import claim_document_for_staff
from .services import claim_set_status
from .views import document_response

S = Claim.Status


class ClaimActionForm(forms.Form):
    def __init__(self, *args, claim: Claim | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.claim = claim

    def apply(self, claim: Claim, by) -> None:
        raise NotImplementedError


class DocumentsRequestForm(ClaimActionForm):
    requested = forms.MultipleChoiceField(
        label=gettext_lazy("Каких документов не хватает"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    comment = forms.CharField(
        label=gettext_lazy("Пояснение для заявителя"),
        max_length=LONG_TEXT_MAX_LENGTH,
        validators=[refuse_control_characters],
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text=gettext_lazy("Что именно нужно: например, «фото повреждений при дневном свете»"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The event's checklist first, then every other kind the insurer may ask for.
        codes = [d.code for d in checklist(self.claim.policy.product, self.claim.event_type)]
        codes += [code for code in DOCUMENTS if code not in codes and code != OTHER]
        codes.remove(OTHER)
        codes.append(OTHER)
        self.fields["requested"].choices = [(code, DOCUMENTS[code].label) for code in codes]

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("requested") and not (cleaned.get("comment") or "").strip():
            raise ValidationError(_("Отметьте недостающие документы или опишите их"))
        return cleaned

    def apply(self, claim, by):
        claim_set_status(
            claim=claim,
            status=S.DOCUMENTS_REQUESTED,
            by=by,
            requested=self.cleaned_data["requested"],
            comment=self.cleaned_data["comment"],
        )


class AcceptForm(ClaimActionForm):
    comment = forms.CharField(
        label=gettext_lazy("Комментарий для заявителя"),
        max_length=LONG_TEXT_MAX_LENGTH,
        validators=[refuse_control_characters],
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "cols": 60}),
        help_text=gettext_lazy("Необязательно: например, «назначен осмотр автомобиля»"),
    )

    def apply(self, claim, by):
        claim_set_status(
            claim=claim, status=S.UNDER_REVIEW, by=by, comment=self.cleaned_data["comment"]
        )


class ApproveForm(ClaimActionForm):
    amount = forms.DecimalField(
        label=gettext_lazy("Сумма выплаты, руб."),
        max_digits=12,
        decimal_places=2,
        min_value=Decimal("0.01"),
    )
    comment = forms.CharField(
        label=gettext_lazy("Комментарий для заявителя"),
        max_length=LONG_TEXT_MAX_LENGTH,
        validators=[refuse_control_characters],
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "cols": 60}),
    )

    def apply(self, claim, by):
        claim_set_status(
            claim=claim,
            status=S.APPROVED,
            by=by,
            amount=self.cleaned_data["amount"],
            comment=self.cleaned_data["comment"],
        )


class RefuseForm(ClaimActionForm):
    ground = forms.ChoiceField(label=gettext_lazy("Основание отказа"))
    reason = forms.CharField(
        label=gettext_lazy("Причина — как её прочтёт заявитель"),
        max_length=LONG_TEXT_MAX_LENGTH,
        validators=[refuse_control_characters],
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
    )
    rule = forms.CharField(
        label=gettext_lazy("Пункт правил или закона (цитата)"),
        max_length=LONG_TEXT_MAX_LENGTH,
        validators=[refuse_control_characters],
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text=gettext_lazy("Пусто — подставится цитата выбранного основания"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        rules = rules_for(self.claim.policy.product)
        refusals = rules.refusals if rules else ()
        self.fields["ground"].choices = [(r.code, r.label) for r in refusals] + [
            ("other", gettext_lazy("Другое — укажите пункт правил ниже"))
        ]

    def clean(self):
        cleaned = super().clean()
        ground, rule = cleaned.get("ground"), (cleaned.get("rule") or "").strip()
        rules = rules_for(self.claim.policy.product)
        refusal = rules.refusal(ground) if rules and ground else None
        if not rule and refusal is not None:
            rule = str(refusal.rule)
        if not rule:
            self.add_error("rule", _("Процитируйте пункт правил страхования или закона"))
        cleaned["rule"] = rule
        return cleaned

    def apply(self, claim, by):
        claim_set_status(
            claim=claim,
            status=S.REFUSED,
            by=by,
            comment=self.cleaned_data["reason"],
            rule=self.cleaned_data["rule"],
        )


class PaidForm(ClaimActionForm):
    amount = forms.DecimalField(
        label=gettext_lazy("Выплачено, руб."),
        max_digits=12,
        decimal_places=2,
        min_value=Decimal("0.01"),
    )
    paid_on = forms.DateField(
        label=gettext_lazy("Дата платежа"), widget=forms.DateInput(attrs={"type": "date"})
    )
    comment = forms.CharField(
        label=gettext_lazy("Платёжное поручение"),
        max_length=LONG_TEXT_MAX_LENGTH,
        validators=[refuse_control_characters],
        required=False,
        help_text=gettext_lazy("Номер и дата, например «п/п № 512 от 24.11.2026»"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["amount"].initial = self.claim.approved_amount
        self.fields["paid_on"].initial = timezone.localdate()

    def clean_paid_on(self) -> datetime.date:
        paid_on = self.cleaned_data["paid_on"]
        if paid_on > timezone.localdate():
            raise ValidationError(_("Дата платежа не может быть в будущем"))
        return paid_on

    def apply(self, claim, by):
        claim_set_status(
            claim=claim,
            status=S.PAID,
            by=by,
            amount=self.cleaned_data["amount"],
            paid_on=self.cleaned_data["paid_on"],
            comment=self.cleaned_data["comment"],
        )


def _claim_action(
    modeladmin: admin.ModelAdmin,
    request: HttpRequest,
    queryset: QuerySet[Claim],
    *,
    action: str,
    title: str,
    to: str,
    form_class: Callable[..., ClaimActionForm],
    many: bool = False,
) -> HttpResponse | None:
    """Show the step's form for the selected claims; on «Применить», make the step for each.

    Claims that cannot make this step are named and nothing is shown; a step that needs a
    claim's own data (the documents of its product, its amount) is for one claim at a time."""
    claims = list(queryset.select_related("policy").order_by("pk"))
    for claim in claims:
        claim.event_label = event_label(claim)
    if not many and len(claims) != 1:
        modeladmin.message_user(
            request, _("Это действие выполняется для одного дела: выберите одно"), messages.ERROR
        )
        return None
    stuck = [c for c in claims if not c.can_move_to(to)]
    if stuck:
        modeladmin.message_user(
            request,
            _("Нельзя перевести в статус «%(to)s» из текущего: %(numbers)s")
            % {
                "to": S(to).label,
                "numbers": ", ".join(f"{c.number} ({c.get_status_display()})" for c in stuck),
            },
            messages.ERROR,
        )
        return None
    first = claims[0]
    if request.POST.get("apply"):
        form = form_class(request.POST, claim=first)
        if form.is_valid():
            done, failed = [], []
            for claim in claims:
                try:
                    form.apply(claim, request.user)
                except ValidationError as error:
                    failed.append(f"{claim.number}: {' '.join(error.messages)}")
                else:
                    done.append(claim.number)
            if done:
                modeladmin.message_user(
                    request,
                    _("Статус «%(to)s»: %(numbers)s")
                    % {"to": S(to).label, "numbers": ", ".join(done)},
                    messages.SUCCESS,
                )
            for line in failed:
                modeladmin.message_user(request, line, messages.ERROR)
            return None
    else:
        form = form_class(claim=first)
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": title,
        "opts": modeladmin.model._meta,
        "claims": claims,
        "form": form,
        "action": action,
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        "media": modeladmin.media + form.media,
    }
    return TemplateResponse(request, "claims/admin/claim_action.html", context)


class ClaimOperatorAdminMixin:
    """For ClaimAdmin: the five moves as admin actions, and the staff download of claim files."""

    actions = (
        "request_documents",
        "take_for_review",
        "approve_payout",
        "refuse_payout",
        "mark_paid",
    )

    @admin.action(description=gettext_lazy("Запросить документы"), permissions=["change"])
    def request_documents(self, request, queryset):
        return _claim_action(
            self,
            request,
            queryset,
            action="request_documents",
            title=_("Запросить документы"),
            to=S.DOCUMENTS_REQUESTED,
            form_class=DocumentsRequestForm,
        )

    @admin.action(description=gettext_lazy("Принять в работу"), permissions=["change"])
    def take_for_review(self, request, queryset):
        return _claim_action(
            self,
            request,
            queryset,
            action="take_for_review",
            title=_("Принять в работу"),
            to=S.UNDER_REVIEW,
            form_class=AcceptForm,
            many=True,
        )

    @admin.action(description=gettext_lazy("Одобрить выплату"), permissions=["change"])
    def approve_payout(self, request, queryset):
        return _claim_action(
            self,
            request,
            queryset,
            action="approve_payout",
            title=_("Одобрить выплату"),
            to=S.APPROVED,
            form_class=ApproveForm,
        )

    @admin.action(description=gettext_lazy("Отказать"), permissions=["change"])
    def refuse_payout(self, request, queryset):
        return _claim_action(
            self,
            request,
            queryset,
            action="refuse_payout",
            title=_("Отказать в выплате"),
            to=S.REFUSED,
            form_class=RefuseForm,
        )

    @admin.action(description=gettext_lazy("Отметить выплату"), permissions=["change"])
    def mark_paid(self, request, queryset):
        return _claim_action(
            self,
            request,
            queryset,
            action="mark_paid",
            title=_("Отметить выплату"),
            to=S.PAID,
            form_class=PaidForm,
        )

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "<int:claim_id>/documents/<int:document_id>/",
                self.admin_site.admin_view(self.document_download_view),
                name="{}_{}_document".format(*info),
            ),
            *super().get_urls(),
        ]

    def document_download_view(
        self, request: HttpRequest, claim_id: int, document_id: int
    ) -> HttpResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        try:
            document = claim_document_for_staff(claim_id=claim_id, document_id=document_id)
        except ClaimDocument.DoesNotExist as missing:
            raise Http404 from missing
        claim = document.claim
        person = claim.user or claim.policy.holder
        audit_log_record(
            request=request,
            subject=claim,
            person_label=(person.get_full_name() or person.email) if person else str(claim),
            what=f"документ по убытку {claim.number}: {document.kind}",
        )
        return document_response(document)


class ClaimDocumentDownloadInlineMixin:
    """For ClaimDocumentInline: a «download» column (add "download_link" to readonly_fields)."""

    @admin.display(description=gettext_lazy("файл"))
    def download_link(self, obj: ClaimDocument) -> str:
        if obj.pk is None:
            return "—"
        url = reverse(f"{self.admin_site.name}:claims_claim_document", args=[obj.claim_id, obj.pk])
        return format_html('<a href="{}">{}</a>', url, _("скачать"))
