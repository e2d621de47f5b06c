"""The operators' appeals queue in the admin, through the services: answering (a staff message,
the status «дан ответ» or closed, the person e-mailed after commit), settling a "service not
provided" dispute, status moves via appeal_set_status (no appeal is closed unanswered), the
guarantee letter decisions, and the staff download of an appeal's files (audit-logged).

feedback/admin.py wires it in: `class AppealAdmin(AppealQueueAdminMixin, AuditedAdminMixin,
PortalModelAdmin)` and `class GuaranteeLetterAdmin(GuaranteeLetterAdminMixin, ...)`.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Case, IntegerField, Value, When
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.core.audit import audit_log_record
from portal.core.uploads import attachment_disposition, stored_file_open
from portal.core.validators import LONG_TEXT_MAX_LENGTH, refuse_control_characters

from . import services
from .models import Appeal, AppealAttachment, GuaranteeLetter
from .selectors import guarantee_letters_waiting_for_staff
from .services import letters

OPEN_STATUSES = (Appeal.Status.NEW, Appeal.Status.IN_PROGRESS)
# Guarantee letters named above the appeals queue; the rest are one link away.
LETTERS_SHOWN = 10


def appeal_queue(queryset):
    """Open appeals first, overdue on top (by due date), then the rest, newest first."""
    return queryset.annotate(
        queue_rank=Case(
            When(status__in=OPEN_STATUSES, due_on__lt=timezone.localdate(), then=Value(0)),
            When(status__in=OPEN_STATUSES, then=Value(1)),
            default=Value(2),
            output_field=IntegerField(),
        )
    ).order_by("queue_rank", "due_on", "-created_at")


def letters_waiting_context(request: HttpRequest) -> dict:
    """Guarantee letters are the operators' work too: the appeals queue names the requested ones
    above the appeals, the oldest first, each with its decision page (its card for staff who may
    only look), and links to all of them. Nothing for staff who may not see letters."""
    user = request.user
    if not user.has_perm("feedback.view_guaranteeletter"):
        return {}
    waiting = guarantee_letters_waiting_for_staff(user)
    page = "decide" if user.has_perm("feedback.change_guaranteeletter") else "change"
    shown = [
        (letter, reverse(f"admin:feedback_guaranteeletter_{page}", args=[letter.pk]))
        for letter in waiting[:LETTERS_SHOWN]
    ]
    return {
        "letters_waiting": shown,
        "letters_waiting_total": waiting.count(),
        "letters_waiting_url": reverse("admin:feedback_guaranteeletter_changelist")
        + "?status__exact="
        + GuaranteeLetter.Status.REQUESTED,
        "letters_can_decide": page == "decide",
    }


class AnswerForm(forms.Form):
    body = forms.CharField(
        label=gettext_lazy("Ответ"),
        max_length=LONG_TEXT_MAX_LENGTH,
        validators=[refuse_control_characters],
        widget=forms.Textarea(attrs={"rows": 8}),
    )
    close = forms.BooleanField(label=gettext_lazy("Закрыть обращение"), required=False)


class SettleForm(forms.Form):
    decision = forms.ChoiceField(
        label=gettext_lazy("Решение"),
        choices=[
            ("confirmed", gettext_lazy("Подтвердить: услуга не оказана (со-оплата отменяется)")),
            ("rejected", gettext_lazy("Отклонить: услуга оказана (со-оплата снова к оплате)")),
        ],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=gettext_lazy("Причина отказа"),
        required=False,
        max_length=LONG_TEXT_MAX_LENGTH,
        validators=[refuse_control_characters],
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class AppealQueueAdminMixin:
    """Mixed into AppealAdmin before ModelAdmin."""

    change_list_template = "feedback/admin/appeal_change_list.html"

    def get_queryset(self, request):
        return appeal_queue(super().get_queryset(request))

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), **letters_waiting_context(request)}
        return super().changelist_view(request, extra_context)

    def get_urls(self):
        own = [
            path(
                "<int:pk>/answer/",
                self.admin_site.admin_view(self.answer_view),
                name="feedback_appeal_answer",
            ),
            path(
                "<int:pk>/settle/",
                self.admin_site.admin_view(self.settle_view),
                name="feedback_appeal_settle",
            ),
            path(
                "<int:pk>/files/<int:file_id>/",
                self.admin_site.admin_view(self.attachment_view),
                name="feedback_appeal_file",
            ),
        ]
        return own + super().get_urls()

    def get_actions(self, request):
        # The status moves go through appeal_set_status (allowed steps, an event row, no closing
        # without an answer) instead of a bulk update.
        actions = super().get_actions(request)
        for name in ("take_in_work", "mark_answered", "close"):
            actions.pop(name, None)
        for name in ("queue_take_in_work", "queue_close"):
            func = getattr(type(self), name)
            actions[name] = (func, name, func.short_description)
        return actions

    def _queue_move(self, request, queryset, to_status: str) -> None:
        moved, refused = 0, []
        for appeal in queryset:
            try:
                services.appeal_set_status(appeal=appeal, to_status=to_status, by=request.user)
                moved += 1
            except ValidationError as error:
                refused.append(f"№ {appeal.number}: {' '.join(error.messages)}")
        if moved:
            self.message_user(
                request, _("Статус изменён: %(count)d.") % {"count": moved}, messages.SUCCESS
            )
        for text in refused:
            self.message_user(request, text, messages.WARNING)

    @admin.action(description=gettext_lazy("Взять в работу"), permissions=["change"])
    def queue_take_in_work(self, request, queryset):
        self._queue_move(request, queryset, Appeal.Status.IN_PROGRESS)

    @admin.action(description=gettext_lazy("Закрыть (только отвеченные)"), permissions=["change"])
    def queue_close(self, request, queryset):
        self._queue_move(request, queryset, Appeal.Status.CLOSED)

    @admin.display(description=gettext_lazy("ответить"))
    def answer_links(self, obj: Appeal) -> str:
        links = [(reverse("admin:feedback_appeal_answer", args=[obj.pk]), _("Ответить"))]
        if obj.kind == Appeal.Kind.NOT_PROVIDED and not obj.dispute_outcome:
            links.append((reverse("admin:feedback_appeal_settle", args=[obj.pk]), _("Решение")))
        return format_html_join(" · ", '<a href="{}">{}</a>', links)

    @admin.display(description=gettext_lazy("файлы"))
    def attachment_links(self, obj: Appeal) -> str:
        files = [
            (reverse("admin:feedback_appeal_file", args=[obj.pk, f.pk]), f.original_name)
            for f in obj.attachments.all()
        ]
        return format_html_join(", ", '<a href="{}">{}</a>', files) if files else "—"

    def _appeal_or_404(self, request, pk: int) -> Appeal:
        if not self.has_change_permission(request):
            raise PermissionDenied
        appeal = Appeal.objects.select_related("user", "service_line__clinic").filter(pk=pk).first()
        if appeal is None:
            raise Http404
        return appeal

    def _form_page(self, request, appeal, form, title) -> TemplateResponse:
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": title,
            "appeal": appeal,
            "thread": appeal.messages.order_by("sent_at", "pk"),
            # the person's photos and documents, read before answering
            "attachments": appeal.attachments.all(),
            "form": form,
        }
        return TemplateResponse(request, "feedback/admin/appeal_answer.html", context)

    def answer_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        appeal = self._appeal_or_404(request, pk)
        form = AnswerForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                services.appeal_answer(
                    appeal=appeal,
                    staff=request.user,
                    body=form.cleaned_data["body"],
                    close=form.cleaned_data["close"],
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                self.message_user(
                    request,
                    _("Ответ на обращение № %(number)s отправлен") % {"number": appeal.number},
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(reverse("admin:feedback_appeal_changelist"))
        title = _("Ответ на обращение № %(number)s") % {"number": appeal.number}
        return self._form_page(request, appeal, form, title)

    def settle_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        appeal = self._appeal_or_404(request, pk)
        form = SettleForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                services.service_dispute_settle(
                    appeal=appeal,
                    staff=request.user,
                    confirmed=form.cleaned_data["decision"] == "confirmed",
                    reason=form.cleaned_data["reason"],
                )
            except ValidationError as error:
                if hasattr(error, "error_dict"):
                    for field, errors in error.error_dict.items():
                        form.add_error(field if field in form.fields else None, errors)
                else:
                    form.add_error(None, error)
            else:
                self.message_user(request, _("Решение принято"), messages.SUCCESS)
                return HttpResponseRedirect(reverse("admin:feedback_appeal_changelist"))
        title = _("Услуга не оказана: решение по обращению № %(number)s") % {
            "number": appeal.number
        }
        return self._form_page(request, appeal, form, title)

    def attachment_view(self, request: HttpRequest, pk: int, file_id: int) -> HttpResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        attachment = (
            AppealAttachment.objects.select_related("appeal__user")
            .filter(pk=file_id, appeal_id=pk)
            .first()
        )
        if attachment is None:
            raise Http404
        return staff_file_response(
            request,
            file=attachment.file,
            name=attachment.original_name,
            content_type=attachment.content_type,
            subject=attachment.appeal,
            person_label=str(attachment.appeal.user),
            what="файл обращения",
        )


def staff_file_response(
    request: HttpRequest,
    *,
    file,
    name: str,
    content_type: str,
    subject,
    person_label: str,
    what: str,
) -> FileResponse:
    """A person's private file opened by staff: audit-logged, sent as an attachment."""
    audit_log_record(request=request, subject=subject, person_label=person_label, what=what)
    response = FileResponse(
        stored_file_open(file), content_type=content_type or "application/octet-stream"
    )
    response["Content-Disposition"] = attachment_disposition(name)
    response["Cache-Control"] = "private, no-store"
    return response


class LetterDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=gettext_lazy("Решение"),
        choices=[("issue", gettext_lazy("Выдать")), ("refuse", gettext_lazy("Отказать"))],
        widget=forms.RadioSelect,
    )
    number = forms.CharField(
        label=gettext_lazy("Номер письма"),
        max_length=32,
        required=False,
        validators=[refuse_control_characters],
    )
    valid_until = forms.DateField(
        label=gettext_lazy("Действует до"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    reason = forms.CharField(
        label=gettext_lazy("Причина отказа (пункт программы)"),
        required=False,
        max_length=LONG_TEXT_MAX_LENGTH,
        validators=[refuse_control_characters],
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class GuaranteeLetterAdminMixin:
    """Mixed into GuaranteeLetterAdmin: the operator issues or refuses a requested letter."""

    def get_urls(self):
        return [
            path(
                "<int:pk>/decide/",
                self.admin_site.admin_view(self.decide_view),
                name="feedback_guaranteeletter_decide",
            ),
            path(
                "<int:pk>/referral/",
                self.admin_site.admin_view(self.referral_view),
                name="feedback_guaranteeletter_referral",
            ),
        ] + super().get_urls()

    @admin.display(description=gettext_lazy("решение"))
    def decide_link(self, obj: GuaranteeLetter) -> str:
        links = []
        if obj.referral:
            url = reverse("admin:feedback_guaranteeletter_referral", args=[obj.pk])
            links.append((url, _("Направление")))
        if obj.status == GuaranteeLetter.Status.REQUESTED:
            url = reverse("admin:feedback_guaranteeletter_decide", args=[obj.pk])
            links.append((url, _("Выдать или отказать")))
        return format_html_join(" · ", '<a href="{}">{}</a>', links) if links else "—"

    def referral_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """The referral the person attached, for the operator deciding on the letter."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        letter = GuaranteeLetter.objects.select_related("user").filter(pk=pk).first()
        if letter is None or not letter.referral:
            raise Http404
        return staff_file_response(
            request,
            file=letter.referral,
            name=letter.referral_name or "napravlenie",
            content_type="",
            subject=letter,
            person_label=str(letter.user),
            what="направление к гарантийному письму",
        )

    def decide_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        if not self.has_change_permission(request):
            raise PermissionDenied
        letter = GuaranteeLetter.objects.select_related("clinic", "care_kind").filter(pk=pk).first()
        if letter is None:
            raise Http404
        form = LetterDecisionForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                if data["decision"] == "issue":
                    letters.guarantee_letter_issue(
                        letter=letter,
                        staff=request.user,
                        number=data["number"],
                        valid_until=data["valid_until"],
                    )
                else:
                    letters.guarantee_letter_refuse(
                        letter=letter, staff=request.user, reason=data["reason"]
                    )
            except ValidationError as error:
                if hasattr(error, "error_dict"):
                    for field, errors in error.error_dict.items():
                        form.add_error(field if field in form.fields else None, errors)
                else:
                    form.add_error(None, error)
            else:
                self.message_user(request, _("Решение принято"), messages.SUCCESS)
                return HttpResponseRedirect(reverse("admin:feedback_guaranteeletter_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Гарантийное письмо: решение"),
            "letter": letter,
            "form": form,
        }
        return TemplateResponse(request, "feedback/admin/letter_decide.html", context)
