"""КАСКО: premium = the car's price × the yearly rate for its age × the deductible's coefficient ×
the largest drivers' coefficient (age and experience), rounded once to kopecks."""

from __future__ import annotations

import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from portal.core.formatting import money

from .models import KaskoDeductible, KaskoDriverCoefficient, KaskoRate
from .osago import KOPECK, full_years, years_before

TARIFF_VERSION = "kasko-2025-12-01"
MIN_PRICE = 100_000  # the cheapest car the shop insures, roubles
MAX_PRICE = 50_000_000


def kasko_premium(
    *,
    price: int,
    year: int,
    deductible: int,
    starts_on: datetime.date,
    drivers: list[tuple[datetime.date, datetime.date]],
) -> dict:
    """`drivers`: (birth date, first licence date) of each driver."""
    car_age = max(starts_on.year - year, 0)
    rate = KaskoRate.in_force(starts_on).filter(car_age_from__lte=car_age, car_age_to__gte=car_age)
    rate = rate.first()
    if rate is None:
        raise ValidationError(_("КАСКО оформляется на автомобили не старше 10 лет."))
    franchise = KaskoDeductible.in_force(starts_on).filter(amount=deductible).first()
    if franchise is None:
        raise ValidationError(_("Выберите франшизу из списка."))
    if not drivers:
        raise ValidationError(_("Укажите хотя бы одного водителя."))
    driver_values = []
    for birth, licence in drivers:
        age = full_years(birth, starts_on)
        experience = max(full_years(licence, starts_on), 0)
        row = (
            KaskoDriverCoefficient.in_force(starts_on)
            .filter(
                age_from__lte=age,
                age_to__gte=age,
                experience_from__lte=experience,
                experience_to__gte=experience,
            )
            .first()
        )
        if row is None:
            raise ValidationError(_("Водитель младше 18 лет не допускается."))
        driver_values.append({"age": age, "experience": experience, "value": str(row.value)})
    driver_coefficient = max(Decimal(d["value"]) for d in driver_values)
    exact = Decimal(price) * rate.rate_percent / Decimal(100) * franchise.value * driver_coefficient
    source = f"{rate.act} от {rate.act_date:%d.%m.%Y}"
    return {
        "version": TARIFF_VERSION,
        "coefficients": [
            {"code": _("Стоимость автомобиля"), "value": str(price), "unit": "rub", "source": ""},
            {
                "code": _("Тариф (возраст ТС %(age)s)") % {"age": car_age},
                "value": str(rate.rate_percent),
                "unit": "pct",
                "source": source,
            },
            {
                "code": _("Франшиза %(amount)s") % {"amount": money(deductible)},
                "value": str(franchise.value),
                "unit": "x",
                "source": source,
            },
            {
                "code": _("Водители (наибольший)"),
                "value": str(driver_coefficient),
                "unit": "x",
                "source": source,
            },
        ],
        "drivers": [],
        "kasko_drivers": driver_values,
        "premium": str(exact.quantize(KOPECK, rounding=ROUND_HALF_UP)),
    }


def kasko_lowest_premium(*, starts_on: datetime.date) -> Decimal:
    """The smallest premium under the tariff in force on `starts_on`, priced by kasko_premium:
    the cheapest car (MIN_PRICE) of the age with the lowest rate, the deductible with the lowest
    coefficient, one driver of the age and experience with the lowest one."""
    rate = KaskoRate.in_force(starts_on).order_by("rate_percent").first()
    franchise = KaskoDeductible.in_force(starts_on).order_by("value").first()
    driver = KaskoDriverCoefficient.in_force(starts_on).order_by("value").first()
    if rate is None or franchise is None or driver is None:
        raise ValidationError(_("Тариф на эту дату не утверждён."))
    breakdown = kasko_premium(
        price=MIN_PRICE,
        year=starts_on.year - rate.car_age_from,
        deductible=franchise.amount,
        starts_on=starts_on,
        drivers=[
            (
                years_before(starts_on, driver.age_from),
                years_before(starts_on, driver.experience_from),
            )
        ],
    )
    return Decimal(breakdown["premium"])
