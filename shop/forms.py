import datetime
import re
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clinics.forms import address_suggest_attrs
from portal.accounts.forms import LatinNameField
from portal.core.formatting import LATIN_TO_CYRILLIC
from portal.core.forms import DateField
from portal.core.validators import refuse_control_characters

from .kasko import MAX_PRICE, MIN_PRICE
from .models import (
    Country,
    KaskoDeductible,
    PersonalOption,
    PropertyRate,
    Purpose,
    Region,
    TravelRate,
    TravelSportOption,
)
from .osago import MIN_DRIVER_AGE, MIN_LICENCE_AGE, full_years
from .personal import SUMS, TERMS
from .selectors import territory_towns
from .services import OSAGO_LATEST_START_DAYS, osago_earliest_start
from .travel import (
    ANNUAL_COVER_DAYS,
    ANNUAL_TRIP,
    CURRENCY,
    MAX_TRAVELLERS,
    SCHENGEN_MIN_SUM,
    SINGLE_TRIP,
    TRIP_TYPES,
    annual_end,
    schengen_check,
    travel_max_age,
    trip_days,
)

# 17 characters, Latin letters and digits without I, O and Q (ISO 3779).
VIN_RE = re.compile(r"^[A-HJ-NPR-Z0-9]{17}$")
PLATE_RE = re.compile(r"^[АВЕКМНОРСТУХ]\d{3}[АВЕКМНОРСТУХ]{2}\d{2,3}$")
# An <input type="date"> takes ISO dates only: the Russian format would leave it empty.
DATE = {"widget": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}
MONTHS = [(m, str(m)) for m in range(3, 13)]


def amount_label(amount: int, currency: str = "") -> str:
    """50000 → «50 000», with the currency «50 000 EUR» (non-breaking spaces)."""
    text = f"{amount:,}".replace(",", "\u00a0")
    return f"{text}\u00a0{currency}" if currency else text


# The choice for a town the act does not name: the КТ of «прочие города и населённые пункты».
OTHER_TOWN = "Другой населённый пункт"
LICENCE_SERIES_RE = re.compile(r"^\d{2}\s?(\d{2}|[АВЕКМНОРСТУХ]{2})$")


class OsagoQuoteForm(forms.Form):
    category = forms.ChoiceField(
        label=_("Категория ТС"), choices=[("B", _("B — легковой автомобиль"))]
    )
    purpose = forms.ChoiceField(
        label=_("Цель использования"), choices=Purpose.choices, initial=Purpose.PERSONAL
    )
    owner_address = forms.CharField(
        label=_("Адрес регистрации собственника"),
        required=False,
        max_length=300,
        validators=[refuse_control_characters],
        help_text=_("Начните вводить адрес: выбранная подсказка заполнит субъект и город."),
    )
    region = forms.ChoiceField(
        label=_("Субъект РФ по адресу регистрации собственника"),
        error_messages={"invalid_choice": _("Выберите субъект РФ из списка.")},
    )
    town = forms.CharField(
        label=_("Населённый пункт по адресу регистрации"),
        max_length=120,
        required=False,
        help_text=_("Город из подсказок или «%(other)s».") % {"other": OTHER_TOWN},
        widget=forms.TextInput(attrs={"list": "osago-towns", "autocomplete": "off"}),
    )
    power_hp = forms.IntegerField(
        label=_("Мощность двигателя, л. с."),
        min_value=1,
        max_value=2000,
        error_messages={
            "min_value": _("Мощность — от 1 до 2000 л. с. (таблица КМ)."),
            "max_value": _("Мощность — от 1 до 2000 л. с. (таблица КМ)."),
            "invalid": _("Мощность — целое число лошадиных сил."),
        },
    )
    months = forms.TypedChoiceField(
        label=_("Период использования, месяцев в году"), choices=MONTHS, coerce=int, initial=12
    )
    starts_on = DateField(label=_("Дата начала действия полиса"), **DATE)
    trailer = forms.BooleanField(label=_("Управление с прицепом"), required=False)
    violations = forms.BooleanField(
        label=_(
            "Собственник или водитель допускал грубые нарушения условий страхования "
            "(п. 3 ст. 9 закона об ОСАГО)"
        ),
        required=False,
    )
    unlimited = forms.BooleanField(label=_("Без ограничения числа водителей"), required=False)
    owner_licence_series = forms.CharField(
        label=_("Удостоверение собственника: серия"), max_length=5, required=False
    )
    owner_licence_number = forms.CharField(
        label=_("Удостоверение собственника: номер"), max_length=6, required=False
    )
    owner_licence_since = DateField(
        label=_("Стаж собственника с (дата выдачи первого удостоверения)"), required=False, **DATE
    )
    vin = forms.CharField(label=_("VIN"), max_length=17, required=False)
    body_number = forms.CharField(
        label=_("Номер кузова (если нет VIN)"), max_length=32, required=False
    )
    plate = forms.CharField(label=_("Госномер"), max_length=9, help_text=_("Например, А123ВС77"))
    make = forms.CharField(label=_("Марка"), max_length=60)
    model = forms.CharField(label=_("Модель"), max_length=60)
    year = forms.IntegerField(label=_("Год выпуска"), min_value=1950)
    registration_document = forms.CharField(label=_("СТС или ПТС: серия и номер"), max_length=20)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = [("", _("Выберите субъект РФ…"))] + [
            (r.code, r.name) for r in Region.objects.order_by("name")
        ]
        self.fields["owner_address"].widget.attrs.update(address_suggest_attrs())
        # The town suggestions follow the subject (htmx; without it, the page's own list).
        self.fields["region"].widget.attrs.update(
            {
                "hx-get": reverse("shop_osago_towns"),
                "hx-target": "#osago-towns",
                "hx-trigger": "change",
                "hx-swap": "innerHTML",
            }
        )
        self.fields["year"].max_value = timezone.localdate().year

    def clean_vin(self):
        vin = self.cleaned_data["vin"].strip().upper()
        if vin and not VIN_RE.match(vin):
            raise ValidationError(_("VIN — 17 латинских букв и цифр, без букв I, O и Q."))
        return vin

    def clean_plate(self):
        plate = self.cleaned_data["plate"].replace(" ", "").upper()
        latin = str.maketrans("ABEKMHOPCTYX", "АВЕКМНОРСТУХ")
        plate = plate.translate(latin)
        if not PLATE_RE.match(plate):
            raise ValidationError(_("Госномер в формате А123ВС77."))
        return plate

    def clean_starts_on(self):
        day = self.cleaned_data["starts_on"]
        today = timezone.localdate()
        if day < today:
            raise ValidationError(_("Дата начала не может быть в прошлом."))
        if day < osago_earliest_start(today):
            raise ValidationError(_("Полис ОСАГО начинает действовать не раньше завтрашнего дня."))
        if day > today + datetime.timedelta(days=OSAGO_LATEST_START_DAYS):
            raise ValidationError(
                _("Дата начала — не позже чем через %(days)s дней.")
                % {"days": OSAGO_LATEST_START_DAYS}
            )
        return day

    def clean(self):
        data = super().clean()
        if not data.get("vin") and not data.get("body_number"):
            self.add_error("vin", _("Укажите VIN или номер кузова."))
        region = data.get("region")
        if region:
            towns = territory_towns(region, data.get("starts_on") or timezone.localdate())
            data["town"] = self._town(data.get("town", ""), towns)
        if data.get("unlimited"):
            self._owner_licence(data)
        return data

    def _town(self, town: str, towns: list[str]) -> str:
        """The town as the act names it, or "" for the rest of the subject."""
        town = " ".join(town.split())
        if not towns or town.casefold() == OTHER_TOWN.casefold():
            return ""
        named = {t.casefold().replace("ё", "е"): t for t in towns}
        found = named.get(town.casefold().replace("ё", "е"))
        if found:
            return found
        if not town:
            self.add_error(
                "town", _("Выберите населённый пункт или «%(other)s».") % {"other": OTHER_TOWN}
            )
        else:
            self.add_error(
                "town",
                _(
                    "Населённого пункта «%(town)s» нет в таблице коэффициентов КТ для этого "
                    "субъекта: выберите город из подсказок или «%(other)s»."
                )
                % {"town": town, "other": OTHER_TOWN},
            )
        return ""

    def _owner_licence(self, data: dict) -> None:
        """Without a list of drivers КБМ is the owner's: the РСА finds it by their licence."""
        series = licence_series_clean(data.get("owner_licence_series", ""))
        number = (data.get("owner_licence_number") or "").strip()
        if series is None:
            self.add_error("owner_licence_series", LICENCE_SERIES_ERROR)
        if not re.fullmatch(r"\d{6}", number):
            self.add_error("owner_licence_number", LICENCE_NUMBER_ERROR)
        if not data.get("owner_licence_since"):
            self.add_error(
                "owner_licence_since", _("Укажите дату выдачи первого удостоверения собственника.")
            )
        elif data["owner_licence_since"] > timezone.localdate():
            self.add_error("owner_licence_since", _("Дата выдачи не может быть в будущем."))
        data["owner_licence_series"] = series or ""


LICENCE_SERIES_ERROR = _("Серия — 4 знака: две цифры и две цифры или буквы, например 36 16.")
LICENCE_NUMBER_ERROR = _("Номер удостоверения — 6 цифр.")


def licence_series_clean(text: str) -> str | None:
    """«3616», «36 16», «77 ав» → «36 16», «77 АВ»; None when it is no licence series."""
    series = " ".join((text or "").upper().translate(LATIN_TO_CYRILLIC).split())
    if not LICENCE_SERIES_RE.match(series):
        return None
    compact = series.replace(" ", "")
    return f"{compact[:2]} {compact[2:]}"


class DriverForm(forms.Form):
    """An ОСАГО driver: the name and licence the РСА's АИС ОСАГО finds their КБМ class by."""

    last_name = forms.CharField(label=_("Фамилия"), max_length=80)
    first_name = forms.CharField(label=_("Имя"), max_length=80)
    middle_name = forms.CharField(label=_("Отчество (если есть)"), max_length=80, required=False)
    birth_date = DateField(label=_("Дата рождения"), **DATE)
    licence_series = forms.CharField(
        label=_("Водительское удостоверение: серия"),
        max_length=5,
        help_text=_("Например, 36 16"),
    )
    licence_number = forms.RegexField(
        label=_("Номер удостоверения"),
        regex=r"^\d{6}$",
        max_length=6,
        error_messages={"invalid": LICENCE_NUMBER_ERROR},
    )
    licence_since = DateField(label=_("Стаж с (дата выдачи первого удостоверения)"), **DATE)

    def clean_licence_series(self):
        series = licence_series_clean(self.cleaned_data["licence_series"])
        if series is None:
            raise ValidationError(LICENCE_SERIES_ERROR)
        return series

    def clean(self):
        data = super().clean()
        driver_dates_check(self, data, birth="birth_date", issued="licence_since")
        return data


def driver_dates_check(form: forms.Form, data: dict, *, birth: str, issued: str) -> None:
    """18 years old, a licence not from the future and not before the 16th birthday."""
    birth_date, issued_on = data.get(birth), data.get(issued)
    today = timezone.localdate()
    if birth_date and full_years(birth_date, today) < MIN_DRIVER_AGE:
        form.add_error(birth, _("Водителю должно быть не меньше 18 лет."))
    if issued_on and issued_on > today:
        form.add_error(issued, _("Дата выдачи не может быть в будущем."))
    if birth_date and issued_on and full_years(birth_date, issued_on) < MIN_LICENCE_AGE:
        form.add_error(issued, _("Удостоверение не выдаётся до 16 лет."))


MAX_DRIVERS = 5


class BaseDriverFormSet(forms.BaseFormSet):
    default_error_messages = {
        "too_many_forms": _(
            "Не больше %(num)d водителей. Для большего числа выберите «без ограничения»."
        ),
    }


DriverFormSet = forms.formset_factory(
    DriverForm, formset=BaseDriverFormSet, extra=1, max_num=MAX_DRIVERS, validate_max=True
)


class CheckoutForm(forms.Form):
    rules = forms.BooleanField(
        label=_("Согласен с правилами страхования"),
        error_messages={"required": _("Отметьте согласие с правилами страхования")},
    )


class CardForm(forms.Form):
    setup_intent = forms.RegexField(regex=r"^seti_[A-Za-z0-9_]{1,120}$", max_length=128)


class PersonalQuoteForm(forms.Form):
    """Accident and oncology: the insured is the buyer (birth date from the profile)."""

    birth_date = DateField(label=_("Дата рождения застрахованного"), **DATE)
    sum_insured = forms.TypedChoiceField(label=_("Страховая сумма, руб."), coerce=int)
    term_months = forms.TypedChoiceField(
        label=_("Срок страхования, месяцев"),
        choices=[(t, str(t)) for t in TERMS],
        coerce=int,
        initial=12,
    )
    starts_on = DateField(label=_("Дата начала действия"), **DATE)
    options = forms.MultipleChoiceField(
        label=_("Опции"), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, product: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.product = product
        self.fields["sum_insured"].choices = [(s, amount_label(s)) for s in SUMS[product]]
        self.fields["options"].choices = [
            (o.code, f"{o.name} (×{o.value})")
            for o in PersonalOption.in_force(timezone.localdate()).filter(product=product)
        ]

    def clean_birth_date(self):
        day = self.cleaned_data["birth_date"]
        if day >= timezone.localdate():
            raise ValidationError(_("Дата рождения должна быть в прошлом."))
        return day

    latest_start_days = OSAGO_LATEST_START_DAYS

    def clean_starts_on(self):
        day = self.cleaned_data["starts_on"]
        today = timezone.localdate()
        if day < today:
            raise ValidationError(_("Дата начала не может быть в прошлом."))
        if day < osago_earliest_start(today):
            raise ValidationError(_("Полис начинает действовать не раньше завтрашнего дня."))
        if day > today + datetime.timedelta(days=self.latest_start_days):
            raise ValidationError(
                _("Дата начала — не позже чем через %(days)s дней.")
                % {"days": self.latest_start_days}
            )
        return day


class PropertyQuoteForm(forms.Form):
    kind = forms.ChoiceField(label=_("Объект"), choices=PropertyRate.Kind.choices)
    address = forms.CharField(label=_("Адрес"), max_length=300)
    area = forms.DecimalField(
        label=_("Площадь, м²"), min_value=Decimal("5"), max_value=Decimal("2000"), decimal_places=1
    )
    sum_structure = forms.IntegerField(
        label=_("Конструктив, руб."), min_value=0, max_value=100_000_000, required=False
    )
    sum_finish = forms.IntegerField(
        label=_("Отделка и инженерное оборудование, руб."),
        min_value=0,
        max_value=50_000_000,
        required=False,
    )
    sum_belongings = forms.IntegerField(
        label=_("Движимое имущество, руб."), min_value=0, max_value=20_000_000, required=False
    )
    starts_on = DateField(label=_("Дата начала действия"), **DATE)

    latest_start_days = PersonalQuoteForm.latest_start_days
    clean_starts_on = PersonalQuoteForm.clean_starts_on

    def clean(self):
        data = super().clean()
        if not any(data.get(f"sum_{c}") for c in ("structure", "finish", "belongings")):
            raise ValidationError(_("Укажите хотя бы одну страховую сумму."))
        return data


class KaskoQuoteForm(forms.Form):
    make = forms.CharField(label=_("Марка"), max_length=60)
    model = forms.CharField(label=_("Модель"), max_length=60)
    year = forms.IntegerField(label=_("Год выпуска"), min_value=1990)
    vin = forms.CharField(label=_("VIN"), max_length=17)
    price = forms.IntegerField(
        label=_("Стоимость автомобиля, руб."), min_value=MIN_PRICE, max_value=MAX_PRICE
    )
    deductible = forms.TypedChoiceField(label=_("Франшиза, руб."), coerce=int)
    starts_on = DateField(label=_("Дата начала действия"), **DATE)

    latest_start_days = PersonalQuoteForm.latest_start_days
    clean_starts_on = PersonalQuoteForm.clean_starts_on
    clean_vin = OsagoQuoteForm.clean_vin

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].max_value = timezone.localdate().year
        self.fields["deductible"].choices = [
            (d.amount, amount_label(d.amount) if d.amount else _("без франшизы"))
            for d in KaskoDeductible.in_force(timezone.localdate())
        ]


class KaskoDriverForm(forms.Form):
    last_name = forms.CharField(label=_("Фамилия"), max_length=80)
    first_name = forms.CharField(label=_("Имя"), max_length=80)
    birth_date = DateField(label=_("Дата рождения"), **DATE)
    licence_number = forms.RegexField(
        label=_("Водительское удостоверение: серия и номер"),
        regex=r"^\d{2}\s?[\dА-ЯA-Z]{2}\s?\d{6}$",
        error_messages={"invalid": _("10 знаков: серия и номер, например 77 16 123456.")},
    )
    licence_issued_on = DateField(label=_("Дата выдачи первого удостоверения"), **DATE)

    def clean(self):
        data = super().clean()
        driver_dates_check(self, data, birth="birth_date", issued="licence_issued_on")
        return data


KaskoDriverFormSet = forms.formset_factory(KaskoDriverForm, extra=1, max_num=5, validate_max=True)


class TravelQuoteForm(forms.Form):
    """Travel (ВЗР): the buyer is the policyholder; the travellers are a formset (TravellerForm,
    prefix «travellers»). A single trip is covered from its first to its last day; an annual
    multi-trip policy for a year, each trip up to the chosen days of cover."""

    countries = forms.MultipleChoiceField(
        label=_("Страны поездки"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Выберите хотя бы одну страну поездки.")},
    )
    trip_type = forms.ChoiceField(
        label=_("Вид полиса"),
        choices=TRIP_TYPES,
        initial=SINGLE_TRIP,
        widget=forms.RadioSelect,
    )
    starts_on = DateField(label=_("Начало поездки (начало действия полиса)"), **DATE)
    ends_on = DateField(label=_("Окончание поездки"), required=False, **DATE)
    cover_days = forms.TypedChoiceField(
        label=_("Дней покрытия в каждой поездке (годовой полис)"),
        choices=[(d, str(d)) for d in ANNUAL_COVER_DAYS],
        coerce=int,
        initial=ANNUAL_COVER_DAYS[0],
        required=False,
    )
    sum_insured = forms.TypedChoiceField(label=_("Страховая сумма"), coerce=int)
    sport = forms.ChoiceField(label=_("Спорт и активный отдых"), widget=forms.RadioSelect)

    # Visas are applied for months ahead: the policy may start up to half a year later.
    latest_start_days = 180
    clean_starts_on = PersonalQuoteForm.clean_starts_on

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        self.country_rows = list(Country.objects.filter(is_active=True))
        self.fields["countries"].choices = [(c.code, c.name) for c in self.country_rows]
        self.fields["sum_insured"].choices = [
            (
                r.sum_insured,
                amount_label(r.sum_insured, CURRENCY)
                if r.sum_insured >= SCHENGEN_MIN_SUM
                else _("%(amount)s — не для Шенгена")
                % {"amount": amount_label(r.sum_insured, CURRENCY)},
            )
            for r in TravelRate.in_force(today).order_by("sum_insured")
        ]
        sports = list(TravelSportOption.in_force(today))
        self.fields["sport"].choices = [(o.code, f"{o.name} (×{o.value})") for o in sports]
        if sports:
            self.fields["sport"].initial = sports[0].code

    @property
    def country_groups(self) -> list[tuple[str, list]]:
        """The check boxes, Schengen countries first (they need 30 000 EUR at least)."""
        schengen = {c.code for c in self.country_rows if c.schengen}
        boxes = list(self["countries"])
        return [
            (_("Шенгенская зона"), [b for b in boxes if b.data["value"] in schengen]),
            (_("Другие страны"), [b for b in boxes if b.data["value"] not in schengen]),
        ]

    @property
    def schengen_warning(self) -> bool:
        """Schengen countries chosen with less than 30 000 EUR (shown again beside the sums)."""
        if not self.is_bound:
            return False
        chosen = set(self.data.getlist("countries")) if hasattr(self.data, "getlist") else set()
        schengen = any(c.schengen for c in self.country_rows if c.code in chosen)
        try:
            amount = int(self.data.get("sum_insured") or 0)
        except ValueError:
            return False
        return schengen and 0 < amount < SCHENGEN_MIN_SUM

    def clean(self):
        data = super().clean()
        start = data.get("starts_on")
        if data.get("trip_type") == ANNUAL_TRIP:
            if not data.get("cover_days"):
                self.add_error("cover_days", _("Выберите число дней покрытия в поездке."))
            if start:
                data["ends_on"] = annual_end(start)
        else:
            end = data.get("ends_on")
            data["cover_days"] = None
            if not end and "ends_on" not in self.errors:
                self.add_error("ends_on", _("Укажите дату окончания поездки."))
            if start and end:
                try:
                    trip_days(start, end)
                except ValidationError as error:
                    self.add_error("ends_on", error)
        if data.get("countries") and data.get("sum_insured") is not None:
            chosen = [c for c in self.country_rows if c.code in data["countries"]]
            try:
                schengen_check(chosen, data["sum_insured"])
            except ValidationError as error:
                self.add_error("sum_insured", error)
        return data


FOREIGN_PASSPORT_RE = re.compile(r"^\d{2}\s?\d{7}$")


class TravellerForm(forms.Form):
    """A traveller as the foreign passport names them: the consulate compares the two."""

    last_name_latin = LatinNameField(
        label=_("Фамилия латиницей"), help_text=_("Как в загранпаспорте, например IVANOVA")
    )
    first_name_latin = LatinNameField(
        label=_("Имя латиницей"), help_text=_("Как в загранпаспорте, например ANNA")
    )
    birth_date = forms.DateField(label=_("Дата рождения"), **DATE)
    passport_number = forms.CharField(
        label=_("Номер загранпаспорта"),
        max_length=12,
        help_text=_("9 цифр, например 75 1234567"),
    )

    def clean_birth_date(self):
        day = self.cleaned_data["birth_date"]
        if day > timezone.localdate():
            raise ValidationError(_("Дата рождения не может быть в будущем."))
        return day

    def clean_passport_number(self):
        number = " ".join(self.cleaned_data["passport_number"].split())
        if not FOREIGN_PASSPORT_RE.match(number):
            raise ValidationError(_("Номер загранпаспорта — 9 цифр, например 75 1234567."))
        digits = number.replace(" ", "")
        return f"{digits[:2]} {digits[2:]}"


class BaseTravellerFormSet(forms.BaseFormSet):
    default_error_messages = {
        "too_many_forms": _("В одном полисе — не больше %(num)d путешественников."),
        "too_few_forms": _("Укажите хотя бы одного путешественника."),
    }

    def ages_check(self, starts_on: datetime.date | None) -> None:
        """Each traveller's age on the first day of cover against the ages the tariff insures:
        the message at the traveller's birth date."""
        if starts_on is None:
            return
        oldest = travel_max_age(starts_on)
        for form in self.forms:
            birth = form.cleaned_data.get("birth_date") if form.cleaned_data else None
            if birth is None:
                continue
            age = full_years(birth, starts_on)
            if oldest is not None and age > oldest:
                form.add_error(
                    "birth_date",
                    _(
                        "В начале поездки путешественнику будет %(age)s — онлайн страхуем до "
                        "%(max)s лет включительно."
                    )
                    % {"age": age, "max": oldest},
                )

    @property
    def travellers(self) -> list[dict]:
        return [f.cleaned_data for f in self.forms if f.cleaned_data]


TravellerFormSet = forms.formset_factory(
    TravellerForm,
    formset=BaseTravellerFormSet,
    # Every row the policy may name is on the page; the empty ones are left out (and hidden by
    # travel.js behind «Добавить путешественника»).
    extra=MAX_TRAVELLERS - 1,
    min_num=1,
    max_num=MAX_TRAVELLERS,
    validate_min=True,
    validate_max=True,
)


CHECKOUT_METHOD_TITLES = {
    "bank_card": _("Банковская карта (в том числе «Мир»)"),
    "sbp": _("СБП — Система быстрых платежей"),
    "sberbank": _("SberPay"),
}


class PaymentMethodForm(forms.Form):
    """How to pay on the provider's page: the methods the gateway offers."""

    method = forms.ChoiceField(label=_("Способ оплаты"), widget=forms.RadioSelect)

    def __init__(self, *args, methods: tuple[str, ...] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["method"].choices = [(m, CHECKOUT_METHOD_TITLES[m]) for m in methods]
        self.fields["method"].initial = methods[0] if methods else None
