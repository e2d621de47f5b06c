"""Russian formats of what the clinic pages print: phones, distances, days."""

import datetime
import re

from django.utils import formats
from django.utils.translation import gettext as _

NBSP = "\u00a0"


def phone_digits(phone: str) -> str:
    digits = re.sub(r"\D", "", phone or "")
    if len(digits) == 11 and digits[0] == "8":
        digits = "7" + digits[1:]
    return digits


def phone_display(phone: str) -> str:
    """«+74951234567» → «+7 (495) 123-45-67»; a number of another shape is shown as stored."""
    digits = phone_digits(phone)
    if len(digits) == 11 and digits[0] == "7":
        d = digits[1:]
        return f"+7{NBSP}({d[:3]}){NBSP}{d[3:6]}-{d[6:8]}-{d[8:]}"
    return phone or ""


def phone_href(phone: str) -> str:
    """The tel: link: «tel:+74951234567»."""
    digits = phone_digits(phone)
    return f"tel:+{digits}" if digits else ""


def distance_display(km: float | None) -> str:
    """1.234 → «1,2 км»; 152.4 → «152 км» (a decimal only where it helps)."""
    if km is None:
        return ""
    text = f"{km:.1f}" if km < 100 else f"{km:.0f}"
    return f"{text.replace('.', ',')}{NBSP}{_('км')}"


def day_display(day: datetime.date) -> str:
    """«понедельник, 12 января» in the active (Russian) locale."""
    return formats.date_format(day, "l, j E")
