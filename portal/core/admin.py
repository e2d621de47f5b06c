from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .audit import audit_log_record, audit_subject_people, audit_value
from .client_ip import client_ip
from .insurer import IMAGE_MAX_BYTES, image_kind
from .models import (
    AuditLogEntry,
    DestructionAct,
    InsurerDetails,
    JobRun,
    OutboxMessage,
    VersionCounter,
)

# Django's label of an empty choice: BLANK_CHOICE_DASH of model fields with choices and of the
# action select, and ModelChoiceField's default empty_label.
DJANGO_EMPTY_LABEL = models.BLANK_CHOICE_DASH[0][1]


class SelectLabelsMixin:
    """No select of the admin shows Django's «---------»: a foreign key's or a choice field's
    empty option reads «Выберите…», the changelist's action select «Выберите действие…». Every
    admin and inline of the portal has it through PortalModelAdmin / PortalTabularInline /
    PortalStackedInline (the third-party admins are registered again with it); tests/core/
    test_admin.py checks both that and the pages themselves."""

    empty_choice_label = _("Выберите…")
    empty_action_label = _("Выберите действие…")

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        if isinstance(formfield, forms.ModelChoiceField):
            if formfield.empty_label == DJANGO_EMPTY_LABEL:
                formfield.empty_label = self.empty_choice_label
        elif isinstance(formfield, forms.ChoiceField):
            choices = list(formfield.choices)
            if choices and choices[0] == ("", DJANGO_EMPTY_LABEL):
                formfield.choices = [("", self.empty_choice_label), *choices[1:]]
        return formfield

    def get_action_choices(self, request, default_choices=None):
        if default_choices is None:
            default_choices = [("", self.empty_action_label)]
        return super().get_action_choices(request, default_choices)


class PortalModelAdmin(SelectLabelsMixin, admin.ModelAdmin):
    """The base of every ModelAdmin of the portal."""


class PortalTabularInline(SelectLabelsMixin, admin.TabularInline):
    """The base of every tabular inline of the portal."""


class PortalStackedInline(SelectLabelsMixin, admin.StackedInline):
    """The base of every stacked inline of the portal."""


class ReadOnlyAdminMixin:
    """Rows written only by services (imports, charges, numbering, history): shown in the admin,
    never added, edited or deleted there."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class SuperuserOnlyAdminMixin:
    """Shown to superusers only (the machinery's rows: queued tasks, versions, job runs)."""

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_module_permission(self, request):
        return request.user.is_superuser


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


MASKED = "••••••"


def form_changes(form: forms.BaseForm, *, adding: bool, masked: tuple[str, ...] = ()) -> dict:
    """What a submitted admin form changed: {field: {"before": ..., "after": ...}}. The form's
    initial data is the object as it was (model_to_dict), its cleaned data what it became."""
    changes: dict[str, dict[str, Any]] = {}
    for name in form.changed_data:
        if name in masked:
            changes[name] = {"before": MASKED, "after": MASKED}
            continue
        field = form.fields.get(name)
        before = None if adding else form.initial.get(name)
        if (
            isinstance(field, forms.ModelChoiceField)
            and not isinstance(field, forms.ModelMultipleChoiceField)
            and before is not None
            and not isinstance(before, models.Model)
        ):
            before = field.queryset.model._default_manager.filter(pk=before).first() or before
        changes[name] = {
            "before": audit_value(before),
            "after": audit_value(form.cleaned_data.get(name)),
        }
    return changes


class ChangeAuditedAdminMixin:
    """Writes the staff audit log (not Django's editable LogEntry history) for every change made
    on an admin page: an added object, a changed one with its fields before → after (inline rows
    too), a deleted one. Actions that call services write their own entries.

    Subclasses say whose data an object is with `audit_person(obj)`; fields whose values must not
    reach the log (a password hash) are named in `audit_masked_fields`."""

    audit_masked_fields: tuple[str, ...] = ("password", "password1", "password2")

    def audit_person(self, obj: models.Model) -> str:
        return str(obj)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        obj = form.instance
        changes = form_changes(form, adding=not change, masked=self.audit_masked_fields)
        for formset in formsets:
            for inline_form in formset.forms:
                if not inline_form.has_changed() or inline_form.instance.pk is None:
                    continue
                prefix = f"{inline_form.instance._meta.model_name}#{inline_form.instance.pk}."
                inline_adding = inline_form.instance in getattr(formset, "new_objects", [])
                for name, change_ in form_changes(
                    inline_form, adding=inline_adding, masked=self.audit_masked_fields
                ).items():
                    changes[prefix + name] = change_
        if not changes and change:
            return
        verbose = obj._meta.verbose_name
        what = f"{verbose}: изменено" if change else f"{verbose}: добавлено"
        audit_log_record(
            request=request,
            subject=obj,
            person_label=self.audit_person(obj),
            what=f"{what} ({', '.join(changes)})" if changes else what,
            action=AuditLogEntry.Action.CHANGE,
            changes=changes,
        )

    def delete_model(self, request, obj):
        self._audit_deleted(request, obj)
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self._audit_deleted(request, obj)
        super().delete_queryset(request, queryset)

    def _audit_deleted(self, request, obj: models.Model) -> None:
        audit_log_record(
            request=request,
            subject=obj,
            person_label=self.audit_person(obj),
            what=f"{obj._meta.verbose_name}: удалено",
            action=AuditLogEntry.Action.CHANGE,
            changes={"__deleted__": {"before": str(obj), "after": None}},
        )


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
            person_id=people[0],
            insured_person_id=people[1],
            person_label=person_label[:255],
            what=what[:255],
            ip_address=ip_address,
        )
        for subject, person_label, what in entries
        for people in [audit_subject_people(subject)]
    ]
    AuditLogEntry.objects.bulk_create(rows)
    return len(rows)


@admin.register(AuditLogEntry)
class AuditLogEntryAdmin(ReadOnlyAdminMixin, PortalModelAdmin):
    """Readable by admins only; nobody adds, changes or deletes rows."""

    list_display = (
        "when",
        "staff_user",
        "action",
        "person_label",
        "what",
        "changes_summary",
        "ip_address",
    )
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

    @admin.display(description=_("было → стало"))
    def changes_summary(self, obj: AuditLogEntry) -> str:
        parts = [
            f"{name}: {change.get('before')!s} → {change.get('after')!s}"
            for name, change in (obj.changes or {}).items()
            if isinstance(change, dict)
        ]
        return "; ".join(parts) or "—"

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_module_permission(self, request):
        return request.user.is_superuser


@admin.register(DestructionAct)
class DestructionActAdmin(ReadOnlyAdminMixin, PortalModelAdmin):
    """Acts of destruction of personal data: written by the retention run, read here, never
    edited or deleted."""

    list_display = ("__str__", "created_at", "performed_by")
    readonly_fields = (
        "created_at",
        "operator",
        "performed_by",
        "information_system",
        "method",
        "reason",
        "items",
        "kept",
    )
    fields = readonly_fields


class InsurerDetailsForm(forms.ModelForm):
    class Meta:
        model = InsurerDetails
        fields = [
            "full_name",
            "name_en",
            "inn",
            "kpp",
            "ogrn",
            "licence_number",
            "licence_date",
            "address",
            "address_en",
            "phones",
            "email",
            "website",
            "signatory",
            "signature",
            "stamp",
        ]

    def _image(self, field: str):
        upload = self.cleaned_data.get(field)
        if upload and hasattr(upload, "read") and getattr(upload, "_committed", True) is False:
            head = upload.read(16)
            upload.seek(0)
            if image_kind(head) is None:
                raise forms.ValidationError(_("Загрузите изображение PNG или JPEG."))
            if upload.size > IMAGE_MAX_BYTES:
                raise forms.ValidationError(_("Изображение — не больше 2 МБ."))
        return upload

    def clean_signature(self):
        return self._image("signature")

    def clean_stamp(self):
        return self._image("stamp")

    def clean_inn(self):
        inn = self.cleaned_data["inn"].strip()
        if not inn.isdigit() or len(inn) not in (10, 12):
            raise forms.ValidationError(_("ИНН — 10 или 12 цифр"))
        return inn


@admin.register(InsurerDetails)
class InsurerDetailsAdmin(PortalModelAdmin):
    """One row: the requisites every policy PDF and receipt prints."""

    form = InsurerDetailsForm
    list_display = ("full_name", "inn", "licence_number", "updated_at")

    def has_add_permission(self, request):
        return super().has_add_permission(request) and not InsurerDetails.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(OutboxMessage)
class OutboxMessageAdmin(SuperuserOnlyAdminMixin, ReadOnlyAdminMixin, PortalModelAdmin):
    """The outbox of queued tasks (portal.core.outbox): superusers watch what waits and why."""

    list_display = ("task_name", "created_at", "sent_at", "acked_at", "attempts", "given_up_at")
    list_filter = (("acked_at", admin.EmptyFieldListFilter), "task_name")
    search_fields = ("task_name", "last_error")
    list_per_page = 50


@admin.register(VersionCounter)
class VersionCounterAdmin(SuperuserOnlyAdminMixin, ReadOnlyAdminMixin, PortalModelAdmin):
    """Versions of cached data (portal.core.versions): shown to superusers, changed by code only."""

    list_display = ("name", "value", "updated_at")


@admin.register(JobRun)
class JobRunAdmin(SuperuserOnlyAdminMixin, ReadOnlyAdminMixin, PortalModelAdmin):
    """Runs of scheduled jobs (portal.core.locks.run_once): started, finished, or not."""

    list_display = ("name", "key", "started_at", "finished_at", "result")
    list_filter = ("name", ("finished_at", admin.EmptyFieldListFilter))
