"""An emulator of DaData's address suggestions (Suggestions API 4.1), for development and tests
only: portal/urls.py mounts it at /dadata-emulator/suggestions/api/4_1/rs/ when DADATA_EMULATOR
is on; the production settings refuse to start with it.

It answers from gazetteer.json (the demo cities' streets and houses with their coordinates) in
DaData's shape: «value» as «г Москва, ул Тверская, д 12», data.city, data.street_with_type,
data.house, data.region_kladr_id, data.geo_lat and data.geo_lon as strings. A request without
«Authorization: Token …» gets 401, as the real API answers; the query «сбой» answers 503.
"""

import functools
import json
import re
from pathlib import Path

from django.http import HttpRequest, JsonResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

GAZETTEER = Path(__file__).with_name("gazetteer.json")
BROKEN_QUERY = "сбой"
# The street types as the register writes them, in DaData's short form (the words «ул», «пер»).
STREET_TYPES = {
    "ул.": "ул", "пер.": "пер", "просп.": "пр-кт", "пр-т": "пр-кт", "пл.": "пл", "наб.": "наб",
    "ш.": "ш", "б-р": "б-р", "бул.": "б-р", "проезд": "проезд", "линия": "линия",
}  # fmt: skip


def _norm(text: str) -> str:
    text = text.casefold().replace("ё", "е")
    return " ".join(re.sub(r"[^\w/]+", " ", text).split())


def _street_with_type(street: str) -> str:
    words = street.split()
    for i, word in enumerate(words):
        short = STREET_TYPES.get(word.casefold())
        if short:
            rest = " ".join(words[:i] + words[i + 1 :])
            return f"{short} {rest}"
    return street


@functools.cache
def _addresses() -> list[dict]:
    rows = []
    for street in json.loads(GAZETTEER.read_text(encoding="utf-8"))["streets"]:
        city = street["city"]
        with_type = _street_with_type(street["street"])
        city_with_type = f"г {city}"
        for house, (lat, lon) in street["houses"].items():
            value = f"{city_with_type}, {with_type}, д {house}"
            rows.append(
                {
                    "value": value,
                    "unrestricted_value": value,
                    "data": {
                        "country": "Россия",
                        "region_kladr_id": street["region_kladr_id"],
                        "region_with_type": street["region_with_type"],
                        "city": city,
                        "city_with_type": city_with_type,
                        "street_with_type": with_type,
                        "house_type": "д",
                        "house": house,
                        "geo_lat": f"{lat:.6f}",
                        "geo_lon": f"{lon:.6f}",
                        "qc_geo": "0",
                    },
                    "_words": _norm(f"{city} {street['street']} {with_type} {house}").split(),
                }
            )
    return rows


def _matches(words: list[str], query: list[str]) -> bool:
    # every word of the query begins some word of the address («твер 12», «москва тверская»)
    return all(any(w.startswith(q) for w in words) for q in query)


def suggest(query: str, count: int) -> list[dict]:
    wanted = [q for q in _norm(query).split() if q not in {"г", "д", "дом", "ул", "улица"}]
    if not wanted:
        return []
    found = [row for row in _addresses() if _matches(row["_words"], wanted)]
    return [{k: v for k, v in row.items() if k != "_words"} for row in found[:count]]


@csrf_exempt
@require_POST
def suggest_address(request: HttpRequest) -> JsonResponse:
    if not request.headers.get("Authorization", "").startswith("Token "):
        return JsonResponse({"family": "CLIENT_ERROR", "reason": "Forbidden"}, status=401)
    try:
        body = json.loads(request.body)
        query = str(body["query"])
        count = int(body.get("count", 10))
    except (ValueError, KeyError, TypeError):
        return JsonResponse({"family": "CLIENT_ERROR", "reason": "Bad Request"}, status=400)
    if _norm(query) == BROKEN_QUERY:
        return JsonResponse({"family": "SERVER_ERROR", "reason": "Unavailable"}, status=503)
    return JsonResponse(
        {"suggestions": suggest(query, max(1, min(count, 20)))},
        json_dumps_params={"ensure_ascii": False},
    )


urlpatterns = [path("suggest/address", suggest_address, name="dadata_emulator_suggest")]
