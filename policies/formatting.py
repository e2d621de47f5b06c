"""Russian formats of what the policy pages and PDFs print: phones, roubles, terms."""

import datetime

from portal.core.formatting import (  # noqa: F401 — the policy pages' formats, in one import
    NBSP,
    group_thousands,
    money,
    phone_digits,
    phone_display,
    phone_href,
)


def term(starts_on: datetime.date, ends_on: datetime.date) -> str:
    return f"с {starts_on:%d.%m.%Y} по {ends_on:%d.%m.%Y}"
