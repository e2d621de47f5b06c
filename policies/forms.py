"""Forms of the policy pages. Field names are a contract (SPEC «Route map»): tests outside the
project post `number`; `number`, `last_name`, `first_name`, `middle_name`, `birth_date`; and
`number`, `code`."""

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.core.forms import DateField

DATE_FORMATS = ["%Y-%m-%d", "%d.%m.%Y"]


class PolicyNumberField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Номер полиса"))
        kwargs.setdefault("max_length", 32)
        kwargs.setdefault("strip", True)
        super().__init__(**kwargs)
        self.widget.attrs.update({"autocomplete": "off", "spellcheck": "false"})


class PolicyAddForm(forms.Form):
    number = PolicyNumberField(help_text=_("Как на полисе ДМС, например: ДМС-0147-000900"))


class ChildPolicyAddForm(forms.Form):
    number = PolicyNumberField(
        label=_("Номер полиса ребёнка"), help_text=_("Как на полисе ДМС ребёнка")
    )
    last_name = forms.CharField(label=_("Фамилия ребёнка"), max_length=150)
    first_name = forms.CharField(label=_("Имя ребёнка"), max_length=150)
    middle_name = forms.CharField(
        label=_("Отчество ребёнка"),
        max_length=150,
        required=False,
        help_text=_("Если отчества нет, оставьте поле пустым"),
    )
    birth_date = DateField(
        label=_("Дата рождения ребёнка"),
        input_formats=DATE_FORMATS,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def clean_birth_date(self) -> datetime.date:
        day = self.cleaned_data["birth_date"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("Дата рождения не может быть в будущем"))
        return day


class BoxedPolicyActivateForm(forms.Form):
    number = PolicyNumberField(help_text=_("Номер с карточки полиса, например: НС-2026-000101"))
    code = forms.CharField(
        label=_("Код активации"),
        max_length=32,
        help_text=_("Под защитным слоем на карточке полиса"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
