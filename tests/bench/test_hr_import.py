"""bench.hr_import: its two raw COPY baselines and the figures made of them.

The COPYs are PostgreSQL's: run with `DATABASE_URL=postgres://... .venv/bin/pytest tests/bench`.
"""

import pytest
from django.conf import settings

from bench import hr_import
from policies.models import Contract, InsuredPerson, Policy

on_postgresql = pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
    reason="the raw baselines use PostgreSQL COPY: set DATABASE_URL=postgres://... to run them",
)

ROWS = hr_import.people(50, prefix="Н1")
# A DMS policy each, and a ВЗР one for those on the program that includes it.
POLICIES = len(ROWS) + sum(1 for p in ROWS if dict(hr_import.PROGRAMS)[p.program])


def register_counts() -> tuple[int, int, int]:
    return InsuredPerson.objects.count(), Policy.objects.count(), Contract.objects.count()


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_the_copy_into_the_register_writes_every_row_there_and_leaves_nothing():
    # given: the empty register the imports start from
    before = register_counts()

    # when: twice (the first leaves nothing in the second's way: the same numbers again)
    hr_import.raw_copy_register(ROWS, serial=1)
    copied = hr_import.raw_copy_register(ROWS, serial=1)

    # then
    assert copied.extra == {"persons": len(ROWS), "policies": POLICIES}
    assert copied.seconds > 0
    assert register_counts() == before == (0, 0, 0)


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_the_copy_into_temp_tables_writes_the_same_rows():
    contract = hr_import.contract_create(1)

    copied = hr_import.raw_copy(ROWS, contract)

    assert copied.extra == {"persons": len(ROWS), "policies": POLICIES}
    assert register_counts() == (0, 0, 1)


def test_the_goal_is_the_ratio_to_the_copy_into_the_register():
    result = {
        "rows": 100_000,
        "check": {"seconds": 3.0, "rss_peak_delta_mb": 2.0},
        "apply": {"seconds": 5.0, "rss_peak_delta_mb": 1.0},
        "copy": {"seconds": 1.0},
        "copy_register": {"seconds": 2.5},
    }

    rows = {r["figure"]: r for r in hr_import.figures([result])}

    goal = rows["HR import ÷ raw COPY into the register"]
    assert (goal["value"], goal["goal"], goal["ok"]) == (3.2, "≤ 4", True)
    floor = rows["HR import ÷ raw COPY into temp tables (no keys, no WAL)"]
    assert (floor["value"], floor["goal"], floor["ok"]) == (8.0, "reported", None)
