"""A policy number is found however it is typed: spaces or hyphens, case, Latin look-alikes."""

import pytest

from policies.identity import policy_number_key
from policies.selectors import policy_number_holder
from portal.core.forms import date_error
from tests.factories import InsuredPersonFactory


@pytest.mark.parametrize(
    "typed",
    [
        "ДМС-0147-000001",
        "дмс-0147-000001",
        "ДМС 0147 000001",
        "ДМС0147000001",
        " ДMC–0147–000001 ",  # Latin M and C, en dashes
        "dmc 0147-000001".replace("d", "Д"),
    ],
)
def test_the_key_is_the_same_however_typed(typed):
    assert policy_number_key(typed) == "ДМС0147000001"


@pytest.mark.django_db
@pytest.mark.parametrize("typed", ["ДМС 0147 000001", "дмс0147000001", "ДMC-0147-000001"])
def test_the_register_row_is_found_however_typed(typed):
    person = InsuredPersonFactory(policy_number="ДМС-0147-000001")
    InsuredPersonFactory(policy_number="ДМС-0147-000002")

    assert policy_number_holder(typed) == person


@pytest.mark.django_db
def test_an_unknown_number_finds_nobody():
    InsuredPersonFactory(policy_number="ДМС-0147-000001")

    assert policy_number_holder("ДМС-0147-000009") is None
    assert policy_number_holder(" - ") is None


@pytest.mark.parametrize(
    ("typed", "said"),
    [
        ("31.02.1990", "31.02.1990 — такой даты нет"),
        ("1990-02-31", "31.02.1990 — такой даты нет"),
        ("29.02.2023", "29.02.2023 — такой даты нет"),
        ("12.13.1990", "12.13.1990 — месяца 13 не бывает"),
        ("29.02.2024", None),
        ("вчера", None),
    ],
)
def test_a_wrong_date_is_named(typed, said):
    assert date_error(typed) == said
