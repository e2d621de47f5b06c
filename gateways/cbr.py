"""The Bank of Russia's official exchange rates over HTTP: one function per remote call.

`XML_daily.asp?date_req=DD/MM/YYYY` answers, in windows-1251, the rates set for the requested
day or, when none is set for it yet (tomorrow's before the afternoon, a weekend), the latest ones:
`<ValCurs Date="DD.MM.YYYY">` names the day the answer is for, and each
`<Valute><CharCode>EUR</CharCode><Nominal>1</Nominal><Value>105,1234</Value>` gives roubles for
`Nominal` units with a decimal comma. The URL comes from `CBR_DAILY_URL`; empty turns it off.
"""

from __future__ import annotations

import datetime
import logging
import xml.etree.ElementTree as ET  # noqa: S405 — the answer is checked for a DTD before parsing
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import NamedTuple

import requests
from django.conf import settings

logger = logging.getLogger(__name__)

RATE_PLACES = Decimal("0.0001")
MAX_ANSWER_BYTES = 1_000_000  # the real answer is about 10 kB


class CbrError(Exception):
    """The Bank could not be reached, or answered something that is not a usable rate."""


class OfficialRate(NamedTuple):
    currency: str
    day: datetime.date  # the day the Bank set the rate for (its answer's Date)
    rate: Decimal  # roubles for one unit, 4 decimals


def daily_rate(*, currency: str, day: datetime.date) -> OfficialRate:
    """The Bank's rate of `currency` for `day` (or the latest before it, as the Bank answers).
    Raises CbrError on any failure; call only when `settings.CBR_DAILY_URL` is set."""
    url = f"{settings.CBR_DAILY_URL}?date_req={day:%d/%m/%Y}"
    try:
        with requests.get(url, timeout=settings.CBR_TIMEOUT, stream=True) as response:
            response.raise_for_status()
            body = response.raw.read(MAX_ANSWER_BYTES + 1, decode_content=True)
    except requests.RequestException as exc:
        raise CbrError(f"the request failed: {exc}") from exc
    if len(body) > MAX_ANSWER_BYTES:
        raise CbrError(f"the answer is larger than {MAX_ANSWER_BYTES} bytes")
    return parse_daily(body, currency=currency)


def parse_daily(body: bytes, *, currency: str) -> OfficialRate:
    """The rate of `currency` in the Bank's daily XML (the bytes as sent, windows-1251)."""
    # No DTD at all: the Bank's answer has none, and refusing it rules out entity expansion and
    # external entities whatever the XML parser does with them (what defusedxml forbids).
    if b"<!DOCTYPE" in body or b"<!ENTITY" in body:
        raise CbrError("the answer carries a DTD")
    try:
        root = ET.fromstring(body)  # noqa: S314 — no DTD (checked above), size bounded
    except (ET.ParseError, LookupError, ValueError) as exc:  # an unknown or multi-byte encoding
        raise CbrError(f"the answer is not XML: {exc}") from exc
    if root.tag != "ValCurs":
        raise CbrError(f"the answer's root is <{root.tag}>, not <ValCurs>")
    try:
        day = datetime.datetime.strptime(root.get("Date", ""), "%d.%m.%Y").date()
    except ValueError as exc:
        raise CbrError(f"the answer's Date is {root.get('Date')!r}") from exc
    valute = next(
        (v for v in root.iter("Valute") if (v.findtext("CharCode") or "").strip() == currency),
        None,
    )
    if valute is None:
        raise CbrError(f"the answer of {day:%d.%m.%Y} has no {currency}")
    nominal_text = (valute.findtext("Nominal") or "").strip()
    value_text = (valute.findtext("Value") or "").strip()
    try:
        nominal = int(nominal_text)
        value = Decimal(value_text.replace(",", "."))
    except (ValueError, InvalidOperation) as exc:
        raise CbrError(f"{currency}: Nominal {nominal_text!r}, Value {value_text!r}") from exc
    if nominal <= 0 or not value.is_finite() or value <= 0:
        raise CbrError(f"{currency}: Nominal {nominal_text!r}, Value {value_text!r}")
    rate = (value / nominal).quantize(RATE_PLACES, rounding=ROUND_HALF_UP)
    if rate <= 0:
        raise CbrError(f"{currency}: {value_text} for {nominal} rounds to zero")
    return OfficialRate(currency=currency, day=day, rate=rate)
