"""Forms of «Мои обращения» and guarantee letters: input checks only; services do the writes."""

from html import escape

from django import forms
from django.core.cache import cache
from django.forms.utils import flatatt
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from portal.core.forms import DateField
from portal.core.uploads import CheckedFile, rules_from_settings, upload_help, uploads_check
from portal.core.validators import LONG_TEXT_MAX_LENGTH, refuse_control_characters

from .models import Appeal
from .services import PERSON_KINDS

CLINIC_OPTIONS_SECONDS = 3600


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
    subject = forms.CharField(
        label=_("Тема"), max_length=200, required=False, validators=[refuse_control_characters]
    )
    body = forms.CharField(
        label=_("Текст обращения"),
        max_length=LONG_TEXT_MAX_LENGTH,
        validators=[refuse_control_characters],
        widget=forms.Textarea(attrs={"rows": 6}),
    )
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
    body = forms.CharField(
        label=_("Сообщение"),
        max_length=LONG_TEXT_MAX_LENGTH,
        validators=[refuse_control_characters],
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    files = MultipleFileField(label=_("Файлы"), required=False)


def _clinic_options() -> str:
    """Every clinic of the network as `<option>`s, by name: one string, cached under the
    network's version, so that a clinic added, renamed or removed shows at once."""
    from clinics.geojson import network_version
    from clinics.models import Clinic

    key = f"feedback:clinic-options:{network_version()}"
    options = cache.get(key)
    if options is None:
        rows = Clinic.objects.order_by("name").values_list("pk", "name")
        options = "".join(f'<option value="{pk}">{escape(name)}</option>' for pk, name in rows)
        cache.set(key, options, CLINIC_OPTIONS_SECONDS)
    return options


class ClinicSelect(forms.Select):
    """The clinic select of a guarantee letter request: thousands of options, from a cached
    string. Django makes a model instance per option and renders each through its template
    (about 80 µs an option): the 5,000 clinics of the network took 400 ms of the page."""

    def render(self, name, value, attrs=None, renderer=None):
        final = flatatt(self.build_attrs(self.attrs, attrs))
        options = _clinic_options()
        chosen = next((key for key in self.format_value(value) if key), "")
        marked = f'<option value="{escape(chosen)}">'
        empty = " selected"
        if chosen and marked in options:
            options = options.replace(marked, f'<option value="{escape(chosen)}" selected>', 1)
            empty = ""
        empty_option = f'<option value=""{empty}>{escape(str(self.empty_label))}</option>'
        select = f'<select name="{escape(name)}"{final}>'
        return mark_safe(f"{select}{empty_option}{options}</select>")  # noqa: S308


class GuaranteeLetterForm(forms.Form):
    insured_person = forms.TypedChoiceField(label=_("Пациент"), coerce=int)
    clinic = forms.ModelChoiceField(
        label=_("Клиника"), queryset=None, widget=ClinicSelect, empty_label=_("Выберите клинику…")
    )
    care_kind = forms.ModelChoiceField(
        label=_("Вид медицинской помощи"), queryset=None, empty_label=_("Выберите вид помощи…")
    )
    service_name = forms.CharField(
        label=_("Услуга (если известна)"),
        max_length=255,
        required=False,
        validators=[refuse_control_characters],
    )
    planned_on = DateField(
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
        self.fields["clinic"].widget.empty_label = self.fields["clinic"].empty_label
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
