"""Our tables as PostgreSQL sees them during a fill: COPY of generated rows, truncation, sequences,
the indexes and foreign keys set aside while the bulk goes in, and the row counts."""

from __future__ import annotations

import datetime
import json
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.core.management.color import no_style
from django.db import connection, models
from django.utils import timezone
from psycopg import sql

# Apps whose tables the fill owns: truncated and refilled on every run.
OUR_APPS = ("core", "accounts", "policies", "clinics", "claims", "feedback", "payments")


def _fill_values(model: type[models.Model], columns: Sequence[str], now: datetime.datetime):
    """The columns the generator does not yield, with the value the ORM would have written.

    Keeps the fill working when a field with a default is added to a model; a new required
    field without one stops the fill with its name, rather than a COPY error.
    """
    given = set(columns)
    names, values = [], []
    for f in model._meta.concrete_fields:
        if f.attname in given:
            continue
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            value = now
        elif f.has_default() or f.null or f.empty_strings_allowed:
            value = f.get_default()
            if isinstance(f, models.JSONField):
                value = json.dumps(value)
            else:
                value = f.get_db_prep_save(value, connection)
        else:
            raise ImproperlyConfigured(
                f"bench.fill: {model._meta.label}.{f.name} is required and has no default; "
                "add it to the table's Step in bench/fill/steps.py"
            )
        names.append(f.column)
        values.append(value)
    column_of = {f.attname: f.column for f in model._meta.concrete_fields}
    return [column_of[c] for c in columns] + names, tuple(values)


def copy_rows(model: type[models.Model], columns: Sequence[str], rows: Iterable[tuple]) -> int:
    """Stream rows into the model's table with COPY; returns how many were written."""
    db_columns, extra = _fill_values(model, columns, timezone.now())
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(model._meta.db_table),
        sql.SQL(", ").join(sql.Identifier(c) for c in db_columns),
    )
    count = 0
    with connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row(row + extra if extra else row)
            count += 1
    return count


def our_models() -> list[type[models.Model]]:
    """Every model of our apps, with the auto-created many-to-many tables."""
    return [
        model
        for label in OUR_APPS
        if label in {c.label for c in apps.get_app_configs()}
        for model in apps.get_app_config(label).get_models(include_auto_created=True)
    ]


def tables_truncate() -> None:
    tables = sql.SQL(", ").join(sql.Identifier(m._meta.db_table) for m in our_models())
    with connection.cursor() as cursor:
        cursor.execute(sql.SQL("TRUNCATE {} RESTART IDENTITY CASCADE").format(tables).as_string())


def sequences_reset() -> None:
    statements = connection.ops.sequence_reset_sql(no_style(), our_models())
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


@contextmanager
def indexes_and_foreign_keys_set_aside() -> Iterator[dict[str, float]]:
    """Drop our tables' secondary indexes and foreign keys for the bulk COPY, then rebuild them.

    PostgreSQL builds an index from sorted data, and checks a foreign key being added with one
    join, far faster than it maintains them row by row: the large fill drops from over a minute
    to about half of that. Every constraint is back, and has checked every row, when this exits;
    the primary keys and unique constraints stay in place throughout, so duplicates fail at once.
    The DDL is part of the fill's transaction: a failed fill leaves the schema as it was.
    A key that refers to the partitioned service lines has one inherited copy per partition
    (`conparentid`): only the parent is dropped and added back, which brings its copies along.
    So for an index of a partitioned table: dropping the parent's drops the partitions', and it
    is made again without `ON ONLY` (which `pg_get_indexdef` writes for a partitioned index, and
    which would leave an invalid parent and the partitions with no index at all).
    """
    tables = [m._meta.db_table for m in our_models()]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint"
            " WHERE contype = 'f' AND conparentid = 0 AND conrelid::regclass::text = ANY(%s)",
            [tables],
        )
        foreign_keys = cursor.fetchall()
        cursor.execute(
            "SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index i"
            " WHERE indrelid::regclass::text = ANY(%s) AND NOT EXISTS"
            " (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)",
            [tables],
        )
        indexes = cursor.fetchall()
        for table, name, _definition in foreign_keys:
            cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {_quoted(name)}")
        for index, _definition in indexes:
            cursor.execute(f"DROP INDEX {index}")
    timings: dict[str, float] = {}
    yield timings
    with connection.cursor() as cursor:
        started = time.perf_counter()
        for _index, definition in indexes:
            cursor.execute(definition.replace(" ON ONLY ", " ON ", 1))
        timings["indexes"] = time.perf_counter() - started
        started = time.perf_counter()
        for table, name, definition in foreign_keys:
            cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {_quoted(name)} {definition}")
        timings["foreign keys"] = time.perf_counter() - started


def _quoted(name: str) -> str:
    return sql.Identifier(name).as_string()


def table_counts() -> dict[str, int]:
    counts = {}
    with connection.cursor() as cursor:
        for model in our_models():
            table = sql.Identifier(model._meta.db_table)
            cursor.execute(sql.SQL("SELECT count(*) FROM {}").format(table).as_string())
            counts[model._meta.label] = cursor.fetchone()[0]
    return counts
