"""Database expressions the clinic search needs on both SQLite and PostgreSQL."""

from django.db.backends.signals import connection_created
from django.db.models import Func, TextField


def search_normalize(text: str) -> str:
    """What both sides of a search are compared as: lower case, «ё» read as «е»."""
    return text.lower().replace("ё", "е")


class SearchText(Func):
    """`search_normalize` in SQL. SQLite's LOWER folds ASCII letters only, so there it calls a
    Python function registered on each connection (`sqlite_functions_register`)."""

    template = "REPLACE(LOWER(%(expressions)s), 'ё', 'е')"
    output_field = TextField()

    def as_sqlite(self, compiler, connection, **extra_context):
        return super().as_sql(
            compiler, connection, template="PORTAL_SEARCH_TEXT(%(expressions)s)", **extra_context
        )


def _search_text(value: str | None) -> str | None:
    return None if value is None else search_normalize(value)


def sqlite_functions_register(sender, connection, **kwargs) -> None:
    if connection.vendor == "sqlite":
        connection.connection.create_function(
            "PORTAL_SEARCH_TEXT", 1, _search_text, deterministic=True
        )


def connect_signals() -> None:
    connection_created.connect(sqlite_functions_register, dispatch_uid="clinics.db.sqlite")
