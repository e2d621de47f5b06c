"""Russian formats shared by every page, PDF and e-mail: phones and roubles."""

import re
from decimal import ROUND_HALF_UP, Decimal

NBSP = "\u00a0"

# Latin letters that look like Cyrillic ones (on a policy card, a number plate, an ОСАГО policy):
# typed on an English keyboard, they are read as the Cyrillic letters.
LATIN_LOOKALIKES = dict(zip("ABCEHKMOPTXY", "АВСЕНКМОРТХУ", strict=True))
LATIN_TO_CYRILLIC = str.maketrans(LATIN_LOOKALIKES)


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


def number(value: Decimal | int | float | None, places: int | None = None) -> str:
    """1450000 → «1 450 000», 1.5 with places=2 → «1,50», 0.15 → «0,15»: thousands by a
    non-breaking space, a comma before the fraction; places=None keeps the value's own digits
    (trailing zeros dropped)."""
    if value is None or value == "":
        return ""
    value = Decimal(str(value))
    if places is not None:
        value = value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
        text = f"{abs(value):.{places}f}"
    else:
        text = format(abs(value).normalize(), "f")
        if "." in text:
            text = text.rstrip("0").rstrip(".")
    whole, _, fraction = text.partition(".")
    sign = "-" if value < 0 else ""
    return sign + group_thousands(int(whole)) + (f",{fraction}" if fraction else "")


def percent(value: Decimal | int | float | None) -> str:
    """0.15 → «0,15 %», 20 → «20 %» (a non-breaking space before the sign, as GOST writes it)."""
    text = number(value)
    return f"{text}{NBSP}%" if text else ""


def plural_index(count: int) -> int:
    """Russian's three forms: 0 for 1, 21, 101…; 1 for 2–4, 22–24…; 2 for 0, 5–20, 25–30…
    The same rule as the catalogue's Plural-Forms (locale/ru/LC_MESSAGES/django.po)."""
    count = abs(int(count))
    if count % 10 == 1 and count % 100 != 11:
        return 0
    if 2 <= count % 10 <= 4 and not 12 <= count % 100 <= 14:
        return 1
    return 2


def plural(count: int, forms: str) -> str:
    """count=3, forms="услуга|услуги|услуг" → «3 услуги» (a non-breaking space between)."""
    one, few, many = forms.split("|")
    return f"{group_thousands(int(count))}{NBSP}{(one, few, many)[plural_index(count)]}"


def date_ru(value) -> str:
    """A date as «дд.мм.гггг» (a datetime in the current time zone's day)."""
    if not value:
        return ""
    return f"{value:%d.%m.%Y}"


def quantity(value, unit: str = "") -> str:
    """A figure of a calculation by its unit: "rub" «1 450 000 руб.», "x" «×1,50», "pct"
    «0,15 %», "eur" «50 000 EUR»; no unit: the number in Russian style, anything else as given."""
    try:
        if unit == "rub":
            return money(Decimal(str(value)))
        if unit == "x":
            digits = -Decimal(str(value)).normalize().as_tuple().exponent
            return f"×{number(value, max(2, digits))}"
        if unit == "pct":
            return percent(value)
        if unit == "sum":  # «1.00 + 1.00 + 1.50» → «1,00 + 1,00 + 1,50»
            return " + ".join(number(part, 2) for part in str(value).split(" + "))
        if unit == "eur":
            return f"{number(value)}{NBSP}EUR"
        return number(value)
    except (ArithmeticError, ValueError, TypeError):
        return "" if value is None else str(value)
