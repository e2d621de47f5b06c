"""Forms of the clinics section: they parse and check input, and build what the selectors take."""

from decimal import Decimal, InvalidOperation

from django import forms
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from policies.models import CareKind, InsuredPerson, Policy
from portal.core.validators import refuse_control_characters

from .models import SavedPlace, Slot
from .selectors import BBox, ClinicQuery, Origin, group_program_ids

POLICY_MINE = ""
POLICY_NETWORK = "all"
SORT_NAME = "name"
SEARCH_MAX_LENGTH = 100


def policy_label(policy: Policy) -> str:
    person = policy.insured_person
    return f"№ {policy.number} — {person.full_name}" if person else f"№ {policy.number}"


class ClinicFilterForm(forms.Form):
    """The GET form of the clinic list and map. Every field is optional, and a value that is not
    among the choices (someone else's policy id, a made-up city) is dropped with a message."""

    policy = forms.ChoiceField(label=_("Полис"), required=False)
    care_kind = forms.ChoiceField(label=_("Вид помощи"), required=False)
    city = forms.ChoiceField(label=_("Город"), required=False)
    q = forms.CharField(
        label=_("Название или адрес"),
        required=False,
        max_length=SEARCH_MAX_LENGTH,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    online = forms.BooleanField(label=_("Только с онлайн-записью"), required=False)
    sort = forms.ChoiceField(label=_("Порядок"), required=False)

    def __init__(
        self,
        data,
        *,
        policies: list[Policy],
        kinds: list[CareKind],
        cities: list[str],
        places: dict[str, SavedPlace],
    ) -> None:
        super().__init__(data)
        self.policies = {str(p.pk): p for p in policies}
        self.kinds = {k.code: k for k in kinds}
        self.places = places
        policy_choices = [(str(p.pk), policy_label(p)) for p in policies]
        if policies:
            policy_choices = [
                (POLICY_MINE, _("Все мои полисы")),
                *policy_choices,
                (POLICY_NETWORK, _("Вся сеть клиник")),
            ]
        else:
            policy_choices = [(POLICY_MINE, _("Вся сеть клиник"))]
        self.fields["policy"].choices = policy_choices
        self.fields["care_kind"].choices = [("", _("Все виды помощи"))] + [
            (k.code, k.name) for k in kinds
        ]
        self.fields["city"].choices = [("", _("Все города"))] + [(c, c) for c in cities]
        sort_choices = [(SORT_NAME, _("по названию"))]
        if SavedPlace.Kind.HOME in places:
            sort_choices.append((SavedPlace.Kind.HOME, _("ближе к дому")))
        if SavedPlace.Kind.WORK in places:
            sort_choices.append((SavedPlace.Kind.WORK, _("ближе к работе")))
        self.fields["sort"].choices = sort_choices

    def value(self, name: str):
        """The cleaned value of a field, or its empty value when it was not valid."""
        if not hasattr(self, "cleaned_data"):
            self.is_valid()
        return self.cleaned_data.get(name) or ""

    @property
    def chosen_policy(self) -> Policy | None:
        return self.policies.get(self.value("policy"))

    @property
    def sort_by(self) -> str:
        """The chosen order; by default the nearest to home (or work) first, when saved."""
        chosen = self.value("sort")
        if chosen:
            return chosen
        for kind in (SavedPlace.Kind.HOME, SavedPlace.Kind.WORK):
            if kind in self.places:
                return kind
        return SORT_NAME

    @property
    def origin_place(self) -> SavedPlace | None:
        return self.places.get(self.sort_by)

    def program_ids(self) -> tuple[int, ...] | None:
        chosen = self.value("policy")
        if chosen == POLICY_NETWORK or not self.policies:
            return None
        if chosen in self.policies:
            return group_program_ids([self.policies[chosen]])
        return group_program_ids(self.policies.values())

    def query(self, *, bbox: BBox | None = None, with_origin: bool = True) -> ClinicQuery:
        place = self.origin_place if with_origin else None
        return ClinicQuery(
            program_ids=self.program_ids(),
            care_kind=self.kinds.get(self.value("care_kind")),
            city=self.value("city"),
            online_booking=bool(self.value("online")),
            text=self.value("q").strip(),
            origin=Origin(float(place.latitude), float(place.longitude)) if place else None,
            bbox=bbox,
        )

    def dropped(self) -> list[str]:
        """Messages about the values that were ignored."""
        self.is_valid()
        messages = []
        if "policy" in self.errors:
            messages.append(
                _("Такого полиса нет среди ваших: показаны клиники всех ваших полисов.")
            )
        for name in ("care_kind", "city", "sort", "q"):
            if name in self.errors:
                messages.append(
                    _("Фильтр «%(label)s» не применён: %(error)s")
                    % {"label": self.fields[name].label, "error": self.errors[name][0]}
                )
        return messages


def parse_bbox(value: str) -> BBox | None:
    """`minLon,minLat,maxLon,maxLat` (GeoJSON's order); ValueError when it is not one."""
    if not value:
        return None
    parts = value.split(",")
    if len(parts) != 4:
        raise ValueError("bbox: four numbers expected")
    try:
        min_lon, min_lat, max_lon, max_lat = (Decimal(p.strip()) for p in parts)
    except InvalidOperation as exc:
        raise ValueError("bbox: not a number") from exc
    if not all(v.is_finite() for v in (min_lon, min_lat, max_lon, max_lat)):
        raise ValueError("bbox: not a number")
    if min_lon > max_lon or min_lat > max_lat:
        raise ValueError("bbox: min greater than max")
    clamp = lambda v, limit: max(-limit, min(limit, v))  # noqa: E731
    return BBox(clamp(min_lon, 180), clamp(min_lat, 90), clamp(max_lon, 180), clamp(max_lat, 90))


def address_suggest_attrs() -> dict[str, str]:
    """The htmx attributes of an address input with suggestions (components/address_field.html
    holds the list they fill)."""
    return {
        "hx-get": reverse("address_suggestions"),
        "hx-trigger": "input changed delay:300ms",
        "hx-target": "next [data-address-list]",
        "hx-swap": "innerHTML",
        "hx-sync": "this:replace",
        "autocomplete": "off",
        "data-address-suggest": "",
    }


class SavedPlaceForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Что это за место"), choices=SavedPlace.Kind.choices, widget=forms.RadioSelect
    )
    label = forms.CharField(
        label=_("Подпись"),
        required=False,
        max_length=120,
        validators=[refuse_control_characters],
        help_text=_("Например, адрес — его видите только вы."),
    )
    address = forms.CharField(
        label=_("Адрес"),
        required=False,
        max_length=300,
        validators=[refuse_control_characters],
        help_text=_("Начните вводить улицу и дом и выберите адрес из подсказок."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "data-address-suggest": ""}),
    )
    latitude = forms.DecimalField(
        label=_("Широта"),
        min_value=Decimal("-90"),
        max_value=Decimal("90"),
        localize=False,
        required=False,
    )
    longitude = forms.DecimalField(
        label=_("Долгота"),
        min_value=Decimal("-180"),
        max_value=Decimal("180"),
        localize=False,
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["address"].widget.attrs.update(address_suggest_attrs())

    def clean(self):
        data = super().clean()
        has_point = data.get("latitude") is not None and data.get("longitude") is not None
        if not has_point and not (data.get("address") or "").strip() and not self.errors:
            raise forms.ValidationError(
                _("Укажите адрес, точку на карте, своё местоположение или координаты.")
            )
        return data


class CoverageCheckForm(forms.Form):
    patient = forms.ChoiceField(label=_("Пациент"))
    care_kind = forms.ChoiceField(label=_("Вид помощи"))

    def __init__(self, data, *, patients: list[InsuredPerson], kinds: list[CareKind]) -> None:
        super().__init__(data)
        self.patients = {str(p.pk): p for p in patients}
        self.kinds = {k.code: k for k in kinds}
        self.fields["patient"].choices = [(str(p.pk), p.full_name) for p in patients]
        self.fields["care_kind"].choices = [(k.code, k.name) for k in kinds]

    @property
    def chosen_patient(self) -> InsuredPerson:
        return self.patients[self.cleaned_data["patient"]]

    @property
    def chosen_kind(self) -> CareKind:
        return self.kinds[self.cleaned_data["care_kind"]]


class ClinicReportForm(forms.Form):
    comment = forms.CharField(
        label=_("Что случилось (необязательно)"),
        required=False,
        max_length=2000,
        validators=[refuse_control_characters],
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class PatientForm(forms.Form):
    patient = forms.ChoiceField(label=_("Кого записать"), widget=forms.RadioSelect)

    def __init__(self, data=None, *, patients: list[InsuredPerson], initial=None) -> None:
        super().__init__(data, initial=initial)
        self.patients = {str(p.pk): p for p in patients}
        self.fields["patient"].choices = [(str(p.pk), p.full_name) for p in patients]

    @property
    def chosen_patient(self) -> InsuredPerson:
        return self.patients[self.cleaned_data["patient"]]


class MoveForm(forms.Form):
    slot = forms.ChoiceField(label=_("Новое время"), widget=forms.RadioSelect)

    def __init__(self, data=None, *, slots: list[Slot]) -> None:
        super().__init__(data)
        self.slots = {str(s.pk): s for s in slots}
        self.fields["slot"].choices = [
            (str(s.pk), timezone.localtime(s.starts_at).strftime("%d.%m.%Y %H:%M")) for s in slots
        ]

    @property
    def chosen_slot(self) -> Slot:
        return self.slots[self.cleaned_data["slot"]]
