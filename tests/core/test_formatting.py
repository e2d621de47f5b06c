"""The one Russian format of numbers, percentages, plurals and calculation figures."""

from decimal import Decimal

import pytest
from django.template import Context, Template

from portal.core.formatting import number, percent, plural, quantity

NBSP = "\u00a0"


@pytest.mark.parametrize(
    ("value", "unit", "shown"),
    [
        ("1450000", "rub", f"1{NBSP}450{NBSP}000{NBSP}руб."),
        ("1234.56", "rub", f"1{NBSP}234,56{NBSP}руб."),
        ("1.5", "x", "×1,50"),
        ("0.955", "x", "×0,955"),
        ("0.15", "pct", f"0,15{NBSP}%"),
        ("20.00", "pct", f"20{NBSP}%"),
        ("50000", "eur", f"50{NBSP}000{NBSP}EUR"),
        ("12", "", "12"),
        ("1 + 1", "", "1 + 1"),
    ],
)
def test_calculation_figures(value, unit, shown):
    assert quantity(value, unit) == shown


def test_numbers_and_percent():
    assert number(Decimal("1450000.50"), 2) == f"1{NBSP}450{NBSP}000,50"
    assert number(-2.5) == "-2,5"
    assert percent(Decimal("0.15")) == f"0,15{NBSP}%"
    assert number(None) == ""


@pytest.mark.parametrize(
    ("count", "shown"),
    [
        (1, "1 услуга"),
        (2, "2 услуги"),
        (5, "5 услуг"),
        (11, "11 услуг"),
        (21, "21 услуга"),
        (43, "43 услуги"),
        (112, "112 услуг"),
        (1001, f"1{NBSP}001 услуга"),
    ],
)
def test_plural(count, shown):
    assert plural(count, "услуга|услуги|услуг").replace(NBSP, " ") == shown.replace(NBSP, " ")


def test_filters_are_builtin():
    template = Template('{{ a|rub }} · {{ n|plural:"услуга|услуги|услуг" }} · {{ p|phone_ru }}')
    html = template.render(Context({"a": Decimal("544.00"), "n": 3, "p": "89161234567"}))
    assert html == f"544{NBSP}руб. · 3{NBSP}услуги · +7{NBSP}(916){NBSP}123-45-67"
