"""Russian formats shared by every page, PDF and e-mail: phones and roubles."""

import re
from decimal import ROUND_HALF_UP, Decimal

NBSP = "\u00a0"


def phone_digits(phone: str) -> str:
    """The digits of a phone, a Russian 8-… number read as +7."""
    digits = re.sub(r"\D", "", phone or "")
    if len(digits) == 11 and digits[0] == "8":
        digits = "7" + digits[1:]
    return digits


def phone_display(phone: str) -> str:
    """+78003024419 or 8-800-302-44-19 → «+7 (800) 302-44-19»; anything else as given."""
    digits = phone_digits(phone)
    if len(digits) == 11 and digits[0] == "7":
        d = digits[1:]
        return f"+7{NBSP}({d[:3]}){NBSP}{d[3:6]}-{d[6:8]}-{d[8:]}"
    return phone or ""


def phone_href(phone: str) -> str:
    """The tel: link of a phone: «tel:+78003024419»."""
    digits = phone_digits(phone)
    return f"tel:+{digits}" if digits else ""


def group_thousands(whole: int) -> str:
    return f"{whole:,}".replace(",", NBSP)


def money(amount: Decimal | int | float | None, currency: str = "руб.") -> str:
    """544 → «544 руб.», 8734.56 → «8 734,56 руб.» (kopecks only when there are any)."""
    if amount is None:
        return ""
    value = Decimal(amount).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    sign = "-" if value < 0 else ""
    value = abs(value)
    whole = int(value)
    kopecks = int((value - whole) * 100)
    text = group_thousands(whole) + (f",{kopecks:02d}" if kopecks else "")
    return f"{sign}{text}{NBSP}{currency}"
