"""The РСА's КБМ check (gateways.rsa) against its emulator on a live server (devtools.rsa_emulator):
a known licence gives its class, others «не найден», a slow or broken РСА gives the reason; and
the ОСАГО quote for a driver in Лиски with two named drivers, their classes from the РСА, priced
by hand."""

import datetime

import pytest
from django.contrib.auth import get_user_model

from gateways.rsa import Person, RsaUnavailable, kbm_check
from shop.models import Quote
from shop.services import quote_create

START = datetime.date.today() + datetime.timedelta(days=10)


@pytest.fixture
def rsa(settings, live_server):
    settings.RSA_KBM_URL = f"{live_server.url}/rsa-emulator"
    settings.RSA_TIMEOUT = 15.0  # a loaded CI machine; the slow-RSA tests lower it
    return settings


def person(**overrides) -> Person:
    values = {
        "last_name": "Смирнов",
        "first_name": "Алексей",
        "middle_name": "Петрович",
        "birth_date": datetime.date(1986, 4, 12),
        "licence_series": "36 16",
        "licence_number": "123456",
        "licence_since": datetime.date(2006, 5, 20),
    }
    values.update(overrides)
    return Person(**values)


def test_a_known_licence_gives_its_class(rsa, transactional_db):
    answer = kbm_check(person=person(), on=START)
    assert answer.found and answer.kbm_class == "13" and str(answer.coefficient) == "0.46"


@pytest.mark.parametrize(
    "overrides",
    [
        {"licence_number": "000999"},
        {"last_name": "Смирнова"},
        {"birth_date": datetime.date(1986, 4, 13)},
    ],
)
def test_another_person_or_licence_is_not_found(rsa, transactional_db, overrides):
    answer = kbm_check(person=person(**overrides), on=START)
    assert not answer.found


def test_a_slow_rsa_times_out(rsa, transactional_db):
    rsa.RSA_TIMEOUT = 0.3
    rsa.RSA_EMULATOR_DELAY = 1.5
    with pytest.raises(RsaUnavailable, match="не ответила вовремя"):
        kbm_check(person=person(licence_series="99 99", licence_number="000001"), on=START)


def test_a_broken_rsa_and_an_rsa_that_is_off(rsa, transactional_db):
    with pytest.raises(RsaUnavailable, match="ошибкой 503"):
        kbm_check(person=person(licence_series="99 99", licence_number="000002"), on=START)
    rsa.RSA_KBM_URL = ""
    with pytest.raises(RsaUnavailable, match="не подключена"):
        kbm_check(person=person(), on=START)


def test_the_emulator_refuses_a_bad_request(rsa, transactional_db, client):
    response = client.post("/rsa-emulator/kbm/check", "{", content_type="application/json")
    assert response.status_code == 400
    assert client.get("/rsa-emulator/kbm/check").status_code == 405


def _driver(last, first, middle, birth, series, number, since) -> dict:
    return {
        "last_name": last,
        "first_name": first,
        "middle_name": middle,
        "birth_date": birth,
        "licence_series": series,
        "licence_number": number,
        "licence_since": since,
    }


def _inputs(**overrides) -> dict:
    data = {
        "category": "B",
        "purpose": "personal",
        "region": "36",
        "town": "Лиски",
        "power_hp": 110,
        "months": 12,
        "starts_on": START,
        "unlimited": False,
        "violations": False,
        "trailer": False,
        "drivers": [
            _driver(
                "Смирнов", "Алексей", "Петрович", datetime.date(1986, 4, 12), "36 16", "123456",
                datetime.date(2006, 5, 20),
            ),
            _driver(
                "Смирнова", "Ольга", "Ивановна", datetime.date(1990, 11, 2), "36 19", "654321",
                datetime.date(2008, 12, 1),
            ),
        ],
    }  # fmt: skip
    data.update(overrides)
    return data


@pytest.fixture
def buyer(transactional_db):
    return get_user_model().objects.create_user(
        email="buyer@example.com",
        password="x",
        last_name="Смирнов",
        first_name="Алексей",
        middle_name="Петрович",
        birth_date=datetime.date(1986, 4, 12),
    )


def test_a_driver_in_liski_with_two_named_drivers_from_the_rsa(rsa, tariffs, buyer):
    # РСА: Смирнов А. П. — класс 13 (КБМ 0.46), Смирнова О. И. — класс 10 (КБМ 0.63).
    # КВС: 40 лет, стаж 15+ → 0.91; 36 лет, стаж 15+ → 0.93 (the bands hold until 11.2030).
    # Products: 0.91 × 0.46 = 0.4186; 0.93 × 0.63 = 0.5859 — the larger applies.
    # ТБ 5500 × КТ Лиски 1.08 = 5940; × 0.63 = 3742.2; × 0.93 = 3480.246; × КО 1.00
    # × КМ 110 л. с. 1.2 = 4176.2952; × КС 1.0 × КН 1.0 × КПр 1.0 → 4 176,30 ₽
    quote = quote_create(user=buyer, product="osago", inputs=_inputs())

    assert str(quote.premium) == "4176.30"
    rows = quote.breakdown["drivers"]
    assert [(r["name"], r["kbm_class"], r["kbm"]) for r in rows] == [
        ("Смирнов Алексей Петрович", "13", "0.46"),
        ("Смирнова Ольга Ивановна", "10", "0.63"),
    ]
    assert all("АИС ОСАГО РСА, проверено " in r["kbm_note"] for r in rows)
    assert quote.inputs["drivers"][0]["kbm_source"] == "rsa"
    assert quote.inputs["drivers"][0]["kbm_checked_at"]


def test_when_the_rsa_does_not_answer_the_quote_says_it_used_class_3(rsa, tariffs, buyer):
    # the second driver's licence is the emulator's slow one: class 3 (1.17) and why
    rsa.RSA_TIMEOUT = 0.3
    rsa.RSA_EMULATOR_DELAY = 1.5
    data = _inputs()
    data["drivers"][1].update(licence_series="99 99", licence_number="000001")
    quote = quote_create(user=buyer, product="osago", inputs=data)

    second = quote.breakdown["drivers"][1]
    assert second["kbm_class"] == "3" and second["kbm"] == "1.17"
    assert (
        "РСА не ответил (АИС ОСАГО РСА не ответила вовремя): применён класс 3 (КБМ 1,17)"
        in (second["kbm_note"])
    )
    # 5940 × (0.93 × 1.17 = 1.0881) = 6463.314; × 1.2 = 7755.9768 → 7 755,98 ₽
    assert str(quote.premium) == "7755.98"


def test_a_driver_the_rsa_does_not_know_starts_at_class_3(rsa, tariffs, buyer):
    data = _inputs()
    data["drivers"] = data["drivers"][:1]
    data["drivers"][0]["licence_number"] = "999999"
    quote = quote_create(user=buyer, product="osago", inputs=data)
    row = quote.breakdown["drivers"][0]
    assert row["kbm_class"] == "3" and "не найден" in row["kbm_note"]
    assert Quote.objects.count() == 1


def test_unlimited_drivers_take_the_owners_class_from_the_rsa(rsa, tariffs, buyer):
    # Смирнов А. П. owns the car: class 13, КБМ 0.46; КО 2.32, КВС 1.
    # 5500 × 1.08 = 5940; × 0.46 = 2732.4; × 2.32 = 6339.168; × 1.2 = 7607.0016 → 7 607,00 ₽
    data = _inputs(
        unlimited=True,
        drivers=[],
        owner_licence_series="36 16",
        owner_licence_number="123456",
        owner_licence_since=datetime.date(2006, 5, 20),
    )
    quote = quote_create(user=buyer, product="osago", inputs=data)
    assert str(quote.premium) == "7607.00"
    assert "АИС ОСАГО РСА, проверено" in quote.breakdown["owner_kbm_note"]
