"""ОСАГО for the whole country: КТ of every federal subject and of the towns the act names,
versioned by date; the purposes of use, КН and КПр — each example worked by hand from the seeded
tables (shop/migrations/0013_seed_osago_territories.py, shop/data/osago_territories.csv)."""

import datetime
from decimal import Decimal

import pytest

from shop.models import Region, TariffVersion, TerritoryCoefficient
from shop.osago import NAMES, Driver, OsagoInputs, osago_premium, tariff_load

START = datetime.date(2026, 12, 1)
FORTY = Driver(datetime.date(1986, 4, 12), datetime.date(2006, 5, 20), "3")  # 40 y., 20 y. exp.


@pytest.fixture
def tariff(tariffs):
    return tariff_load(START)


def inputs(**overrides) -> OsagoInputs:
    values = {
        "category": "B",
        "region": "36",
        "town": "",
        "power_hp": 110,
        "months": 12,
        "starts_on": START,
        "unlimited": False,
        "drivers": [FORTY],
    }
    values.update(overrides)
    return OsagoInputs(**values)


def coefficients(breakdown) -> dict[str, str]:
    return {c["code"]: c["value"] for c in breakdown["coefficients"]}


def test_every_federal_subject_has_a_territory_coefficient(tariffs):
    # 85 subjects and Байконур, each with its «прочие» row in the table in force
    assert Region.objects.count() == 90
    in_force = TerritoryCoefficient.in_force(START)
    assert set(in_force.filter(town="").values_list("region__code", flat=True)) == set(
        Region.objects.values_list("code", flat=True)
    )
    assert in_force.exclude(town="").count() > 250


def test_the_voronezh_oblast_by_town(tariff):
    # Воронеж 1.40; Лиски, Борисоглебск, Россошь 1.08; the rest of the oblast 0.84
    assert tariff.territory[("36", "Воронеж")][0] == Decimal("1.40")
    for town in ("Лиски", "Борисоглебск", "Россошь"):
        assert tariff.territory[("36", town)][0] == Decimal("1.08")
    assert tariff.territory[("36", "")][0] == Decimal("0.84")
    assert tariff.towns("36") == ["Борисоглебск", "Воронеж", "Лиски", "Россошь"]


def test_a_quote_uses_the_act_in_force_on_the_start_date(tariffs):
    # Новосибирск: 1.63 in the 6007-У table, 3.12 since 7204-У (09.12.2025)
    def novosibirsk(day):
        return TerritoryCoefficient.in_force(day).get(region__code="54", town="Новосибирск")

    assert novosibirsk(datetime.date(2025, 12, 8)).value == Decimal("1.63")
    assert novosibirsk(datetime.date(2025, 12, 9)).value == Decimal("3.12")
    assert tariff_load(datetime.date(2025, 12, 9)).territory[("54", "Новосибирск")][0] == Decimal(
        "3.12"
    )


def test_the_act_is_cited_with_its_date_and_its_day_of_force(tariff):
    breakdown = osago_premium(tariff, inputs(town="Лиски"))
    sources = {c["code"]: c["source"] for c in breakdown["coefficients"]}
    assert sources["КТ"].startswith(
        "Указание Банка России № 6007-У в ред. № 7204-У от 09.10.2025 (действует с 09.12.2025)"
    )
    assert "от 09.10.2025" in sources["ТБ"] and "09.12.2025 (" not in sources["ТБ"]
    assert "от 09.10.2025" in TariffVersion.objects.get(code="osago-7204U-2025-12-09").title


def test_unconfirmed_values_say_so_and_every_coefficient_is_named_as_the_act_names_it(tariff):
    breakdown = osago_premium(tariff, inputs(town="Лиски"))
    rows = {c["code"]: c for c in breakdown["coefficients"]}
    assert list(rows) == ["ТБ", "КТ", "КБМ", "КВС", "КО", "КМ", "КС", "КН", "КПр"]
    assert rows["КТ"]["name"] == NAMES["КТ"]
    assert "территории преимущественного использования" in rows["КТ"]["name"]
    assert rows["КТ"]["confirmed"] is False and "не сверено" in rows["КТ"]["note"]


def test_a_driver_in_liski(tariff):
    # ТБ 5500 (личная, регион без своей ставки) × КТ Лиски 1.08 × КБМ класс 3 1.17
    # × КВС (40 лет, стаж 20) 0.91 × КО 1.00 × КМ 110 л. с. 1.2 × КС 1.0 × КН 1.0 × КПр 1.0
    # = 5500 × 1.08 = 5940; × 1.17 = 6949.8; × 0.91 = 6324.318; × 1.2 = 7589.1816 → 7 589,18
    breakdown = osago_premium(tariff, inputs(town="Лиски"))
    assert breakdown["premium"] == "7589.18"
    assert breakdown["territory"] == {"region": "36", "town": "Лиски"}
    assert coefficients(breakdown)["ТБ"] == "5500.00"


def test_a_town_the_act_does_not_name_is_the_rest_of_the_subject(tariff):
    # Семилуки: прочие города Воронежской области, КТ 0.84
    # 5500 × 0.84 = 4620; × 1.17 = 5405.4; × 0.91 = 4918.914; × 1.2 = 5902.6968 → 5 902,70
    breakdown = osago_premium(tariff, inputs(town="Семилуки"))
    assert breakdown["premium"] == "5902.70"
    assert breakdown["territory"]["town"] == ""


def test_a_taxi_has_its_own_base_rate(tariff):
    # Такси в Москве: ТБ 9800 (коридор такси 1 267 – 18 119) × КТ 1.80 × КБМ 1.17 × КВС 0.91
    # × КМ 1.2 = 9800 × 1.8 = 17640; × 1.17 = 20638.8; × 0.91 = 18781.308; × 1.2 = 22537.5696
    # → 22 537,57 ₽
    breakdown = osago_premium(tariff, inputs(region="77", purpose="taxi"))
    assert breakdown["premium"] == "22537.57"
    assert coefficients(breakdown)["ТБ"] == "9800.00"
    # the same car for personal use: Moscow's own ТБ 5500
    personal = osago_premium(tariff, inputs(region="77", purpose="personal"))
    assert coefficients(personal)["ТБ"] == "5500.00"


def test_a_car_with_a_trailer(tariff):
    # Воронеж, 150 л. с., с прицепом. КПр для ТС категории «B» физического лица — 1.00,
    # юридического лица — 1.16:
    # 5500 × КТ 1.40 = 7700; × 1.17 = 9009; × 0.91 = 8198.19; × КМ 1.4 = 11477.466 → 11 477,47
    # × 1.16 = 13313.86056 → 13 313,86
    person = osago_premium(tariff, inputs(town="Воронеж", power_hp=150, trailer=True))
    assert person["premium"] == "11477.47"
    assert coefficients(person)["КПр"] == "1.00"
    assert "(КПр)" in {c["code"]: c["source"] for c in person["coefficients"]}["КПр"]
    legal = osago_premium(
        tariff, inputs(town="Воронеж", power_hp=150, trailer=True, legal_entity=True)
    )
    assert legal["premium"] == "13313.86"


def test_violations_make_kn_one_and_a_half(tariff):
    # Лиски with violations: 7589.1816 × 1.5 = 11383.7724 → 11 383,77
    breakdown = osago_premium(tariff, inputs(town="Лиски", violations=True))
    assert breakdown["premium"] == "11383.77"
    assert coefficients(breakdown)["КН"] == "1.50"
