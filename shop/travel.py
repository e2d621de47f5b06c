"""Travel (ВЗР): the premium in EUR = the daily rate per traveller for the sum insured × the sum
of the travellers' age coefficients × the sport coefficient × the days of the trip (both ends
counted), rounded to cents; the roubles charged = that premium × the EUR rate in force on the
quote's day (the latest rate on or before it), rounded to kopecks. Both roundings are half up, so
the factors shown multiply to the price shown.

A Schengen country needs a sum insured of 30 000 EUR at least (Regulation (EC) No 810/2009, the
Visa Code, art. 15)."""

from __future__ import annotations

import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .models import Country, CurrencyRate, TravelAgeCoefficient, TravelRate, TravelSportOption
from .osago import KOPECK

TARIFF_VERSION = "vzr-2025-12-01"
CURRENCY = "EUR"
CENT = KOPECK
SCHENGEN_MIN_SUM = 30_000
MAX_TRIP_DAYS = 365
MAX_TRAVELLERS = 5
MAX_AGE = 120  # beyond this an age is a typing error, not a traveller
SINGLE_TRIP = "single"
ANNUAL_TRIP = "annual"
TRIP_TYPES = [
    (SINGLE_TRIP, _("Разовая поездка")),
    (ANNUAL_TRIP, _("Годовой полис для многократных поездок")),
]
# An annual policy covers each trip up to this many days (the premium is for these days).
ANNUAL_COVER_DAYS = (30, 45, 60, 90)
DEDUCTIBLE = 0  # no deductible: a Schengen visa asks for cover without one


def annual_end(starts_on: datetime.date) -> datetime.date:
    """A year of cover: the day before the same date a year later."""
    try:
        same_day = starts_on.replace(year=starts_on.year + 1)
    except ValueError:  # 29 February
        same_day = starts_on.replace(year=starts_on.year + 1, day=28)
    return same_day - datetime.timedelta(days=1)


def travel_max_age(day: datetime.date) -> int | None:
    """The oldest age the tariff in force insures (None: no limit in the table)."""
    ages = list(TravelAgeCoefficient.in_force(day).values_list("age_to", flat=True))
    return max(ages) if ages else None


def trip_days(starts_on: datetime.date, ends_on: datetime.date) -> int:
    """The days of the trip, both ends counted."""
    if ends_on < starts_on:
        raise ValidationError(_("Дата окончания поездки не может быть раньше даты начала."))
    days = (ends_on - starts_on).days + 1
    if days > MAX_TRIP_DAYS:
        raise ValidationError(
            _("Поездка — не дольше %(max)s дней, а выбрано %(days)s.")
            % {"max": MAX_TRIP_DAYS, "days": days}
        )
    return days


def ages_check(ages: list[int]) -> list[int]:
    if not ages:
        raise ValidationError(_("Укажите возраст хотя бы одного путешественника."))
    if len(ages) > MAX_TRAVELLERS:
        raise ValidationError(
            _("В одном полисе — не больше %(max)s путешественников.") % {"max": MAX_TRAVELLERS}
        )
    for age in ages:
        if not 0 <= age <= MAX_AGE:
            raise ValidationError(
                _("Возраст — целое число полных лет от 0 до %(max)s.") % {"max": MAX_AGE}
            )
    return ages


def schengen_check(countries: list[Country], sum_insured: int) -> None:
    schengen = [c.name for c in countries if c.schengen]
    if schengen and sum_insured < SCHENGEN_MIN_SUM:
        raise ValidationError(
            _(
                "Для поездки в страны Шенгенской зоны (%(countries)s) страховая сумма — "
                "не меньше %(min)s EUR: выберите сумму побольше."
            )
            % {"countries": ", ".join(schengen), "min": f"{SCHENGEN_MIN_SUM:,}".replace(",", " ")}
        )


# A rate this many days older than the quote's day is said to be old (the Bank of Russia sets one
# each working day; a long holiday leaves at most a few days between two).
RATE_STALE_DAYS = 3


def eur_rate_age_days(breakdown: dict, quote_day: datetime.date) -> int | None:
    """How many days older than the quote's day its EUR rate is (None: not a travel quote)."""
    day = breakdown.get("eur_rate_day")
    if not day:
        return None
    try:
        return (quote_day - datetime.date.fromisoformat(day)).days
    except ValueError:
        return None


def eur_rate_on(day: datetime.date) -> CurrencyRate:
    rate = CurrencyRate.objects.filter(currency=CURRENCY, day__lte=day).order_by("-day").first()
    if rate is None:
        raise ValidationError(
            _("Нет курса евро на %(day)s: рассчитать стоимость сейчас нельзя, попробуйте позже.")
            % {"day": f"{day:%d.%m.%Y}"}
        )
    return rate


def travel_premium(
    *,
    countries: list[str],
    starts_on: datetime.date,
    ends_on: datetime.date,
    ages: list[int],
    sum_insured: int,
    sport: str,
    quote_day: datetime.date,
    cover_days: int | None = None,
) -> dict:
    """The breakdown (each factor with its source), the travellers' rows and the premium."""
    chosen = list(Country.objects.filter(code__in=countries, is_active=True))
    if not countries:
        raise ValidationError(_("Выберите хотя бы одну страну поездки."))
    if len(chosen) != len(set(countries)):
        raise ValidationError(_("Выберите страны из списка."))
    if cover_days is not None:
        if cover_days not in ANNUAL_COVER_DAYS:
            raise ValidationError(_("Выберите число дней покрытия из списка."))
        days = cover_days
    else:
        days = trip_days(starts_on, ends_on)
    ages_check(ages)
    rate = TravelRate.in_force(starts_on).filter(sum_insured=sum_insured).first()
    if rate is None:
        raise ValidationError(_("Выберите страховую сумму из списка."))
    schengen_check(chosen, sum_insured)
    option = TravelSportOption.in_force(starts_on).filter(code=sport).first()
    if option is None:
        raise ValidationError(_("Выберите вариант из списка «Спорт и активный отдых»."))
    age_rows = list(TravelAgeCoefficient.in_force(starts_on))
    travellers = []
    for age in ages:
        row = next((r for r in age_rows if r.age_from <= age <= r.age_to), None)
        if row is None:
            raise ValidationError(
                _("Путешественника в возрасте %(age)s лет нельзя застраховать онлайн.")
                % {"age": age}
            )
        travellers.append({"age": age, "value": str(row.value)})
    ages_total = sum(Decimal(t["value"]) for t in travellers)
    premium_eur = (rate.daily_rate * ages_total * option.value * days).quantize(
        CENT, rounding=ROUND_HALF_UP
    )
    eur = eur_rate_on(quote_day)
    premium = (premium_eur * eur.rate).quantize(KOPECK, rounding=ROUND_HALF_UP)
    source = f"{rate.act} от {rate.act_date:%d.%m.%Y}"
    return {
        "version": TARIFF_VERSION,
        "coefficients": [
            {"code": _("Страховая сумма"), "value": str(sum_insured), "unit": "eur", "source": ""},
            {
                "code": _("Тариф в день на путешественника"),
                "value": str(rate.daily_rate),
                "unit": "eur",
                "source": source,
            },
            {
                "code": _("Возраст: сумма коэффициентов путешественников"),
                "value": " + ".join(t["value"] for t in travellers),
                "unit": "sum",
                "source": source,
            },
            {"code": option.name, "value": str(option.value), "unit": "x", "source": source},
            {
                "code": _("Дней поездки")
                if cover_days is None
                else _("Дней покрытия в каждой поездке (годовой полис)"),
                "value": str(days),
                "source": "",
            },
            {"code": _("Премия"), "value": str(premium_eur), "unit": "eur", "source": ""},
            {
                "code": _("Курс евро, руб. за 1 EUR"),
                "value": str(eur.rate),
                "source": _("%(source)s, курс с %(day)s")
                % {"source": eur.source, "day": f"{eur.day:%d.%m.%Y}"},
            },
        ],
        "drivers": [],
        "travellers": travellers,
        "trip": f"{starts_on:%d.%m.%Y} – {ends_on:%d.%m.%Y}",
        "territory": ", ".join(c.name for c in sorted(chosen, key=lambda c: c.name)),
        "territory_en": ", ".join(
            c.name_en or c.name for c in sorted(chosen, key=lambda c: c.name_en or c.name)
        ),
        "schengen": any(c.schengen for c in chosen),
        "sport_name": option.name,
        "premium_eur": str(premium_eur),
        "eur_rate": str(eur.rate),
        "eur_rate_day": eur.day.isoformat(),
        "premium": str(premium),
    }


def travel_lowest_premium(*, starts_on: datetime.date, quote_day: datetime.date) -> Decimal:
    """The smallest premium, in roubles, under the tariff in force on `starts_on`, priced by
    travel_premium: one day's trip of one traveller of the age with the lowest coefficient, the
    sum insured with the lowest daily rate (to a country outside the Schengen area if the sum is
    below its minimum), no sport."""
    rate = TravelRate.in_force(starts_on).order_by("daily_rate").first()
    age = TravelAgeCoefficient.in_force(starts_on).order_by("value").first()
    sport = TravelSportOption.in_force(starts_on).order_by("value").first()
    countries = Country.objects.filter(is_active=True).order_by("code")
    if rate is not None and rate.sum_insured < SCHENGEN_MIN_SUM:
        countries = countries.filter(schengen=False)
    country = countries.first()
    if rate is None or age is None or sport is None or country is None:
        raise ValidationError(_("Тариф на эту дату не утверждён."))
    breakdown = travel_premium(
        countries=[country.code],
        starts_on=starts_on,
        ends_on=starts_on,
        ages=[age.age_from],
        sum_insured=rate.sum_insured,
        sport=sport.code,
        quote_day=quote_day,
    )
    return Decimal(breakdown["premium"])
