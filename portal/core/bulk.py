"""Writing many rows at once, without a model instance per row.

`copy_rows` streams tuples into PostgreSQL's COPY (executemany elsewhere: SQLite in development
and in the fast tests); `insert_select` writes rows computed by the database from other tables
(one INSERT ... SELECT). Both fill what the caller does not name as an ORM save would: defaults,
and the time for `auto_now`/`auto_now_add` timestamps. A COPY skips the SQL text of a multi-row
INSERT and the ORM's work building it, which is most of the cost of writing a 100,000-row list.
"""

import json
from collections.abc import Iterable, Sequence

from django.db import DEFAULT_DB_ALIAS, connections, models
from django.utils import timezone
from psycopg import sql

BATCH = 1000


# An empty list or object (most staged rows' errors and changes) as COPY's text.
EMPTY_JSON = {list: "[]", dict: "{}"}


class Sql:
    """An SQL expression in `insert_select`'s columns, with the parameters of its placeholders
    (anything else there is a value)."""

    def __init__(self, text: str, *params):
        self.text, self.params = text, params


def _connection():
    # The connection itself, not the per-request proxy: it is asked once per field and row.
    return connections[DEFAULT_DB_ALIAS]


def _fields(model: type[models.Model], names: Sequence[str]) -> list[models.Field]:
    return [model._meta.get_field(name) for name in names]


def _missing(model: type[models.Model], named: Iterable[str]) -> dict[models.Field, object]:
    """The concrete fields not named (but the primary key), with the value a save would write."""
    named = set(named)
    now = timezone.now()
    values = {}
    for f in model._meta.concrete_fields:
        if f.primary_key or f.name in named or f.attname in named:
            continue
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            values[f] = now
        else:
            values[f] = f.get_default()
    return values


def copy_rows(model: type[models.Model], columns: Sequence[str], rows: Iterable[Sequence]) -> int:
    """Insert `rows` (tuples of values for the fields named in `columns`, as a model would hold
    them: str, int ids, dates, lists and dicts for JSON) in one COPY; returns how many."""
    connection = _connection()
    fields = _fields(model, columns)
    rest = _missing(model, columns)
    every = [*fields, *rest]
    tail = tuple(f.get_db_prep_save(v, connection) for f, v in rest.items())
    count = 0
    if connection.vendor != "postgresql":
        preps = [f.get_db_prep_save for f in fields]
        # Names quoted from the model's own table and columns; the values are parameters.
        statement = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608
            connection.ops.quote_name(model._meta.db_table),
            ", ".join(connection.ops.quote_name(f.column) for f in every),
            ", ".join(["%s"] * len(every)),
        )
        with connection.cursor() as cursor:
            batch = []
            for row in rows:
                batch.append(
                    (*(prep(v, connection) for prep, v in zip(preps, row, strict=True)), *tail)
                )
                if len(batch) == BATCH:
                    cursor.executemany(statement, batch)
                    count += len(batch)
                    batch = []
            if batch:
                cursor.executemany(statement, batch)
                count += len(batch)
        return count
    # Plain values go as they are; JSON as its text (COPY parses it).
    json_at = [i for i, f in enumerate(fields) if isinstance(f, models.JSONField)]
    # The same object in every row (a constant of the caller) is dumped once.
    texts: dict[int, str] = {}
    kept: list = []

    def json_text(value, field) -> str:
        text = json.dumps(value, cls=field.encoder)
        if len(texts) < 64:
            texts[id(value)] = text
            kept.append(value)  # alive while its id is remembered
        return text

    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(model._meta.db_table),
        sql.SQL(", ").join(sql.Identifier(f.column) for f in every),
    )
    # The raw psycopg cursor: its errors are turned into Django's (IntegrityError...) here.
    with (
        connection.cursor() as cursor,
        connection.wrap_database_errors,
        cursor.cursor.copy(statement) as copy,
    ):
        for row in rows:
            if json_at:
                row = list(row)
                for i in json_at:
                    value = row[i]
                    if value is not None:
                        text = texts.get(id(value)) or (
                            EMPTY_JSON.get(type(value)) if not value else None
                        )
                        row[i] = text or json_text(value, fields[i])
            copy.write_row((*row, *tail))
            count += 1
    return count


def insert_select(
    model: type[models.Model], columns: dict[str, object], source: str, params: Sequence = ()
) -> int:
    """INSERT INTO the model's table SELECT ... `source` (FROM, WHERE, ORDER BY, with `params`):
    `columns` maps a field to an `Sql` expression over the source, or to a value; fields not named
    get their defaults. Returns the number of rows written."""
    connection = _connection()
    quote = connection.ops.quote_name
    fields = _fields(model, list(columns))
    every = {**dict(zip(fields, columns.values(), strict=True)), **_missing(model, columns)}
    targets, selected, values = [], [], []
    for f, value in every.items():
        targets.append(quote(f.column))
        if isinstance(value, Sql):
            selected.append(value.text)
            values.extend(value.params)
        elif value is None:
            selected.append("NULL")
        else:
            selected.append("%s")
            values.append(f.get_db_prep_save(value, connection))
    statement = (
        f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(targets)}) "
        f"SELECT {', '.join(selected)} {source}"
    )
    with connection.cursor() as cursor:
        cursor.execute(statement, [*values, *params])
        return cursor.rowcount


def sort_memory_local(megabytes: int) -> None:
    """Let each sort and hash of the current transaction use up to `megabytes` of memory
    (PostgreSQL's work_mem, back to the server's setting at the transaction's end): a step that
    joins and orders 100,000 rows then sorts them in memory, not in temporary files. Nothing on
    SQLite."""
    connection = _connection()
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        # SET takes no parameters; the value is an int.
        cursor.execute(f"SET LOCAL work_mem = '{int(megabytes)}MB'")


def analyze(model: type[models.Model], columns: Sequence[str] = ()) -> None:
    """Refresh PostgreSQL's statistics of a table a step has just filled, so that the next queries
    are planned for their real size (autovacuum would see it only after the commit, later).
    `columns` (field names): only those columns' statistics, those the next queries filter and
    join on (most of ANALYZE's work is per column); the table's size is refreshed all the same,
    and autovacuum, which such a partial ANALYZE does not satisfy, does the rest later."""
    connection = _connection()
    if connection.vendor != "postgresql":
        return
    statement = sql.SQL("ANALYZE {}").format(sql.Identifier(model._meta.db_table))
    if columns:
        statement = sql.SQL("{} ({})").format(
            statement,
            sql.SQL(", ").join(sql.Identifier(f.column) for f in _fields(model, columns)),
        )
    with connection.cursor() as cursor:
        cursor.execute(statement)
