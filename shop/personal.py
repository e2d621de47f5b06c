"""Accident and oncology: premium = sum insured / 1 000 × the yearly rate for the insured's age
× term in months / 12 × each chosen option's coefficient, rounded once to kopecks."""

from __future__ import annotations

import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from portal.core.formatting import money

from .models import PersonalOption, PersonalRate
from .osago import KOPECK, full_years, years_before

TARIFF_VERSION = "personal-2025-12-01"
TERMS = (3, 6, 12)
SUMS = {
    "accident": (100_000, 300_000, 500_000, 1_000_000),
    "oncology": (500_000, 1_000_000, 3_000_000),
}


def personal_premium(
    *,
    product: str,
    birth_date: datetime.date,
    starts_on: datetime.date,
    sum_insured: int,
    term_months: int,
    options: list[str],
) -> dict:
    age = full_years(birth_date, starts_on)
    rate = (
        PersonalRate.in_force(starts_on)
        .filter(product=product, age_from__lte=age, age_to__gte=age)
        .first()
    )
    if rate is None:
        raise ValidationError(_("Страхование недоступно в возрасте %(age)s лет.") % {"age": age})
    if term_months not in TERMS:
        raise ValidationError(_("Срок страхования: 3, 6 или 12 месяцев."))
    if sum_insured not in SUMS[product]:
        raise ValidationError(_("Выберите страховую сумму из списка."))
    chosen = list(PersonalOption.in_force(starts_on).filter(product=product, code__in=options))
    if len(chosen) != len(set(options)):
        raise ValidationError(_("Неизвестная опция."))
    term = Decimal(term_months) / Decimal(12)
    exact = Decimal(sum_insured) / Decimal(1000) * rate.rate_per_mille * term
    for option in chosen:
        exact *= option.value
    premium = exact.quantize(KOPECK, rounding=ROUND_HALF_UP)
    source = f"{rate.act} от {rate.act_date:%d.%m.%Y}"
    return {
        "version": TARIFF_VERSION,
        "coefficients": [
            {"code": _("Страховая сумма"), "value": str(sum_insured), "unit": "rub", "source": ""},
            {
                "code": _("Тариф на %(thousand)s в год (возраст %(age)s)")
                % {"thousand": money(1000), "age": age},
                "value": str(rate.rate_per_mille),
                "unit": "rub",
                "source": source,
            },
            {"code": _("Срок, мес. / 12"), "value": f"{term_months}/12", "source": ""},
            *[
                {"code": o.name, "value": str(o.value), "unit": "x", "source": source}
                for o in chosen
            ],
        ],
        "drivers": [],
        "premium": str(premium),
    }


def personal_lowest_premium(*, product: str, starts_on: datetime.date) -> Decimal:
    """The smallest premium of the product under the tariff in force on `starts_on`, priced by
    personal_premium: the cheapest age band, the smallest sum insured, the shortest term, no
    options."""
    rate = (
        PersonalRate.in_force(starts_on)
        .filter(product=product)
        .order_by("rate_per_mille", "age_from")
        .first()
    )
    if rate is None:
        raise ValidationError(_("Тариф на эту дату не утверждён."))
    breakdown = personal_premium(
        product=product,
        birth_date=years_before(starts_on, rate.age_from),
        starts_on=starts_on,
        sum_insured=min(SUMS[product]),
        term_months=min(TERMS),
        options=[],
    )
    return Decimal(breakdown["premium"])
