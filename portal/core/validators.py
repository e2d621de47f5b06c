"""Validators of free text a person or an operator types: no invisible control characters.

Django's form CharField already refuses NUL (PostgreSQL's text columns cannot store it); the other
C0 and C1 controls and the bidirectional overrides are refused here: they are never typed, they
come from a copy-paste or a forged request, and an override (U+202E) makes a text read backwards
in a letter, a PDF or the operator's queue. Tab, line feed and carriage return are text.
"""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")

# Free text without a limit of its own in the model (a TextField): the form's limit.
LONG_TEXT_MAX_LENGTH = 5000


def refuse_control_characters(value: str) -> None:
    if isinstance(value, str) and CONTROL_CHARACTERS.search(value):
        raise ValidationError(
            _(
                "В тексте есть служебные невидимые символы (обычно они попадают при копировании). "
                "Наберите текст заново или вставьте его как простой текст."
            ),
            code="control_characters",
        )
