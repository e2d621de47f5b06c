"""Inserting many rows at once: PostgreSQL's COPY where the database is PostgreSQL, bulk_create
elsewhere (SQLite in development and in the fast tests).

COPY skips the SQL text of a multi-row INSERT (and the ORM's work building it), which is most of
the cost of writing a 100,000-row list. Values go through the same field methods as an ORM save
(pre_save for the timestamps, get_db_prep_save for encryption, JSON and the like), so a row is
stored exactly as bulk_create would store it. Primary keys, when the caller needs them, are taken
from the table's own sequence first."""

from collections.abc import Sequence

from django.db import DEFAULT_DB_ALIAS, connections, models
from psycopg import sql

BATCH = 1000


def bulk_insert(
    model: type[models.Model], objs: Sequence[models.Model], *, ids: bool = False
) -> None:
    """Insert `objs`; with `ids`, each object gets its primary key (as bulk_create would)."""
    if not objs:
        return
    # The connection itself, not the per-request proxy: it is asked once per field and row.
    connection = connections[DEFAULT_DB_ALIAS]
    if connection.vendor != "postgresql":
        model._default_manager.bulk_create(objs, batch_size=BATCH)
        return
    opts = model._meta
    pk = opts.pk
    fields = [f for f in opts.concrete_fields if not f.primary_key]
    with connection.cursor() as cursor:
        if ids:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [opts.db_table, pk.column, len(objs)],
            )
            for obj, (value,) in zip(objs, cursor.fetchall(), strict=True):
                setattr(obj, pk.attname, value)
            fields = [pk, *fields]
        statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
            sql.Identifier(opts.db_table),
            sql.SQL(", ").join(sql.Identifier(f.column) for f in fields),
        )
        # The raw psycopg cursor: its errors are turned into Django's (IntegrityError...) here.
        with connection.wrap_database_errors, cursor.cursor.copy(statement) as copy:
            prepared = [(f.pre_save, f.get_db_prep_save) for f in fields]
            for obj in objs:
                copy.write_row([prep(pre(obj, True), connection) for pre, prep in prepared])
    for obj in objs:
        obj._state.adding = False
        obj._state.db = connection.alias
