"""Form fields of the admin and the cabinet that Django's own do not make safe enough."""

from django import forms
from django.core.exceptions import ValidationError
from django.forms.fields import InvalidJSONInput


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
