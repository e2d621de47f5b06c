"""DaData's address suggestions (Suggestions API 4.1: POST {base}/suggest/address, header
«Authorization: Token <API key>», body {"query", "count", "locations"}; the answer
{"suggestions": [{"value", "unrestricted_value", "data": {..., "geo_lat", "geo_lon"}}]}).

One function per remote call. DADATA_SUGGESTIONS_URL says where the service is: in development and
tests, the emulator of this server (devtools.dadata_emulator); empty, suggestions are off. Any
failure raises DadataUnavailable with a reason in Russian: the form then takes the address as
typed and the map or «Моё местоположение» gives the point.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

import requests
from django.conf import settings
from django.utils.translation import gettext as _

MAX_COUNT = 20  # the API's own limit


class DadataUnavailable(Exception):
    """The suggestion service did not answer (its message says why, in Russian)."""


@dataclass(frozen=True)
class AddressSuggestion:
    value: str  # «г Москва, ул Тверская, д 12»
    unrestricted_value: str
    city: str
    region_code: str  # the subject's two digits (region_kladr_id's first two): «77»
    latitude: Decimal | None  # data.geo_lat: None when DaData knows no point for the address
    longitude: Decimal | None

    @property
    def has_point(self) -> bool:
        return self.latitude is not None and self.longitude is not None


def _decimal(value) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def _suggestion(item: dict) -> AddressSuggestion:
    data = item.get("data") or {}
    kladr = str(data.get("region_kladr_id") or "")
    return AddressSuggestion(
        value=str(item["value"]),
        unrestricted_value=str(item.get("unrestricted_value") or item["value"]),
        city=str(data.get("city") or data.get("settlement") or ""),
        region_code=kladr[:2],
        latitude=_decimal(data.get("geo_lat")),
        longitude=_decimal(data.get("geo_lon")),
    )


def address_suggest(query: str, *, count: int = 7) -> list[AddressSuggestion]:
    """Addresses that begin like `query`, best first (the API asks for at least a few letters;
    an empty query gives nothing without a call)."""
    query = " ".join(query.split())[:300]
    if not query:
        return []
    base = settings.DADATA_SUGGESTIONS_URL
    if not base:
        raise DadataUnavailable(_("подсказки адресов не подключены"))
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    if settings.DADATA_API_KEY:
        headers["Authorization"] = f"Token {settings.DADATA_API_KEY}"
    try:
        response = requests.post(
            f"{base.rstrip('/')}/suggest/address",
            json={"query": query, "count": max(1, min(count, MAX_COUNT))},
            headers=headers,
            timeout=(settings.DADATA_CONNECT_TIMEOUT, settings.DADATA_TIMEOUT),
        )
    except requests.Timeout:
        raise DadataUnavailable(_("сервис подсказок адресов не ответил вовремя")) from None
    except requests.RequestException:
        raise DadataUnavailable(_("сервис подсказок адресов недоступен")) from None
    if response.status_code != 200:
        raise DadataUnavailable(
            _("сервис подсказок адресов ответил ошибкой %(code)s") % {"code": response.status_code}
        )
    try:
        return [_suggestion(item) for item in response.json()["suggestions"]]
    except (ValueError, KeyError, TypeError):
        raise DadataUnavailable(_("сервис подсказок адресов ответил непонятно")) from None


def address_locate(address: str) -> AddressSuggestion | None:
    """The first suggestion for a whole address that has a point, or None."""
    for suggestion in address_suggest(address, count=1):
        if suggestion.has_point:
            return suggestion
    return None
