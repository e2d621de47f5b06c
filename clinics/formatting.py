"""Russian formats of what the clinic pages print: phones, distances, days."""

import datetime

from django.utils import formats
from django.utils.translation import gettext as _

from portal.core.formatting import (  # noqa: F401 — the clinic pages' phone formats
    NBSP,
    phone_digits,
    phone_display,
    phone_href,
)


def distance_display(km: float | None) -> str:
    """1.234 → «1,2 км»; 152.4 → «152 км» (a decimal only where it helps)."""
    if km is None:
        return ""
    text = f"{km:.1f}" if km < 100 else f"{km:.0f}"
    return f"{text.replace('.', ',')}{NBSP}{_('км')}"


def day_display(day: datetime.date) -> str:
    """«понедельник, 12 января» in the active (Russian) locale."""
    return formats.date_format(day, "l, j E")
