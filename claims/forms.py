"""Forms of the person's claim pages: they parse input; the rules are checked by the services."""

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from policies.models import Policy
from portal.core.forms import DateField
from portal.core.validators import refuse_control_characters

from .rules import PAYOUT_LABELS, Document, EventType, checklist, document_label, rules_for
from .services import OtherParty, PayoutChoice, claim_upload_rules

OTHER_PARTY_ROWS = 2


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files under one name (`<input type=file multiple>`): a list, maybe empty."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            files = [single(item, initial) for item in data if item]
        else:
            files = [single(data, initial)] if data else []
        if self.required and not files:
            raise forms.ValidationError(self.error_messages["required"], code="required")
        return files


def _file_attrs() -> dict:
    return {"accept": claim_upload_rules().accept, "multiple": True}


class ClaimForm(forms.Form):
    """The declaration under one policy and one event type: what happened, where and when, the
    other participants of a road accident, how to pay, and the product's documents."""

    event_date = DateField(
        label=_("Дата события"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    event_time = forms.TimeField(
        label=_("Время"),
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        help_text=_("Примерное, если точно не помните"),
    )
    place = forms.CharField(
        label=_("Место"),
        max_length=255,
        validators=[refuse_control_characters],
        help_text=_("Город, улица, дом или ориентир; для поездки — страна и город"),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    description = forms.CharField(
        label=_("Что произошло"),
        max_length=5000,
        validators=[refuse_control_characters],
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Как всё случилось, что повреждено или какая помощь понадобилась"),
    )
    payout_method = forms.ChoiceField(label=_("Способ выплаты"), widget=forms.RadioSelect)
    bik = forms.CharField(
        label=_("БИК банка"),
        required=False,
        max_length=16,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        help_text=_("9 цифр, есть в реквизитах счёта в приложении банка"),
    )
    account = forms.CharField(
        label=_("Номер счёта"),
        required=False,
        max_length=32,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        help_text=_("20 цифр, начинается с 40817 — не номер карты"),
    )
    repair_station = forms.CharField(
        label=_("Где удобно ремонтировать"),
        required=False,
        max_length=255,
        validators=[refuse_control_characters],
        help_text=_("Город или район: мы предложим станцию-партнёра рядом"),
    )

    def __init__(self, *args, policy: Policy, event: EventType, **kwargs):
        super().__init__(*args, **kwargs)
        self.policy, self.event = policy, event
        rules = rules_for(policy.product)
        self.fields["payout_method"].choices = [(p.value, PAYOUT_LABELS[p]) for p in rules.payouts]
        self.fields["payout_method"].initial = rules.payouts[0].value
        today = timezone.localdate()
        self.fields["event_date"].widget.attrs.update(
            min=policy.starts_on.isoformat(), max=min(today, policy.ends_on).isoformat()
        )
        if event.other_parties:
            for n in range(1, OTHER_PARTY_ROWS + 1):
                self.fields[f"party{n}_name"] = forms.CharField(
                    label=_("Фамилия и имя"),
                    required=False,
                    max_length=255,
                    validators=[refuse_control_characters],
                )
                self.fields[f"party{n}_plate"] = forms.CharField(
                    label=_("Госномер автомобиля"),
                    required=False,
                    max_length=16,
                    validators=[refuse_control_characters],
                )
                self.fields[f"party{n}_policy"] = forms.CharField(
                    label=_("Полис ОСАГО"),
                    required=False,
                    max_length=20,
                    help_text=_("Например, ХХХ 0123456789"),
                )
        self.checklist: list[Document] = checklist(policy.product, event.code)
        for document in self.checklist:
            self.fields[f"doc_{document.code}"] = MultipleFileField(
                label=document.label,
                required=False,
                help_text=document.help,
                widget=MultipleFileInput(attrs=_file_attrs()),
            )
        self.documents_errors: list[str] = []

    @property
    def party_rows(self) -> list[list[forms.BoundField]]:
        if not self.event.other_parties:
            return []
        return [
            [self[f"party{n}_name"], self[f"party{n}_plate"], self[f"party{n}_policy"]]
            for n in range(1, OTHER_PARTY_ROWS + 1)
        ]

    @property
    def document_fields(self) -> list[forms.BoundField]:
        return [self[f"doc_{d.code}"] for d in self.checklist]

    @property
    def has_repair(self) -> bool:
        return any(value == "repair" for value, _label in self.fields["payout_method"].choices)

    def event_at(self) -> datetime.datetime:
        moment = datetime.datetime.combine(
            self.cleaned_data["event_date"], self.cleaned_data["event_time"]
        )
        return timezone.make_aware(moment)

    def payout(self) -> PayoutChoice:
        data = self.cleaned_data
        return PayoutChoice(
            method=data["payout_method"],
            bik=data.get("bik", ""),
            account=data.get("account", ""),
            station=data.get("repair_station", ""),
        )

    def other_parties(self) -> list[OtherParty]:
        if not self.event.other_parties:
            return []
        data = self.cleaned_data
        return [
            OtherParty(
                name=data.get(f"party{n}_name", ""),
                plate=data.get(f"party{n}_plate", ""),
                policy_number=data.get(f"party{n}_policy", ""),
            )
            for n in range(1, OTHER_PARTY_ROWS + 1)
        ]

    def submission(self) -> dict:
        """What claims.services.claim_submit takes from the form (the page and the API)."""
        return {
            "policy": self.policy,
            "event_type": self.event.code,
            "event_at": self.event_at(),
            "place": self.cleaned_data["place"],
            "description": self.cleaned_data["description"],
            "payout": self.payout(),
            "other_parties": self.other_parties(),
            "documents": self.documents(),
        }

    def documents(self) -> list[tuple]:
        return [
            (document.code, file)
            for document in self.checklist
            for file in self.cleaned_data.get(f"doc_{document.code}", [])
        ]

    # The services' error keys, and the field each is shown at.
    ERROR_FIELDS = {
        "event_at": "event_date",
        "other_parties": "party1_policy",
        "event_type": None,
    }

    def add_service_errors(self, error: forms.ValidationError) -> None:
        if not hasattr(error, "error_dict"):
            self.add_error(None, error)
            return
        for key, messages in error.message_dict.items():
            if key == "documents":
                self.documents_errors.extend(messages)
                continue
            field = self.ERROR_FIELDS.get(key, key)
            self.add_error(field if field in self.fields else None, messages)


class DocumentUploadForm(forms.Form):
    """More files for a claim: of one kind of the checklist, or one an operator asked for."""

    kind = forms.ChoiceField(label=_("Какой документ"))
    files = MultipleFileField(label=_("Файлы"))

    def __init__(self, *args, kinds: list[str], initial_kind: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(code, document_label(code)) for code in kinds]
        self.fields["files"].widget.attrs.update(_file_attrs())
        if initial_kind:
            self.fields["kind"].initial = initial_kind
