"""Background work of the shop: safe to run twice (a second run finds the work done)."""

import datetime

from celery import shared_task
from django.utils import timezone

from . import rates


@shared_task
def currency_rates_fetch() -> str:
    """Twice each afternoon (CELERY_BEAT_SCHEDULE): tomorrow's EUR rate from the Bank of Russia,
    which sets it in the afternoon Moscow time; before that the Bank answers today's, already
    stored. A failure is logged and left for the next run."""
    return rates.currency_rate_fetch(day=timezone.localdate() + datetime.timedelta(days=1)).outcome
