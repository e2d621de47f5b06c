"""Cyrillic to Latin by ICAO Doc 9303, as in Russian international passports since 2014: the
name on a ВЗР/ВПМК policy must read the same as in the passport shown abroad."""

import re

from portal.core.translit import ICAO, latin  # noqa: F401 — one table for every app


def ascii_filename(name: str) -> str:
    """A file name that any HTTP client and file system takes: Latin letters, digits, «.-_»."""
    text = latin(name)
    text = re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-.")
    return re.sub(r"-{2,}", "-", text) or "document"


def user_latin_name(user) -> tuple[str, str]:
    """(surname, given name) in capitals as the person's foreign passport prints them: what they
    wrote in «Личная информация», else their name transliterated by ICAO."""
    last = (getattr(user, "last_name_latin", "") or latin(user.last_name or "")).upper()
    first = (getattr(user, "first_name_latin", "") or latin(user.first_name or "")).upper()
    return last, first
