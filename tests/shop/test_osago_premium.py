"""The ОСАГО premium against examples worked by hand from the seeded tables
(/work/shared/reference/osago-tariffs.md; ТБ 5 500 ₽ is our rate inside the 7204-У corridor)."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from shop.models import BaseRate
from shop.osago import Driver, OsagoInputs, osago_premium, tariff_load

START = datetime.date(2026, 12, 1)


@pytest.fixture
def tariff(tariffs):
    return tariff_load(START)


def test_one_driver_in_moscow(tariff):
    # ТБ 5500 × КТ Москва 1.80 × КБМ класс 3 1.17 × КВС (40 лет, стаж 20 → 40–49 / 15+) 0.91
    # × КО список 1.00 × КМ 110 л. с. 1.2 × КС 12 мес. 1.0
    # = 5500 × 1.8 = 9900; × 1.17 = 11583; × 0.91 = 10540.53; × 1.2 = 12648.636 → 12 648,64 ₽
    inputs = OsagoInputs(
        category="B",
        region="77",
        power_hp=110,
        months=12,
        starts_on=START,
        unlimited=False,
        drivers=[Driver(datetime.date(1986, 4, 12), datetime.date(2006, 5, 20), "3")],
    )
    breakdown = osago_premium(tariff, inputs)
    assert Decimal(breakdown["premium"]) == Decimal("12648.64")
    values = {c["code"]: c["value"] for c in breakdown["coefficients"]}
    assert values["КВС"] == "0.91" and values["КТ"] == "1.80" and values["КМ"] == "1.20"
    assert "7204-У" in {c["code"]: c["source"] for c in breakdown["coefficients"]}["ТБ"]


def test_unlimited_drivers_in_saint_petersburg_for_six_months(tariff):
    # ТБ 5500 × КТ СПб 1.64 × КБМ собственника класс 3 1.17 × КВС 1 (без ограничений)
    # × КО 2.32 × КМ 150 л. с. (>120–150) 1.4 × КС 6 мес. 0.7
    # = 5500 × 1.64 = 9020; × 1.17 = 10553.4; × 2.32 = 24483.888; × 1.4 = 34277.4432;
    # × 0.7 = 23994.21024 → 23 994,21 ₽
    inputs = OsagoInputs(
        category="B",
        region="78",
        power_hp=150,
        months=6,
        starts_on=START,
        unlimited=True,
        drivers=[],
        owner_kbm_class="3",
    )
    assert Decimal(osago_premium(tariff, inputs)["premium"]) == Decimal("23994.21")


def test_several_drivers_take_the_largest_kvs_times_kbm(tariff):
    # Водитель 1: 22 года, стаж 0 → КВС 1.88; класс 3 → КБМ 1.17; 1.88 × 1.17 = 2.1996
    # Водитель 2: 45 лет, стаж 20 → КВС 0.91; класс 13 → КБМ 0.46; 0.91 × 0.46 = 0.4186
    # Наибольшее 2.1996. ТБ 5500 × КТ 1.80 = 9900; × 2.1996 = 21776.04; × КО 1.00;
    # × КМ 75 л. с. (>70–100) 1.1 = 23953.644; × КС 9 мес. 0.95 = 22755.9618 → 22 755,96 ₽
    inputs = OsagoInputs(
        category="B",
        region="77",
        power_hp=75,
        months=9,
        starts_on=START,
        unlimited=False,
        drivers=[
            Driver(datetime.date(2004, 6, 1), datetime.date(2026, 11, 1), "3"),
            Driver(datetime.date(1981, 1, 10), datetime.date(2001, 3, 1), "13"),
        ],
    )
    breakdown = osago_premium(tariff, inputs)
    assert Decimal(breakdown["premium"]) == Decimal("22755.96")
    assert [d["product"] for d in breakdown["drivers"]] == ["2.1996", "0.4186"]


def test_a_new_directive_is_a_data_change(tariffs):
    # given the base rate row closed and a new one from a later date
    old = BaseRate.objects.get(region__code="77")
    BaseRate.objects.filter(pk=old.pk).update(valid_to=datetime.date(2027, 1, 31))
    BaseRate.objects.create(
        region=old.region,
        category="B",
        corridor_min=old.corridor_min,
        corridor_max=old.corridor_max,
        value=Decimal("6000"),
        act="Указание Банка России № 9999-У",
        act_date=datetime.date(2027, 1, 1),
        valid_from=datetime.date(2027, 2, 1),
    )
    # then each start date reads the rate in force on it
    assert tariff_load(datetime.date(2027, 1, 31)).base_rates[("B", "personal", "77")] == Decimal(
        "5500"
    )
    assert tariff_load(datetime.date(2027, 2, 1)).base_rates[("B", "personal", "77")] == Decimal(
        "6000"
    )


def test_a_combination_missing_from_the_table_is_refused(tariff):
    inputs = OsagoInputs(
        category="B",
        region="77",
        power_hp=90,
        months=12,
        starts_on=START,
        unlimited=False,
        drivers=[Driver(datetime.date(2005, 1, 1), datetime.date(2014, 1, 1), "3")],
    )
    with pytest.raises(ValidationError):
        osago_premium(tariff, inputs)
