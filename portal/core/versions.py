"""Versions that only go up, kept in the database (VersionCounter).

A version kept in the cache restarts at 1 with the cache and makes old cached values current
again; this one survives any restart of Redis. `version_bump` runs in the caller's transaction
(the new version is seen when the change is), `version_sql` is a subquery to read it in the
same query as the data it versions.
"""

from django.db import IntegrityError, transaction
from django.db.models import F

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


def version_get(name: str) -> int:
    return VersionCounter.objects.filter(name=name).values_list("value", flat=True).first() or 0
