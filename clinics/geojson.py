"""The map's FeatureCollection (RFC 7946), written as text straight from the database rows.

Thousands of clinics per request: decoding each clinic's phones from JSON, building nested dicts
and encoding them again took as long as the query itself (5,000 clinics: ~45 ms of the ~100 ms
budget on the bench machine). Here the phones stay the JSON text the database holds, the other
strings go through the json module's own escaping, and numbers are Python's shortest repr.
"""

import json
from collections.abc import Iterable, Sequence

from policies.models import CareKind

CONTENT_TYPE = "application/geo+json"

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
