"""The ОСАГО premium by the Bank of Russia's formula (directive № 6007-У as amended):

    T = ТБ × КТ × КБМ × КВС × КО × КМ × КС

With a list of drivers КО = 1 and the largest КВС × КБМ product among the drivers applies; with
unlimited drivers КВС = 1, КБМ is the owner's class and КО is the «unlimited» coefficient.
The product is rounded once, to kopecks, half up. КН (violations) and КПр (trailer) are not
offered online: they are 1.

`osago_premium` is pure: the tables come in as an `OsagoTariff` (loaded by `tariff_load` from the
rows in force on the start date), so the worked examples in the tests need no database.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

KOPECK = Decimal("0.01")
MIN_DRIVER_AGE = 18


@dataclass(frozen=True)
class OsagoTariff:
    version: str
    base_rates: dict[tuple[str, str], Decimal]  # (category, region code) -> ТБ
    territory: dict[str, Decimal]  # region code -> КТ
    bonus_malus: dict[str, Decimal]  # class code -> КБМ
    # (age_from, age_to|None, experience_from, experience_to|None, КВС)
    age_experience: list[tuple[int, int | None, int, int | None, Decimal]]
    drivers: dict[bool, Decimal]  # unlimited? -> КО
    power: list[tuple[int, int | None, Decimal]]  # (above, to|None, КМ)
    season: list[tuple[int, Decimal]]  # (months, КС), ascending
    sources: dict[str, str] = field(default_factory=dict)  # coefficient -> «act of date»


@dataclass(frozen=True)
class Driver:
    birth_date: datetime.date
    licence_issued_on: datetime.date
    kbm_class: str
    licence_number: str = ""


@dataclass(frozen=True)
class OsagoInputs:
    category: str
    region: str
    power_hp: int
    months: int
    starts_on: datetime.date
    unlimited: bool
    drivers: list[Driver]
    owner_kbm_class: str = "3"


def full_years(since: datetime.date, on: datetime.date) -> int:
    years = on.year - since.year
    if (on.month, on.day) < (since.month, since.day):
        years -= 1
    return years


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


def _lookup(table: dict, key, message: str) -> Decimal:
    try:
        return table[key]
    except KeyError:
        raise ValidationError(message) from None


def osago_premium(tariff: OsagoTariff, inputs: OsagoInputs) -> dict:
    """The breakdown: each coefficient with its value, the drivers' rows, and the premium."""
    tb = _lookup(
        tariff.base_rates,
        (inputs.category, inputs.region),
        _("Для этого региона и категории нет базовой ставки."),
    )
    kt = _lookup(tariff.territory, inputs.region, _("Для этого региона нет коэффициента КТ."))
    ko = tariff.drivers[inputs.unlimited]
    km = power_coefficient(tariff, inputs.power_hp)
    ks = season_coefficient(tariff, inputs.months)
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
            row = {
                "age": age,
                "experience": experience,
                "kbm_class": driver.kbm_class,
                "kvs": str(d_kvs),
                "kbm": str(d_kbm),
                "product": str(d_kvs * d_kbm),
            }
            driver_rows.append(row)
            if best is None or d_kvs * d_kbm > best[0] * best[1]:
                best = (d_kvs, d_kbm)
        kvs, kbm = best
    exact = tb * kt * kbm * kvs * ko * km * ks
    premium = exact.quantize(KOPECK, rounding=ROUND_HALF_UP)
    return {
        "version": tariff.version,
        "coefficients": [
            {"code": "ТБ", "value": str(tb), "source": tariff.sources.get("ТБ", "")},
            {"code": "КТ", "value": str(kt), "source": tariff.sources.get("КТ", "")},
            {"code": "КБМ", "value": str(kbm), "source": tariff.sources.get("КБМ", "")},
            {"code": "КВС", "value": str(kvs), "source": tariff.sources.get("КВС", "")},
            {"code": "КО", "value": str(ko), "source": tariff.sources.get("КО", "")},
            {"code": "КМ", "value": str(km), "source": tariff.sources.get("КМ", "")},
            {"code": "КС", "value": str(ks), "source": tariff.sources.get("КС", "")},
        ],
        "drivers": driver_rows,
        "premium": str(premium),
    }


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
    )

    version = (
        TariffVersion.objects.filter(code__startswith="osago", valid_from__lte=day)
        .order_by("-valid_from")
        .first()
    )
    if version is None:
        raise ValidationError(_("Тариф на эту дату не утверждён."))

    def source(rows) -> str:
        row = rows[0] if rows else None
        return f"{row.act} от {row.act_date:%d.%m.%Y}" if row else ""

    base = list(BaseRate.in_force(day).select_related("region"))
    terr = list(TerritoryCoefficient.in_force(day).select_related("region"))
    kbm = list(BonusMalusClass.in_force(day))
    kvs = list(AgeExperienceCoefficient.in_force(day))
    ko = list(DriversCoefficient.in_force(day))
    km = list(PowerCoefficient.in_force(day).order_by("power_above"))
    ks = list(SeasonCoefficient.in_force(day).order_by("months"))
    return OsagoTariff(
        version=version.code,
        base_rates={(r.category, r.region.code): r.value for r in base},
        territory={r.region.code: r.value for r in terr},
        bonus_malus={r.code: r.value for r in kbm},
        age_experience=[
            (r.age_from, r.age_to, r.experience_from, r.experience_to, r.value) for r in kvs
        ],
        drivers={r.unlimited: r.value for r in ko},
        power=[(r.power_above, r.power_to, r.value) for r in km],
        season=[(r.months, r.value) for r in ks],
        sources={
            "ТБ": source(base),
            "КТ": source(terr),
            "КБМ": source(kbm),
            "КВС": source(kvs),
            "КО": source(ko),
            "КМ": source(km),
            "КС": source(ks),
        },
    )
