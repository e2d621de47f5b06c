"""Service lines partitioned by month (PostgreSQL): where rows land, what the database refuses."""

import datetime

import pytest
from django.conf import settings
from django.db import IntegrityError, connection, transaction

from claims import partitions
from claims.models import ServiceLine
from claims.registers import register_import
from claims.tasks import service_line_partitions_ahead
from tests.factories import AppealFactory, ServiceLineFactory

from .test_registers import csv_bytes, row, world  # noqa: F401 — the register's fixture

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite keeps a plain table"),
]


def partition_of(line: ServiceLine) -> str:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tableoid::regclass::text FROM claims_serviceline WHERE id = %s", [line.pk]
        )
        return cursor.fetchone()[0]


def child_month(table: str, pk: int):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT service_line_date FROM {table} WHERE id = %s", [pk])  # noqa: S608
        return cursor.fetchone()[0]


def test_lines_of_two_months_land_in_their_months_partitions():
    today = datetime.date.today()
    earlier = partitions.add_months(partitions.month_start(today), -3)

    this_month = ServiceLineFactory(service_date=today)
    older = ServiceLineFactory(service_date=earlier + datetime.timedelta(days=9))

    assert partitions.is_partitioned()
    assert partition_of(this_month) == partitions.partition_name(partitions.month_start(today))
    assert partition_of(older) == partitions.partition_name(earlier)
    assert ServiceLine.objects.get(pk=older.pk).service_date == older.service_date


def test_an_appeal_keeps_its_lines_month_and_the_database_refuses_a_line_that_is_not_there():
    line = ServiceLineFactory()
    appeal = AppealFactory(service_line=line)

    assert child_month("feedback_appeal", appeal.pk) == line.service_date

    # a row pointing at no line: refused by the composite foreign key (MATCH FULL)
    with pytest.raises(IntegrityError), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE feedback_appeal SET service_line_id = %s WHERE id = %s",
                [line.pk + 10_000, appeal.pk],
            )
        connection.check_constraints()


def test_a_line_under_an_appeal_cannot_be_deleted_behind_djangos_back():
    line = ServiceLineFactory()
    AppealFactory(service_line=line)

    with pytest.raises(IntegrityError), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM claims_serviceline WHERE id = %s", [line.pk])
        connection.check_constraints()


def test_a_line_moved_to_another_month_takes_its_appeal_along():
    line = ServiceLineFactory(service_date=datetime.date.today())
    appeal = AppealFactory(service_line=line)
    moved = partitions.add_months(partitions.month_start(datetime.date.today()), -2)

    ServiceLine.objects.filter(pk=line.pk).update(service_date=moved)
    connection.check_constraints()

    assert child_month("feedback_appeal", appeal.pk) == moved
    assert partition_of(line) == partitions.partition_name(moved)


def test_a_line_number_loaded_in_one_month_is_refused_again_in_another(world):  # noqa: F811
    clinic, _kind, _person = world
    today = datetime.date.today()
    other_month = (partitions.add_months(partitions.month_start(today), -1)).strftime("%d.%m.%Y")

    register_import(content=csv_bytes(row(clinic, 1)), filename="r.csv")
    again = register_import(content=csv_bytes(row(clinic, 1, date=other_month)), filename="r.csv")

    assert again.created == 0 and again.already_loaded == 1
    assert ServiceLine.objects.count() == 1


def test_beat_creates_the_coming_months_once():
    today = datetime.date.today()
    last = partitions.add_months(partitions.month_start(today), partitions.MONTHS_AHEAD)
    with connection.cursor() as cursor:
        cursor.execute(
            f"ALTER TABLE {partitions.TABLE} DETACH PARTITION {partitions.partition_name(last)}"
        )
        cursor.execute(f"DROP TABLE {partitions.partition_name(last)}")

    created = service_line_partitions_ahead()
    again = service_line_partitions_ahead()

    assert created == 1 and again == 0
    assert last in partitions.months_covered()
    schedule = settings.CELERY_BEAT_SCHEDULE["claims-service-line-partitions-ahead"]
    assert schedule["task"] == "claims.tasks.service_line_partitions_ahead"
