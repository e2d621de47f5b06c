"""portal.core.bulk: the settings a bulk step takes for its own transaction only."""

import pytest
from django.db import connection, transaction

from portal.core.bulk import sort_memory_local

pytestmark = pytest.mark.django_db(transaction=True)


def _work_mem() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW work_mem")
        return cursor.fetchone()[0]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="work_mem is PostgreSQL's")
def test_sort_memory_is_the_transactions_own():
    before = _work_mem()

    with transaction.atomic():
        sort_memory_local(64)
        inside = _work_mem()

    assert inside == "64MB"
    assert _work_mem() == before != "64MB"


def test_sort_memory_asks_nothing_of_sqlite(django_assert_num_queries):
    expected = 1 if connection.vendor == "postgresql" else 0
    with transaction.atomic(), django_assert_num_queries(expected):
        sort_memory_local(64)
