"""The map's FeatureCollection (RFC 7946), written as text straight from the database rows.

Thousands of clinics per request: decoding each clinic's phones from JSON, building nested dicts
and encoding them again took as long as the query itself (5,000 clinics: ~45 ms of the ~100 ms
budget on the bench machine). Here the phones stay the JSON text the database holds, the other
strings go through the json module's own escaping, and numbers are Python's shortest repr.
"""

import hashlib
import json
from collections.abc import Callable, Iterable, Sequence

from django.db import connection
from django.db.models import QuerySet

from policies.models import CareKind
from portal.core.versioned_cache import forget_all, versioned_get
from portal.core.versions import version_bump, version_sql

CONTENT_TYPE = "application/geo+json"

# The serialized collections are cached (a whole-network collection is 1.4 MB of text, built in
# ~70 ms of the bench's 5,000 clinics) under the network's version: every save or delete of a
# clinic, a program's coverage of one or a kind of care bumps it (`network_changed`, connected
# in ClinicsConfig.ready), and the clinic table's count and last change are part of the key too,
# so that a bulk write of clinics is seen at once. Bulk writes of coverage (the demo seed, the
# bench fill) call `network_changed` themselves. The expiry bounds what a missed write could do.
CACHE_SECONDS = 600
VERSION_KEY = "clinics:network-version"

# The json module's string escaping (the C version when available), without ensure_ascii.
_string = json.encoder.encode_basestring  # type: ignore[attr-defined]


def _kind_lists(kinds: Sequence[CareKind]):
    """The JSON list of covered kinds' codes for each combination of flags, made once each."""
    cache: dict[tuple[bool, ...], str] = {}

    def text(flags: tuple[bool, ...]) -> str:
        found = cache.get(flags)
        if found is None:
            codes = [kind.code for kind, covered in zip(kinds, flags, strict=True) if covered]
            found = cache[flags] = json.dumps(codes, ensure_ascii=False)
        return found

    return text


def feature_collection(rows: Iterable[tuple], *, kinds: Sequence[CareKind], base_url: str) -> str:
    """Rows of `selectors.clinics_geojson_rows` (id, name, address, city, lat, lon, phones as
    JSON text, online booking, then one flag per kind of care) as a FeatureCollection.

    Kinds of care go by code in each feature; their names come once, in the foreign member
    `care_kind_names`. Coordinates are [longitude, latitude]."""
    kind_list = _kind_lists(kinds)
    names = json.dumps({kind.code: kind.name for kind in kinds}, ensure_ascii=False)
    features = []
    for clinic_id, name, address, city, lat, lon, phones, online, *flags in rows:
        point = f"[{float(lon)!r},{float(lat)!r}]"
        properties = (
            f'{{"id":{clinic_id:d},"name":{_string(name)},'
            f'"address":{_string(f"{city}, {address}")},"phones":{phones or "[]"},'
            f'"care_kinds":{kind_list(tuple(bool(f) for f in flags))},'
            f'"online_booking":{"true" if online else "false"},'
            f'"url":{_string(f"{base_url}{clinic_id}/")}}}'
        )
        features.append(
            f'{{"type":"Feature","id":{clinic_id:d},'
            f'"geometry":{{"type":"Point","coordinates":{point}}},"properties":{properties}}}'
        )
    collection = ",".join(features)
    return f'{{"type":"FeatureCollection","care_kind_names":{names},"features":[{collection}]}}'


def feature_collection_in_database(
    rows: QuerySet, *, kinds: Sequence[CareKind], base_url: str
) -> str:
    """`feature_collection` of the same rows, the same text, written by PostgreSQL: each feature
    is concatenated there (strings escaped by `to_json`, numbers in their shortest form, as
    Python's repr) and the features joined by `string_agg`, so that no row reaches Python. For
    the whole network (5,000 clinics) that is the ~50 ms Python spent formatting rows."""
    inner, params = rows.query.sql_with_params()
    flags = [f"k{n}" for n in range(len(kinds))]
    kind_codes = " ".join(f", CASE WHEN r.{flag} THEN %s END" for flag in flags)
    # concat_ws needs a value after the separator: with no kinds of care at all, an empty list
    care_kinds = f"concat_ws(','{kind_codes})" if flags else "''"
    feature = (
        """'{"type":"Feature","id":' || r.id || ',"geometry":{"type":"Point","coordinates":['"""
        """ || r.lon || ',' || r.lat || ']},"properties":{"id":' || r.id"""
        """ || ',"name":' || to_json(r.name)::text"""
        """ || ',"address":' || to_json(r.city || ', ' || r.address)::text"""
        """ || ',"phones":' || COALESCE(r.phones, '[]')"""
        f""" || ',"care_kinds":[' || {care_kinds} || ']'"""
        """ || ',"online_booking":' || CASE WHEN r.online THEN 'true' ELSE 'false' END"""
        """ || ',"url":' || to_json(%s || r.id || '/')::text || '}}'"""
    )
    columns = ", ".join(["id", "name", "address", "city", "lat", "lon", "phones", "online", *flags])
    # Only our own SQL and Django's compiled query are interpolated; every value is a parameter.
    statement = (
        f"SELECT COALESCE(string_agg({feature}, ',' ORDER BY r.id), '')"  # noqa: S608
        f" FROM ({inner}) AS r({columns})"
    )
    with connection.cursor() as cursor:
        cursor.execute(statement, [*(json.dumps(k.code) for k in kinds), base_url, *params])
        features = cursor.fetchone()[0]
    names = json.dumps({kind.code: kind.name for kind in kinds}, ensure_ascii=False)
    return f'{{"type":"FeatureCollection","care_kind_names":{names},"features":[{features}]}}'


def network_changed(*_args, **_kwargs) -> None:
    """The clinics, their coverage or the kinds of care changed: cached collections are stale.
    (A signal receiver too.) The counter is in the database, in the change's transaction: a
    restart of Redis cannot rewind it and bring an older network's keys back."""
    forget_all()
    version_bump(VERSION_KEY)


def network_version() -> str:
    """A text that changes whenever the clinic network does: the counter `network_changed` bumps,
    and the clinic table's count, top id and last change (for writes that send no signal, such
    as bulk ones), read in one query. Anything cached from the network goes under it."""
    from .models import Clinic

    counter_sql, counter_params = version_sql(VERSION_KEY)
    table = connection.ops.quote_name(Clinic._meta.db_table)
    updated = connection.ops.quote_name(Clinic._meta.get_field("updated_at").column)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT ({counter_sql}), COUNT(*), MAX(id), MAX({updated}) FROM {table}",  # noqa: S608
            counter_params,
        )
        counter, n, top, last = cursor.fetchone()
    return f"{counter or 0}:{n}:{top}:{last.timestamp() if last else 0}"


def cached_collection(parts: tuple, build: Callable[[], str]) -> bytes:
    """The collection of the filters `parts` (anything with a stable repr), UTF-8 encoded, from
    the cache when the network has not changed since it was built: kept in the process too (a
    whole-network collection, 1.4 MB, took ~5 ms to fetch from Redis, unpickle and encode on
    each request, `make bench`)."""
    digest = hashlib.sha256(repr(parts).encode()).hexdigest()[:32]
    key = f"clinics:geojson:{network_version()}:{digest}"
    return versioned_get(key, lambda: build().encode(), CACHE_SECONDS)


def collection_for(query, kinds: Sequence[CareKind], *, base_url: str) -> bytes:
    """The map's collection of a ClinicQuery (the page's and the API's), cached by its filters."""
    from .selectors import clinics_geojson_rows

    def build() -> str:
        rows = clinics_geojson_rows(query, kinds)
        if connection.vendor == "postgresql":
            return feature_collection_in_database(rows, kinds=kinds, base_url=base_url)
        return feature_collection(rows, kinds=kinds, base_url=base_url)

    parts = (
        None if query.program_ids is None else tuple(sorted(query.program_ids)),
        query.care_kind.pk if query.care_kind else None,
        query.city,
        query.online_booking,
        query.text,
        query.bbox,
        base_url,
    )
    return cached_collection(parts, build)
