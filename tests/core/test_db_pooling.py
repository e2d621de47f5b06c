"""Connections that survive PgBouncer in transaction mode.

CI runs these (and the tests that read with .iterator(), import, export and charge) a second time
through PgBouncer (.ci/run sets PGBOUNCER_REQUIRED); a server connection there changes between
transactions, so nothing may be prepared on it or left open across transactions.
"""

import os

import pytest
from django.db import connection, transaction

from tests.factories import InsuredPersonFactory

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PgBouncer stands in front of PostgreSQL only"
)
BEHIND_PGBOUNCER = os.environ.get("PGBOUNCER_REQUIRED") == "1"


@pytest.mark.skipif(not BEHIND_PGBOUNCER, reason="the PgBouncer pass of .ci/run")
@pytest.mark.django_db
def test_this_pass_really_goes_through_pgbouncer_without_named_cursors():
    with connection.cursor() as cursor:
        cursor.execute("SELECT inet_server_port()")
        server_port = cursor.fetchone()[0]

    assert str(connection.settings_dict["PORT"]) == "6432"
    assert server_port == 5432
    assert connection.settings_dict["DISABLE_SERVER_SIDE_CURSORS"] is True


@pytest.mark.django_db
def test_psycopg_prepares_no_statement_on_the_server():
    connection.ensure_connection()

    assert connection.connection.prepare_threshold is None


@pytest.mark.django_db(transaction=True)
def test_the_same_query_many_times_over_many_transactions_never_clashes():
    # given: psycopg would prepare a query after its 5th run; through PgBouncer the next
    # transaction may land on a server connection that already has it (DuplicatePreparedStatement)
    people = InsuredPersonFactory.create_batch(3)

    # when
    for _ in range(12):
        with transaction.atomic():
            found = sorted(
                p.pk for p in type(people[0]).objects.filter(pk__in=[p.pk for p in people])
            )
            streamed = [p.pk for p in type(people[0]).objects.order_by("pk").iterator(chunk_size=1)]

    # then
    assert found == sorted(p.pk for p in people)
    assert set(found) <= set(streamed)
