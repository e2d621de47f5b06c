"""The fast paths of the row check (the usual date form, Russian mobile numbers) give exactly what
the general code gives."""

import datetime
import random

import phonenumbers
import pytest

from employers.services.validation import normalise_phone, parse_date


def _by_phonenumbers(text: str) -> str | None:
    number = phonenumbers.parse(text, None)
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def test_russian_mobile_numbers_are_judged_as_phonenumbers_judges_them():
    generator = random.Random(12)
    # Every block of +7 9XX, including the sparse +7 93X ranges, with random subscriber digits.
    numbers = [
        f"+79{block:02d}{generator.randrange(10**7):07d}" for block in range(100) for _ in range(30)
    ]
    for text in numbers:
        assert normalise_phone(text) == _by_phonenumbers(text), text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12.04.1988", datetime.date(1988, 4, 12)),
        ("01.01.2000", datetime.date(2000, 1, 1)),
        ("29.02.2024", datetime.date(2024, 2, 29)),
        ("29.02.2023", None),
        ("31.04.1990", None),
        ("00.01.1990", None),
        ("1.2.1990", datetime.date(1990, 2, 1)),
        ("1990-02-01", datetime.date(1990, 2, 1)),
        (" 12.04.1988 ", datetime.date(1988, 4, 12)),
        ("12.04.88", None),
    ],
)
def test_dates_read_the_same_by_the_fast_path_and_by_strptime(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    "address",
    [
        "ivan@example.com",
        "ivan.petrov+hr@mail.example.ru",
        "иван@пример.рф",
        "ivan@",
        "@example.com",
        "ivan@@example.com",
        "ivan@example",
        "ivan@[127.0.0.1]",
        "ivan@[300.0.0.1]",
        "ivan@localhost",
        "iv an@example.com",
        "ivan@exa_mple.com",
        "a" * 310 + "@example.com",
        "",
    ],
)
def test_addresses_are_judged_as_djangos_validate_email_judges_them(address):
    from django.core.exceptions import ValidationError
    from django.core.validators import validate_email

    from employers.services.validation import email_valid

    try:
        validate_email(address)
        expected = True
    except ValidationError:
        expected = False
    assert email_valid(address) is expected


@pytest.mark.parametrize(
    "cell",
    ["ДМС-0147-000123", "  ДМС-0147 \t 000123 ", "", "   ", "'=SUM(A1)", "'ДМС-1", "'", "=1+1",
     "-12", "@x", "\t=1", "'\t=1", 1234567.0, 12.5, None],
)  # fmt: skip
def test_a_row_reads_its_cells_as_cell_text_reads_them(cell):
    # check_row makes a string cell's text itself (the usual case, without a call): the same text,
    # and a formula refused the same way, as cell_text and the formula check give
    from employers.services.validation import FORMULA_STARTS, RowContext, cell_text, check_row
    from policies.models import Contract

    day = datetime.date(2026, 1, 1)
    ctx = RowContext(contract=Contract(starts_on=day, ends_on=day), programs={}, today=day)
    text = cell_text(cell)
    formula = text.startswith(FORMULA_STARTS)

    row = check_row(2, {"policy_number": cell}, ctx)

    assert row.values["policy_number"] == ("" if formula else text)
    refused = [e for e in row.errors if "формулы" in e["message"]]
    assert len(refused) == formula
