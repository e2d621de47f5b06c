"""The EUR rate of the travel (ВЗР) quote kept current from the Bank of Russia (gateways.cbr).

Rule for a day that already has a row: the stored row is kept. The Bank does not change a rate
once set, so a row it wrote is found equal and nothing happens; a row that differs was typed in
the admin, and an operator's number is never overwritten silently: it is kept and a warning is
logged (to take the Bank's, delete the row in the admin and run `fetch_currency_rates`).
"""

from __future__ import annotations

import datetime
import logging
from typing import NamedTuple

from django.conf import settings
from django.core.exceptions import ValidationError

from gateways import cbr

from .models import CurrencyRate
from .travel import CURRENCY

logger = logging.getLogger(__name__)

SOURCE = "Банк России"


class RateFetch(NamedTuple):
    outcome: str  # "created", "unchanged", "kept" (a different row was there), "failed", "off"
    rate: CurrencyRate | None = None
    detail: str = ""


def currency_rate_fetch(*, day: datetime.date, currency: str = CURRENCY) -> RateFetch:
    """Store the Bank's rate of `currency` set for `day` (or for the latest day before it the
    Bank has one for: the answer's own day is stored). Safe to run twice. Never raises for the
    Bank's failures: they change nothing and are logged as warnings, and quotes keep using the
    latest stored rate."""
    if not settings.CBR_DAILY_URL:
        return RateFetch("off", detail="CBR_DAILY_URL is empty")
    try:
        official = cbr.daily_rate(currency=currency, day=day)
        row = CurrencyRate(
            currency=official.currency, day=official.day, rate=official.rate, source=SOURCE
        )
        row.full_clean(validate_unique=False, validate_constraints=False)  # e.g. too many digits
    except (cbr.CbrError, ValidationError) as exc:
        logger.warning(
            "The Bank of Russia's %s rate for %s was not fetched: %s", currency, day, exc
        )
        return RateFetch("failed", detail=str(exc))
    # get_or_create: a second run at the same moment finds the first one's row
    stored, created = CurrencyRate.objects.get_or_create(
        currency=row.currency, day=row.day, defaults={"rate": row.rate, "source": row.source}
    )
    if created:
        logger.info("The Bank of Russia's %s rate for %s stored: %s", currency, row.day, row.rate)
        return RateFetch("created", stored)
    if stored.rate == row.rate:
        return RateFetch("unchanged", stored)
    logger.warning(
        "The %s rate for %s is kept as stored (%s, source %r); the Bank of Russia's is %s",
        currency,
        row.day,
        stored.rate,
        stored.source,
        row.rate,
    )
    return RateFetch("kept", stored, detail=f"the Bank of Russia's is {row.rate}")
