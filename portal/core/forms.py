"""Form fields of the admin and the cabinet that Django's own do not make safe enough."""

import datetime
import re

from django import forms
from django.core.exceptions import ValidationError
from django.forms.fields import InvalidJSONInput
from django.utils.translation import gettext as _


class JSONFormField(forms.JSONField):
    """Django's JSONField reads only a JSONDecodeError as bad input: a number of more than 4,300
    digits raises a ValueError from int() (CPython's limit against quadratic conversion), which
    became a 500 (in cleaning, and again in showing the form with its error). Any ValueError is
    the field's «invalid» error here, and the text is shown back as it was typed."""

    def to_python(self, value):
        try:
            return super().to_python(value)
        except ValidationError:
            raise
        except ValueError:
            raise ValidationError(
                self.error_messages["invalid"], code="invalid", params={"value": value}
            ) from None

    def bound_data(self, data, initial):
        try:
            return super().bound_data(data, initial)
        except ValueError:
            return InvalidJSONInput(data)


_DATE_PARTS = re.compile(r"^\s*(\d{1,4})[.\-/](\d{1,2})[.\-/](\d{1,4})\s*$")


def date_error(text: str) -> str | None:
    """What is wrong with a typed date, in words: «31.02.1990 — такой даты нет»; None when the
    text does not even look like a date (the field's own message says the format then)."""
    match = _DATE_PARTS.match(text or "")
    if not match:
        return None
    first, month, last = match.groups()
    year, day = (first, last) if len(first) == 4 else (last, first)
    shown = f"{int(day):02d}.{int(month):02d}.{year}"
    try:
        datetime.date(int(year), int(month), int(day))
    except ValueError:
        if not 1 <= int(month) <= 12:
            return _("%(date)s — месяца %(month)s не бывает") % {"date": shown, "month": month}
        return _("%(date)s — такой даты нет") % {"date": shown}
    return None


class FlatSelect(forms.Select):
    """A select of many plain options (a person's clinics in the filters of «Мои страховые
    случаи»: a hundred at the bench's `xlarge`). Django's template includes two templates for each
    option, ~0.1 ms an option; this one writes the option in its own loop. No option groups and
    no attributes on an option but «selected»."""

    template_name = "core/widgets/flat_select.html"


class DateField(forms.DateField):
    """Django's DateField, whose «Введите правильную дату» says what is wrong with the date
    typed: «31.02.1990 — такой даты нет»; text that is no date at all gets the field's own
    «invalid» message (the format it expects)."""

    def to_python(self, value):
        try:
            return super().to_python(value)
        except ValidationError:
            reason = date_error(value) if isinstance(value, str) else None
            if reason is None:
                raise
            raise ValidationError(reason, code="invalid") from None
