"""Versions that only go up, kept in the database (VersionCounter).

A version kept in the cache restarts at 1 with the cache and makes old cached values current
again; this one survives any restart of Redis. `version_bump` runs in the caller's transaction
(the new version is seen when the change is), `version_sql` is a subquery to read it in the
same query as the data it versions.

A database made anew (a test's, a fresh `make run`) counts from 1 again, while a shared cache
may still hold what an older database cached under the same number: `version_stamp` (an
expression, to read in the same query as the data) and `version_stamp_get` name the counter's
value, row and the moment it was made — `version_bump` never changes that moment — and key
cached values by that. NULL / None while nothing has bumped it.
"""

from django.db import IntegrityError, transaction
from django.db.models import CharField, F, Subquery, Value
from django.db.models.functions import Cast, Concat, Replace

from .models import VersionCounter


def version_bump(name: str) -> None:
    if VersionCounter.objects.filter(name=name).update(value=F("value") + 1):
        return
    try:
        with transaction.atomic():
            VersionCounter.objects.create(name=name, value=1)
    except IntegrityError:  # created meanwhile by another writer
        VersionCounter.objects.filter(name=name).update(value=F("value") + 1)


def version_sql(name: str) -> tuple[str, tuple]:
    """The version as SQL and its parameters, to read it in the same query as the data it
    versions (NULL: never bumped, which the caller reads as 0)."""
    query = VersionCounter.objects.filter(name=name).values("value")[:1].query
    sql, params = query.sql_with_params()
    return sql, tuple(params)


def _stamp() -> Concat:
    text = CharField()
    # no space in it: a cache key may be made of it as it is (memcached refuses spaces)
    made = Replace(Cast("updated_at", text), Value(" "), Value("T"))
    value, row = Cast("value", text), Cast("pk", text)
    return Concat(value, Value(":"), row, Value(":"), made, output_field=text)


def version_stamp(name: str) -> Subquery:
    """The version's stamp, «value:row:made», as a subquery of another query."""
    return Subquery(
        VersionCounter.objects.filter(name=name).annotate(stamp=_stamp()).values("stamp")[:1]
    )


def version_stamp_get(name: str) -> str | None:
    """The version's stamp (`version_stamp`), read on its own."""
    return (
        VersionCounter.objects.filter(name=name)
        .annotate(stamp=_stamp())
        .values_list("stamp", flat=True)
        .first()
    )
