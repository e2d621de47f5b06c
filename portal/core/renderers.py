"""The form renderer: Django's own templates, with the commonest widgets written out in Python.

Django renders every widget through its template engine: an `<input>` is three templates (the
widget's, `input.html`, `attrs.html`), a `<select>` three more per option. On the portal's forms
that is most of a page's time (the ОСАГО calculator: 24 widgets, about half of its 10 ms, for
0.3 ms of SQL). `FastWidgetRenderer` builds the very same HTML, character for character (the
test compares the two on every kind of widget and value), for the input widgets, the textarea,
the single or multiple select, and the options of radio and checkbox lists rendered one by one;
any other template (the admin's widgets, whole radio lists, forms' layouts) is rendered by the
templates as before.
"""

from __future__ import annotations

from collections.abc import Callable

from django.forms.renderers import DjangoTemplates
from django.utils.formats import localize
from django.utils.html import conditional_escape, escape
from django.utils.safestring import SafeData, mark_safe

_WIDGETS = "django/forms/widgets/"


def _text(value) -> str:
    """`{{ value }}` in an autoescaped template."""
    value = localize(value)
    return conditional_escape(value if issubclass(type(value), str) else str(value))


def _formatted(value) -> str:
    """`{{ value|stringformat:'s' }}`: "%s" of the value, escaped unless the value was safe."""
    text = str(value) if isinstance(value, tuple) else "%s" % (value,)  # noqa: UP031
    return text if isinstance(value, SafeData) else escape(text)


def _attrs(attrs: dict) -> str:
    """django/forms/widgets/attrs.html."""
    parts = []
    for name, value in attrs.items():
        if value is False:
            continue
        shown = "" if value is True else f'="{_formatted(value)}"'
        parts.append(f" {_text(name)}{shown}")
    return "".join(parts)


def _input(widget: dict) -> str:
    """django/forms/widgets/input.html (with its final newline, as an include leaves it)."""
    value = widget["value"]
    shown = f' value="{_formatted(value)}"' if value is not None else ""
    return (
        f'<input type="{_text(widget["type"])}" name="{_text(widget["name"])}"{shown}'
        f"{_attrs(widget['attrs'])}>\n"
    )


def _input_option(widget: dict) -> str:
    """django/forms/widgets/input_option.html: a radio or checkbox of a list, maybe in its label."""
    if not widget["wrap_label"]:
        return _input(widget)
    target = widget["attrs"].get("id")
    label_for = f' for="{_text(target)}"' if target else ""
    return f"<label{label_for}>{_input(widget)} {_text(widget['label'])}</label>\n"


def _textarea(widget: dict) -> str:
    value = widget["value"]
    shown = _text(value) if value else ""
    attrs = _attrs(widget["attrs"])
    return f'<textarea name="{_text(widget["name"])}"{attrs}>\n{shown}</textarea>\n'


def _select(widget: dict) -> str | None:
    parts = [f'<select name="{_text(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{_text(group_name)}">')
        for option in group_choices:
            if option["template_name"] != _WIDGETS + "select_option.html":
                return None  # an option of its own: the templates render the widget
            parts.append(
                f'\n  <option value="{_formatted(option["value"])}"{_attrs(option["attrs"])}>'
                f"{_text(option['label'])}</option>\n"
            )
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>\n")
    return "".join(parts)


_INPUTS = ["checkbox", "color", "date", "datetime", "email", "file", "hidden", "number"]
_INPUTS += ["password", "search", "tel", "text", "time", "url"]
FAST: dict[str, Callable[[dict], str | None]] = {
    **{f"{_WIDGETS}{name}.html": _input for name in _INPUTS},
    _WIDGETS + "input.html": _input,
    _WIDGETS + "radio_option.html": _input_option,
    _WIDGETS + "checkbox_option.html": _input_option,
    _WIDGETS + "textarea.html": _textarea,
    _WIDGETS + "select.html": _select,
}


class FastWidgetRenderer(DjangoTemplates):
    def render(self, template_name, context, request=None):
        fast = FAST.get(template_name)
        if fast is not None and "widget" in context:
            html = fast(context["widget"])
            if html is not None:
                return mark_safe(html.strip())  # noqa: S308  (every value above is escaped)
        return super().render(template_name, context, request=request)
