"""Russian formats and the register's name rules, one function at a time."""

import datetime
from decimal import Decimal

import pytest

from policies.formatting import money, phone_display, phone_href
from policies.identity import age_on, born_on_or_before_for_age, normalize_name
from policies.translit import ascii_filename, latin

NBSP = "\u00a0"


@pytest.mark.parametrize(
    ("phone", "shown", "href"),
    [
        ("+78003024419", f"+7{NBSP}(800){NBSP}302-44-19", "tel:+78003024419"),
        ("8-800-302-44-19", f"+7{NBSP}(800){NBSP}302-44-19", "tel:+78003024419"),
        ("+7 (495) 739-21-40", f"+7{NBSP}(495){NBSP}739-21-40", "tel:+74957392140"),
        ("+442071234567", "+442071234567", "tel:+442071234567"),
    ],
)
def test_phones_in_russian_style(phone, shown, href):
    assert phone_display(phone) == shown
    assert phone_href(phone) == href


@pytest.mark.parametrize(
    ("amount", "shown"),
    [
        (Decimal("544"), f"544{NBSP}руб."),
        (Decimal("544.00"), f"544{NBSP}руб."),
        (Decimal("8734.56"), f"8{NBSP}734,56{NBSP}руб."),
        (Decimal("1500000"), f"1{NBSP}500{NBSP}000{NBSP}руб."),
        (Decimal("0.5"), f"0,50{NBSP}руб."),
    ],
)
def test_roubles(amount, shown):
    assert money(amount) == shown


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Семёнова", "СЕМЕНОВА"),
        ("  Анна   Мария ", "анна мария"),
        ("Петрова — Водкина", "петрова-водкина"),
        ("Петрова\u2011Водкина", "Петрова-Водкина"),
    ],
)
def test_names_that_are_the_same(a, b):
    assert normalize_name(a) == normalize_name(b)


def test_a_hyphen_is_not_a_space():
    assert normalize_name("Петрова-Водкина") != normalize_name("Петрова Водкина")


@pytest.mark.parametrize(
    ("born", "day", "age"),
    [
        ("2012-03-10", "2027-03-09", 14),
        ("2012-03-10", "2027-03-10", 15),
        ("2012-02-29", "2027-02-28", 14),
        ("2012-02-29", "2027-03-01", 15),
        ("2012-02-29", "2028-02-29", 16),
    ],
)
def test_age_on_a_day(born, day, age):
    born, day = datetime.date.fromisoformat(born), datetime.date.fromisoformat(day)
    assert age_on(born, day) == age
    assert (born <= born_on_or_before_for_age(15, day)) is (age >= 15)


def test_latin_names_as_in_a_passport():
    assert latin("Смирнов Алексей") == "Smirnov Aleksei"
    assert latin("Щукина Юлия") == "Shchukina Iuliia"
    assert ascii_filename("Полис ДМС ДМС-0147-000001.pdf") == "Polis-DMS-DMS-0147-000001.pdf"
    assert ascii_filename('../"x"\r\n.pdf') == "x-.pdf"
