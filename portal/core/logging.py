"""A logging filter that keeps personal data out of every log line."""

import logging
import re

# Passport (series + number), card numbers (13–19 digits), SMS or PIN codes after a keyword, and
# ICD-10 codes after a keyword: replaced with a mark before any handler formats the record.
_PATTERNS = [
    (re.compile(r"\b\d{4}[ -]?\d{6}\b"), "[паспорт скрыт]"),
    (re.compile(r"\b(?:\d[ -]?){13,19}\b"), "[номер скрыт]"),
    (
        re.compile(r"(?i)\b(code|код|pin|пин|otp|password|пароль)(\W{1,3})\S+"),
        r"\1\2[скрыто]",
    ),
    (re.compile(r"(?i)\b(icd10|мкб[- ]?10|diagnosis|диагноз)(\W{1,3})[^,;]+"), r"\1\2[скрыто]"),
]


def redact(text: str) -> str:
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


class PersonalDataFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg = cleaned
            record.args = None
        return True
