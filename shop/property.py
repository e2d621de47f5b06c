"""Property (apartment or house): premium = Σ sum insured × the yearly rate of its component, for
a year, rounded once to kopecks."""

from __future__ import annotations

import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from portal.core.formatting import money

from .models import PropertyRate
from .osago import KOPECK

TARIFF_VERSION = "property-2025-12-01"
COMPONENTS = ("structure", "finish", "belongings")
# The sum the shop's «от N руб.» is for: any sum may be insured, so the lowest price is a year's
# cover of this much on the cheapest component.
PRICE_FROM_SUM = 100_000


def property_premium(*, kind: str, starts_on: datetime.date, sums: dict[str, int]) -> dict:
    if not any(sums.get(c) for c in COMPONENTS):
        raise ValidationError(_("Укажите хотя бы одну страховую сумму."))
    rates = {r.component: r for r in PropertyRate.in_force(starts_on).filter(kind=kind)}
    exact = Decimal("0")
    rows = []
    for component in COMPONENTS:
        amount = sums.get(component) or 0
        if not amount:
            continue
        rate = rates.get(component)
        if rate is None:
            raise ValidationError(_("Для этого объекта нет тарифа."))
        exact += Decimal(amount) * rate.rate_percent / Decimal(100)
        rows.append(
            {
                "code": f"{rate.get_component_display()}: {money(amount)} × тариф",
                "value": str(rate.rate_percent),
                "unit": "pct",
                "source": f"{rate.act} от {rate.act_date:%d.%m.%Y}",
            }
        )
    return {
        "version": TARIFF_VERSION,
        "coefficients": rows,
        "drivers": [],
        "premium": str(exact.quantize(KOPECK, rounding=ROUND_HALF_UP)),
    }


def property_lowest_premium(*, starts_on: datetime.date) -> Decimal:
    """A year's cover of PRICE_FROM_SUM on the cheapest component of the tariff in force on
    `starts_on`, priced by property_premium."""
    rate = PropertyRate.in_force(starts_on).order_by("rate_percent").first()
    if rate is None:
        raise ValidationError(_("Тариф на эту дату не утверждён."))
    breakdown = property_premium(
        kind=rate.kind, starts_on=starts_on, sums={rate.component: PRICE_FROM_SUM}
    )
    return Decimal(breakdown["premium"])
