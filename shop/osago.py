"""The ОСАГО premium by the Bank of Russia's formula (Указание № 6007-У of 08.12.2021 as amended
by № 7204-У of 09.10.2025, in force from 09.12.2025):

    T = ТБ × КТ × КБМ × КВС × КО × КМ × КС × КН × КПр

ТБ is the insurer's base rate for the category and the purpose of use (a taxi has its own
corridor); КТ is the coefficient of the owner's registration: the town if the act names it, or
the rest of the federal subject. With a list of drivers КО = 1 and the largest КВС × КБМ product
among the drivers applies; with unlimited drivers КВС = 1, КБМ is the owner's class and КО is
the «unlimited» coefficient. КН is 1.5 with the violations of art. 9(3) of 40-ФЗ; КПр applies
to driving with a trailer. The product is rounded once, to kopecks, half up.

Each driver's КБМ class comes from the РСА's АИС ОСАГО (gateways.rsa); the driver's row says
where the class came from and when.

`osago_premium` is pure: the tables come in as an `OsagoTariff` (loaded by `tariff_load` from the
rows in force on the start date), so the worked examples in the tests need no database.
"""

from __future__ import annotations

import contextlib
import datetime
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

KOPECK = Decimal("0.01")
MIN_DRIVER_AGE = 18
MIN_LICENCE_AGE = 16
START_CLASS = "3"
# The coefficients in the order of the formula, with their names as the act gives them.
NAMES = {
    "ТБ": "базовая ставка страхового тарифа",
    "КТ": "коэффициент страховых тарифов в зависимости от территории преимущественного "
    "использования транспортного средства",
    "КБМ": "коэффициент страховых тарифов в зависимости от наличия или отсутствия страховых "
    "возмещений при наступлении страховых случаев, произошедших в период действия предыдущих "
    "договоров обязательного страхования",
    "КВС": "коэффициент страховых тарифов в зависимости от возраста и стажа водителя",
    "КО": "коэффициент страховых тарифов в зависимости от наличия сведений о количестве лиц, "
    "допущенных к управлению транспортным средством",
    "КМ": "коэффициент страховых тарифов в зависимости от мощности двигателя легкового автомобиля",
    "КС": "коэффициент страховых тарифов в зависимости от периода использования транспортного "
    "средства",
    "КН": "коэффициент страховых тарифов в зависимости от наличия нарушений, предусмотренных "
    "пунктом 3 статьи 9 Федерального закона «Об обязательном страховании гражданской "
    "ответственности владельцев транспортных средств»",
    "КПр": "коэффициент страховых тарифов в зависимости от наличия в договоре обязательного "
    "страхования условия, предусматривающего возможность управления транспортным средством с "
    "прицепом к нему",
}


@dataclass(frozen=True)
class Source:
    """Where a coefficient's value stands: the act, the place in it, whether it was checked."""

    text: str = ""
    confirmed: bool = False
    note: str = ""


@dataclass(frozen=True)
class OsagoTariff:
    version: str
    # (category, purpose, region code or "" for every other region) -> ТБ
    base_rates: dict[tuple[str, str, str], Decimal]
    # (region code, town or "" for the rest of the subject) -> (КТ, its source)
    territory: dict[tuple[str, str], tuple[Decimal, Source]]
    bonus_malus: dict[str, Decimal]  # class code -> КБМ
    # (age_from, age_to|None, experience_from, experience_to|None, КВС)
    age_experience: list[tuple[int, int | None, int, int | None, Decimal]]
    drivers: dict[bool, Decimal]  # unlimited? -> КО
    power: list[tuple[int, int | None, Decimal]]  # (above, to|None, КМ)
    season: list[tuple[int, Decimal]]  # (months, КС), ascending
    violations: dict[bool, Decimal] = field(default_factory=dict)  # violations? -> КН
    trailer: dict[tuple[str, bool], Decimal] = field(default_factory=dict)  # (cat., legal) -> КПр
    sources: dict[str, Source] = field(default_factory=dict)  # coefficient -> source

    def towns(self, region: str) -> list[str]:
        """The towns the act names in the subject (without «прочие»)."""
        return sorted(town for code, town in self.territory if code == region and town)


@dataclass(frozen=True)
class Driver:
    birth_date: datetime.date
    licence_issued_on: datetime.date
    kbm_class: str = START_CLASS
    licence_number: str = ""
    name: str = ""
    # How the class was found: «АИС ОСАГО РСА, проверено 07.12.2026» or why the start class.
    kbm_note: str = ""


@dataclass(frozen=True)
class OsagoInputs:
    category: str
    region: str
    power_hp: int
    months: int
    starts_on: datetime.date
    unlimited: bool
    drivers: list[Driver]
    owner_kbm_class: str = START_CLASS
    owner_kbm_note: str = ""
    town: str = ""
    purpose: str = "personal"
    violations: bool = False
    trailer: bool = False
    legal_entity: bool = False


def full_years(since: datetime.date, on: datetime.date) -> int:
    years = on.year - since.year
    if (on.month, on.day) < (since.month, since.day):
        years -= 1
    return years


def years_before(day: datetime.date, years: int) -> datetime.date:
    """The date `years` full years before `day` (a 29 February goes to the 28th), so that
    full_years(years_before(day, n), day) == n: a birth or licence date for a given age."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def _in(value: int, low: int, high: int | None) -> bool:
    return value >= low and (high is None or value <= high)


def age_experience_coefficient(tariff: OsagoTariff, *, age: int, experience: int) -> Decimal:
    for age_from, age_to, exp_from, exp_to, value in tariff.age_experience:
        if _in(age, age_from, age_to) and _in(experience, exp_from, exp_to):
            return value
    raise ValidationError(
        _("Нет коэффициента КВС для возраста %(age)s и стажа %(exp)s: проверьте даты.")
        % {"age": age, "exp": experience}
    )


def power_coefficient(tariff: OsagoTariff, power_hp: int) -> Decimal:
    for above, to, value in tariff.power:
        if power_hp > above and (to is None or power_hp <= to):
            return value
    raise ValidationError(_("Мощность двигателя вне таблицы КМ."))


def season_coefficient(tariff: OsagoTariff, months: int) -> Decimal:
    found = None
    for rows_months, value in tariff.season:
        if rows_months <= months:
            found = value
    if found is None:
        raise ValidationError(_("Период использования — не меньше 3 месяцев."))
    return found


def territory_coefficient(
    tariff: OsagoTariff, region: str, town: str = ""
) -> tuple[Decimal, Source, str]:
    """КТ of the town the act names, or of the rest of the subject; and which row it was."""
    named = {t.casefold(): t for t in tariff.towns(region)}
    key = named.get(town.strip().casefold(), "")
    try:
        value, source = tariff.territory[(region, key)]
    except KeyError:
        raise ValidationError(_("Для этого региона нет коэффициента КТ.")) from None
    return value, source, key


def _lookup(table: dict, key, message: str) -> Decimal:
    try:
        return table[key]
    except KeyError:
        raise ValidationError(message) from None


def base_rate(tariff: OsagoTariff, *, category: str, purpose: str, region: str) -> Decimal:
    """ТБ of the region if the insurer set one there, else of every other region."""
    rates = tariff.base_rates
    value = rates.get((category, purpose, region), rates.get((category, purpose, "")))
    if value is None:
        raise ValidationError(_("Для этого региона, категории и цели использования нет ставки ТБ."))
    return value


def _row(code: str, value: Decimal, source: Source) -> dict:
    return {
        "code": code,
        "name": NAMES[code],
        "value": str(value),
        "unit": "rub" if code == "ТБ" else "x",
        "source": source.text,
        "confirmed": source.confirmed,
        "note": source.note,
    }


def osago_premium(tariff: OsagoTariff, inputs: OsagoInputs) -> dict:
    """The breakdown: each coefficient with its name, value and source, the drivers' rows, and
    the premium."""
    sources = tariff.sources
    tb = base_rate(tariff, category=inputs.category, purpose=inputs.purpose, region=inputs.region)
    kt, kt_source, town = territory_coefficient(tariff, inputs.region, inputs.town)
    ko = tariff.drivers[inputs.unlimited]
    km = power_coefficient(tariff, inputs.power_hp)
    ks = season_coefficient(tariff, inputs.months)
    kn = _lookup(tariff.violations, inputs.violations, _("Нет коэффициента КН."))
    kpr = Decimal("1")
    if inputs.trailer:
        kpr = _lookup(
            tariff.trailer,
            (inputs.category, inputs.legal_entity),
            _("Нет коэффициента КПр для этой категории ТС."),
        )
    driver_rows = []
    if inputs.unlimited:
        kbm = _lookup(tariff.bonus_malus, inputs.owner_kbm_class, _("Неизвестный класс КБМ."))
        kvs = Decimal("1")
    else:
        if not inputs.drivers:
            raise ValidationError(_("Укажите хотя бы одного водителя."))
        best = None
        for driver in inputs.drivers:
            age = full_years(driver.birth_date, inputs.starts_on)
            experience = max(full_years(driver.licence_issued_on, inputs.starts_on), 0)
            d_kvs = age_experience_coefficient(tariff, age=age, experience=experience)
            d_kbm = _lookup(tariff.bonus_malus, driver.kbm_class, _("Неизвестный класс КБМ."))
            driver_rows.append(
                {
                    "name": driver.name,
                    "age": age,
                    "experience": experience,
                    "kbm_class": driver.kbm_class,
                    "kbm_note": driver.kbm_note,
                    "kvs": str(d_kvs),
                    "kbm": str(d_kbm),
                    "product": str(d_kvs * d_kbm),
                }
            )
            if best is None or d_kvs * d_kbm > best[0] * best[1]:
                best = (d_kvs, d_kbm)
        kvs, kbm = best
    exact = tb * kt * kbm * kvs * ko * km * ks * kn * kpr
    premium = exact.quantize(KOPECK, rounding=ROUND_HALF_UP)
    return {
        "version": tariff.version,
        "formula": "ТБ × КТ × КБМ × КВС × КО × КМ × КС × КН × КПр",
        "territory": {"region": inputs.region, "town": town},
        "coefficients": [
            _row("ТБ", tb, sources.get("ТБ", Source())),
            _row("КТ", kt, kt_source),
            _row("КБМ", kbm, sources.get("КБМ", Source())),
            _row("КВС", kvs, sources.get("КВС", Source())),
            _row("КО", ko, sources.get("КО", Source())),
            _row("КМ", km, sources.get("КМ", Source())),
            _row("КС", ks, sources.get("КС", Source())),
            _row("КН", kn, sources.get("КН", Source())),
            _row("КПр", kpr, sources.get("КПр", Source()) if inputs.trailer else Source()),
        ],
        "owner_kbm_note": inputs.owner_kbm_note if inputs.unlimited else "",
        "drivers": driver_rows,
        "premium": str(premium),
    }


def osago_lowest_premium(tariff: OsagoTariff, starts_on: datetime.date) -> Decimal:
    """The smallest premium the tariff allows for a car (category B), priced by osago_premium:
    the cheapest base rate and territory together, the smallest power, the shortest use period,
    no violations and no trailer; and the cheaper of one listed driver with the best КВС and
    КБМ and unlimited drivers with the owner's best КБМ."""
    category = "B"
    tables = (tariff.territory, tariff.power, tariff.season, tariff.bonus_malus, tariff.drivers)
    if not all(tables) or not tariff.age_experience:
        raise ValidationError(_("Тариф на эту дату не утверждён."))
    purposes = sorted({purpose for cat, purpose, _region in tariff.base_rates if cat == category})
    places = []
    for purpose in purposes:
        for (region, town), (kt, _kt_source) in tariff.territory.items():
            with contextlib.suppress(ValidationError):
                tb = base_rate(tariff, category=category, purpose=purpose, region=region)
                places.append((tb * kt, purpose, region, town))
    if not places:
        raise ValidationError(_("Для этого региона, категории и цели использования нет ставки ТБ."))
    _rate, purpose, region, town = min(places)
    above, _to, _km = min(tariff.power, key=lambda row: row[2])
    months, _ks = min(tariff.season, key=lambda row: row[1])
    best_class = min(tariff.bonus_malus, key=tariff.bonus_malus.get)
    age, _age_to, experience, _exp_to, _kvs = min(tariff.age_experience, key=lambda row: row[4])
    listed = Driver(
        birth_date=years_before(starts_on, age),
        licence_issued_on=years_before(starts_on, experience),
        kbm_class=best_class,
    )
    premiums = []
    for unlimited in sorted(tariff.drivers):
        inputs = OsagoInputs(
            category=category,
            purpose=purpose,
            region=region,
            town=town,
            power_hp=above + 1,
            months=months,
            starts_on=starts_on,
            unlimited=unlimited,
            drivers=[] if unlimited else [listed],
            owner_kbm_class=best_class,
        )
        premiums.append(Decimal(osago_premium(tariff, inputs)["premium"]))
    return min(premiums)


def _source(row) -> Source:
    if row is None:
        return Source()
    text = _("%(act)s от %(date)s (действует с %(since)s)") % {
        "act": row.act,
        "date": f"{row.act_date:%d.%m.%Y}",
        "since": f"{row.valid_from:%d.%m.%Y}",
    }
    if row.annex:
        text = f"{text}, {row.annex}"
    return Source(text=text, confirmed=row.confirmed, note=row.note)


def tariff_load(day: datetime.date) -> OsagoTariff:
    """The tables in force on `day`, from the database."""
    from .models import (
        AgeExperienceCoefficient,
        BaseRate,
        BonusMalusClass,
        DriversCoefficient,
        PowerCoefficient,
        SeasonCoefficient,
        TariffVersion,
        TerritoryCoefficient,
        TrailerCoefficient,
        ViolationsCoefficient,
    )

    version = (
        TariffVersion.objects.filter(code__startswith="osago", valid_from__lte=day)
        .order_by("-valid_from")
        .first()
    )
    if version is None:
        raise ValidationError(_("Тариф на эту дату не утверждён."))

    def first(rows):
        return _source(rows[0] if rows else None)

    base = list(BaseRate.in_force(day).select_related("region"))
    terr = list(TerritoryCoefficient.in_force(day).select_related("region"))
    kbm = list(BonusMalusClass.in_force(day))
    kvs = list(AgeExperienceCoefficient.in_force(day))
    ko = list(DriversCoefficient.in_force(day))
    km = list(PowerCoefficient.in_force(day).order_by("power_above"))
    ks = list(SeasonCoefficient.in_force(day).order_by("months"))
    kn = list(ViolationsCoefficient.in_force(day))
    kpr = list(TrailerCoefficient.in_force(day))
    return OsagoTariff(
        version=version.code,
        base_rates={
            (r.category, r.purpose, r.region.code if r.region else ""): r.value for r in base
        },
        territory={(r.region.code, r.town): (r.value, _source(r)) for r in terr},
        bonus_malus={r.code: r.value for r in kbm},
        age_experience=[
            (r.age_from, r.age_to, r.experience_from, r.experience_to, r.value) for r in kvs
        ],
        drivers={r.unlimited: r.value for r in ko},
        power=[(r.power_above, r.power_to, r.value) for r in km],
        season=[(r.months, r.value) for r in ks],
        violations={r.violations: r.value for r in kn},
        trailer={(r.category, r.legal_entity): r.value for r in kpr},
        sources={
            "ТБ": first(base),
            "КБМ": first(kbm),
            "КВС": first(kvs),
            "КО": first(ko),
            "КМ": first(km),
            "КС": first(ks),
            "КН": first(kn),
            "КПр": first(kpr),
        },
    )
