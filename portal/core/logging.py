"""Personal data kept out of every log line and every error report.

`redact()` replaces, in any text, what identifies a person or tells about their health: e-mail
addresses, Russian phone numbers, names written «Фамилия Имя Отчество» (or «Фамилия И. О.»),
postal and IP addresses, passports, СНИЛС, policy and card numbers, SMS and PIN codes, diagnoses.
`redact_data()` does the same through dicts and lists, and hides whole values under the keys that
name a person's data ("email", "last_name", "passport"...): logging's `extra` and Sentry's events
(portal.core.sentry) go through it.

`PersonalDataFilter` sits on every log handler (settings.LOGGING): it rewrites the record's
message, its arguments and its extra fields before any formatter sees them; the formatters
(`MaskingFormatter`, `MaskingJsonFormatter`) mask the traceback and the stack they print.
"""

from __future__ import annotations

import ipaddress
import logging
import re
from collections.abc import Mapping
from typing import Any

from pythonjsonlogger.json import JsonFormatter

HIDDEN = "[скрыто]"

# A Cyrillic word starting with a capital, and a patronymic (the part that makes three capitalised
# words a name rather than «Главное Управление Москвы»).
_WORD = r"[А-ЯЁ][а-яё]+(?:-[А-ЯЁ][а-яё]+)?"
_PATRONYMIC = r"[А-ЯЁ][а-яё]+(?:вич|вна|ична|инична|оглы|кызы)"
_STREET = (
    r"(?:ул|просп|пер|наб|ш|бул|пл|мкр|туп)\.|(?:пр-т|б-р|пр-д)\.?|"
    r"(?:улица|проспект|переулок|набережная|шоссе|бульвар|площадь|микрорайон|проезд|тупик)\b"
)


_OWN_NETWORKS = tuple(
    ipaddress.ip_network(net)
    for net in ("127.0.0.0/8", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16")
)


def _public_ip_hidden(match: re.Match[str]) -> str:
    """A public IPv4 address hidden; the portal's own hosts (private, loopback) are left."""
    try:
        address = ipaddress.ip_address(match.group(0))
    except ValueError:
        return match.group(0)
    return match.group(0) if any(address in net for net in _OWN_NETWORKS) else "[IP скрыт]"


# Order matters: the specific patterns (e-mails, phones, addresses with their house numbers) run
# before the generic digit runs that would take only a part of them.
_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"), "[e-mail скрыт]"),
    # +7 916 123-45-67, 8 (916) 123 45 67, 79161234567, +7-916-1234567
    (
        re.compile(
            r"(?<![\w+])(?:\+7|8|7)[\s(-]{0,2}\d{3}[\s)-]{0,2}\d{3}[\s-]?\d{2}[\s-]?\d{2}\b"
        ),
        "[телефон скрыт]",
    ),
    # «адрес: …» up to the end of the clause, then street names with the house and flat after them
    (re.compile(r"(?i)\b(адрес\w*|address)(\W{1,3})[^;\n]+"), rf"\1\2{HIDDEN}"),
    (
        re.compile(
            rf"(?i)(?<!\w)(?:{_STREET})\s*[^,;\n]+"
            r"(?:,\s*(?:квартира|корп|кв|офис|оф|стр|дом|д|к)\b\.?\s*[\w/-]+)*"
        ),
        "[адрес скрыт]",
    ),
    # policy numbers: «полис № …», «ДМС-0147-000001», «ВЗР-0147000001», «ХХХ 0123456789» (ОСАГО)
    (
        re.compile(r"(?i)\b(полис\w*|policy)(\s*(?:№|no\.?|number|номер)\s*)[^\s,;]+"),
        r"\1\2[скрыто]",
    ),
    (re.compile(r"\b[А-ЯЁA-Z]{2,6}-\d[\d-]{5,}\b"), "[полис скрыт]"),
    (re.compile(r"\b[А-ЯЁA-Z]{3}\s?№?\s?\d{10}\b"), "[полис скрыт]"),
    (re.compile(r"\b\d{3}-\d{3}-\d{3}[ -]\d{2}\b"), "[СНИЛС скрыт]"),
    # a client's public address (rate-limit keys, REMOTE_ADDR) identifies the person too
    (re.compile(r"(?<![\d.])(?:\d{1,3}\.){3}\d{1,3}(?![\d.])"), _public_ip_hidden),
    (re.compile(r"(?i)\bсерия\s*\d{2}\s?\d{2}\s*(?:№|номер)?\s*\d{6}\b"), "[паспорт скрыт]"),
    (re.compile(r"\b\d{2} ?\d{2} ?\d{6}\b"), "[паспорт скрыт]"),
    (re.compile(r"\b(?:\d[ -]?){13,19}\b"), "[номер скрыт]"),
    (
        re.compile(r"(?i)\b(code|код|pin|пин|otp|password|пароль)(\W{1,3})[^\s,;]+"),
        r"\1\2[скрыто]",
    ),
    (re.compile(r"(?i)\b(icd10|мкб[- ]?10|diagnosis|диагноз)(\W{1,3})[^,;]+"), r"\1\2[скрыто]"),
    # «Смирнов Алексей Петрович», «Алексей Петрович Смирнов», «Смирнов А. П.», «Смирнов А.П.»
    (re.compile(rf"\b{_WORD}\s+{_WORD}\s+{_PATRONYMIC}\b"), "[ФИО скрыто]"),
    (re.compile(rf"\b{_WORD}\s+{_PATRONYMIC}\s+{_WORD}\b"), "[ФИО скрыто]"),
    (re.compile(rf"\b{_WORD}\s+[А-ЯЁ]\.\s?[А-ЯЁ]\."), "[ФИО скрыто]"),
]

# Keys whose whole value is a person's data, wherever they appear (logging's extra, Sentry's
# request data, user, contexts): compared lower-case, "-" read as "_".
PERSONAL_KEYS = frozenset(
    {
        "email",
        "e_mail",
        "phone",
        "phone_number",
        "mobile",
        "first_name",
        "last_name",
        "middle_name",
        "full_name",
        "fio",
        "surname",
        "patronymic",
        "birth_date",
        "date_of_birth",
        "address",
        "passport",
        "passport_number",
        "passport_series",
        "snils",
        "inn",
        "policy_number",
        "card_number",
        "pan",
        "code",
        "sms_code",
        "pin",
        "password",
        "password1",
        "password2",
        "diagnosis",
        "icd10",
        "ip_address",
        "username",
        "login",
    }
)


def redact(text: str) -> str:
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


def personal_key(key: object) -> bool:
    return isinstance(key, str) and key.lower().replace("-", "_") in PERSONAL_KEYS


def redact_data(value: Any, *, depth: int = 0) -> Any:
    """`value` with every string redacted and every personal key's value hidden (dicts, lists,
    tuples; other values as they are). Deep structures stop being walked at 20 levels."""
    if depth > 20:
        return HIDDEN
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, Mapping):
        return {
            key: HIDDEN
            if personal_key(key) and item not in (None, "")
            else redact_data(item, depth=depth + 1)
            for key, item in value.items()
        }
    if isinstance(value, list | tuple):
        return type(value)(redact_data(item, depth=depth + 1) for item in value)
    return value


# What every LogRecord has; anything else came in through `extra`.
_RECORD_FIELDS = frozenset(logging.LogRecord("", 0, "", 0, "", None, None).__dict__) | {
    "message",
    "asctime",
    "taskName",
}


class PersonalDataFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, dict):
            record.msg = redact_data(record.msg)
        else:
            message = record.getMessage()
            cleaned = redact(message)
            if cleaned != message:
                record.msg = cleaned
                record.args = None
        # The traceback (the exception's message, the source lines quoted) is redacted by the
        # formatters below when they print it; one printed already is redacted here.
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        for key, value in list(record.__dict__.items()):
            if key in _RECORD_FIELDS or key.startswith("_"):
                continue
            if personal_key(key) and value not in (None, ""):
                setattr(record, key, HIDDEN)
            elif isinstance(value, str | Mapping | list | tuple):
                setattr(record, key, redact_data(value))
            elif not isinstance(value, int | float | type(None)):
                # an object (Django's `request`...): what a formatter would print of it, redacted
                setattr(record, key, redact(str(value)))
        return True


class _MaskedTracebacks:
    """The traceback and the stack a formatter prints, masked."""

    def formatException(self, ei) -> str:  # noqa: N802 (logging's name)
        return redact(super().formatException(ei))

    def formatStack(self, stack_info: str) -> str:  # noqa: N802
        return redact(super().formatStack(stack_info))


class MaskingFormatter(_MaskedTracebacks, logging.Formatter):
    """Plain-text lines, tracebacks and stacks masked too (settings.LOGGING "text")."""


class MaskingJsonFormatter(_MaskedTracebacks, JsonFormatter):
    """One JSON object a line (python-json-logger), tracebacks and stacks masked (production)."""
