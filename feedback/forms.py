"""Forms of «Мои обращения» and guarantee letters: input checks only; services do the writes."""

from django import forms
from django.utils.translation import gettext_lazy as _

from portal.core.uploads import CheckedFile, rules_from_settings, upload_help, uploads_check

from .appeals import PERSON_KINDS
from .models import Appeal


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(d, initial) for d in data if d]
        return [super().clean(data, initial)] if data else []


def appeal_upload_rules():
    return rules_from_settings("APPEALS")


class AttachmentsMixin:
    def clean_files(self) -> list[CheckedFile]:
        files = self.cleaned_data.get("files") or []
        if not files:
            return []
        return uploads_check(files, rules=appeal_upload_rules())


RATING_CHOICES = [(str(n), str(n)) for n in range(5, 0, -1)]


class AppealForm(AttachmentsMixin, forms.Form):
    kind = forms.ChoiceField(
        label=_("Вид обращения"),
        choices=[(k.value, k.label.capitalize()) for k in Appeal.Kind if k in PERSON_KINDS],
        widget=forms.RadioSelect,
    )
    rating = forms.TypedChoiceField(
        label=_("Оценка (для отзыва)"),
        choices=RATING_CHOICES,
        coerce=int,
        required=False,
        empty_value=None,
        widget=forms.RadioSelect,
    )
    subject = forms.CharField(label=_("Тема"), max_length=200, required=False)
    body = forms.CharField(label=_("Текст обращения"), widget=forms.Textarea(attrs={"rows": 6}))
    files = MultipleFileField(label=_("Файлы"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        rules = appeal_upload_rules()
        self.fields["files"].help_text = upload_help(rules)
        self.fields["files"].widget.attrs["accept"] = rules.accept

    def clean(self):
        data = super().clean()
        if data.get("kind") == Appeal.Kind.REVIEW and not data.get("rating"):
            self.add_error("rating", _("Поставьте оценку от 1 до 5"))
        return data


class MessageForm(AttachmentsMixin, forms.Form):
    body = forms.CharField(label=_("Сообщение"), widget=forms.Textarea(attrs={"rows": 4}))
    files = MultipleFileField(label=_("Файлы"), required=False)


class GuaranteeLetterForm(forms.Form):
    insured_person = forms.TypedChoiceField(label=_("Пациент"), coerce=int)
    clinic = forms.ModelChoiceField(label=_("Клиника"), queryset=None)
    care_kind = forms.ModelChoiceField(label=_("Вид медицинской помощи"), queryset=None)
    service_name = forms.CharField(
        label=_("Услуга (если известна)"), max_length=255, required=False
    )
    planned_on = forms.DateField(
        label=_("Планируемая дата визита"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    referral = forms.FileField(label=_("Направление врача"), required=False)

    def __init__(self, *args, persons, **kwargs):
        from clinics.models import Clinic
        from policies.models import CareKind

        super().__init__(*args, **kwargs)
        self.persons = {p.pk: p for p in persons}
        self.fields["insured_person"].choices = [(p.pk, p.full_name) for p in persons]
        self.fields["clinic"].queryset = Clinic.objects.order_by("name")
        self.fields["care_kind"].queryset = CareKind.objects.all()
        rules = appeal_upload_rules()
        self.fields["referral"].help_text = upload_help(rules)
        self.fields["referral"].widget.attrs["accept"] = rules.accept

    def clean_insured_person(self):
        person = self.persons.get(self.cleaned_data["insured_person"])
        if person is None:
            raise forms.ValidationError(_("Выберите пациента из списка"))
        return person

    def clean_referral(self):
        file = self.cleaned_data.get("referral")
        if not file:
            return None
        return uploads_check([file], rules=appeal_upload_rules())[0]
