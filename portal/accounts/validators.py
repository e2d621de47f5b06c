"""Checks of personal data entered by a person; each failure is a Russian message."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

PIN_RE = re.compile(r"^\d{4,6}$")


def validate_pin(pin: str) -> None:
    """A PIN of 4–6 digits that is not trivially weak (one digit repeated, a run up or down)."""
    if not PIN_RE.match(pin or ""):
        raise ValidationError(_("PIN-код — от 4 до 6 цифр"), code="pin_format")
    digits = [int(c) for c in pin]
    steps = {b - a for a, b in zip(digits, digits[1:], strict=False)}
    if len(set(digits)) == 1 or steps in ({1}, {-1}):
        raise ValidationError(
            _("Такой PIN-код слишком легко угадать (например, 0000 или 1234): придумайте другой"),
            code="pin_weak",
        )
