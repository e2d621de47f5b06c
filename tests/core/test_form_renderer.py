"""The fast widget renderer writes exactly the HTML of Django's widget templates."""

import datetime
from decimal import Decimal

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from portal.core.renderers import FastWidgetRenderer

TEMPLATES = DjangoTemplates()
FAST = FastWidgetRenderer()

ATTRS = [
    None,
    {"class": "input", "required": True, "disabled": False, "data-x": 'a"<b>&c'},
    {"placeholder": mark_safe("<i>safe</i>"), "min": 0, "step": Decimal("0.01"), "id": "id_f"},
    {"pattern": "[0-9]{3}", "aria-describedby": "id_f_helptext", "autocomplete": "off"},
]
VALUES = [None, "", "текст", 'a"<b>&c', mark_safe("<b>safe</b>"), 0, 12, Decimal("1.50"), (1, 2)]
CHOICES = [
    ("", "Все"),
    (1, "Москва"),
    ("2", 'Кавычки "<и>" & амперсанд'),
    (Decimal("3.5"), gettext_lazy("Ленивая")),
    ("Группа <1>", [(10, "Десять"), (11, mark_safe("<b>одиннадцать</b>"))]),
]
WIDGETS = [
    forms.TextInput(),
    forms.EmailInput(),
    forms.NumberInput(),
    forms.HiddenInput(),
    forms.PasswordInput(render_value=True),
    forms.URLInput(),
    forms.SearchInput(),
    forms.TelInput(),
    forms.ColorInput(),
    forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    forms.DateTimeInput(),
    forms.TimeInput(),
    forms.Textarea(attrs={"rows": 3}),
    forms.FileInput(),
]


def both(widget, value, attrs) -> tuple[str, str]:
    return (
        widget.render("field", value, attrs, renderer=TEMPLATES),
        widget.render("field", value, attrs, renderer=FAST),
    )


@pytest.mark.parametrize("widget", WIDGETS, ids=lambda w: type(w).__name__)
@pytest.mark.parametrize("attrs", ATTRS)
def test_inputs_and_textarea_match_the_templates(widget, attrs):
    for value in [*VALUES, datetime.date(2026, 3, 1)]:
        expected, fast = both(widget, value, attrs)
        assert fast == expected, (type(widget).__name__, value)


@pytest.mark.parametrize("attrs", ATTRS)
@pytest.mark.parametrize("multiple", [False, True])
def test_selects_match_the_templates(attrs, multiple):
    widget = (forms.SelectMultiple if multiple else forms.Select)(choices=CHOICES)
    for value in [None, "", 1, "2", [1, "2", 11], Decimal("3.5"), "нет такого"]:
        expected, fast = both(widget, value, attrs)
        assert fast == expected, value
        assert "<option" in fast


@pytest.mark.parametrize("checked", [None, False, True, "on", ""])
def test_checkbox_matches_the_templates(checked):
    expected, fast = both(forms.CheckboxInput(), checked, {"class": "check"})
    assert fast == expected


def test_a_form_renders_the_same_with_either_renderer():
    class Everything(forms.Form):
        name = forms.CharField(label="Имя", max_length=10, help_text="подсказка")
        kind = forms.ChoiceField(choices=CHOICES[:3])
        note = forms.CharField(widget=forms.Textarea, required=False)
        agree = forms.BooleanField()
        when = forms.DateField()
        radio = forms.ChoiceField(choices=[("a", "А"), ("b", "Б")], widget=forms.RadioSelect)

    data = {"name": "слишком длинное имя", "kind": "2", "note": "<script>", "radio": "c"}
    expected = str(Everything(data, renderer=TEMPLATES))
    assert str(Everything(data, renderer=FAST)) == expected
    assert 'type="radio"' in expected  # the radio list: rendered by the templates in both


def test_a_widget_the_fast_path_does_not_know_goes_to_the_templates():
    widget = forms.RadioSelect(choices=[("a", "А")])
    expected, fast = both(widget, "a", None)
    assert fast == expected
    assert "checked" in fast


@pytest.mark.parametrize("widget_class", [forms.RadioSelect, forms.CheckboxSelectMultiple])
@pytest.mark.parametrize("attrs", ATTRS)
def test_options_of_radio_and_checkbox_lists_match_the_templates(widget_class, attrs):
    class Choose(forms.Form):
        choice = forms.ChoiceField(choices=CHOICES, widget=widget_class(attrs=attrs))

    for data in [{}, {"choice": "2"}, {"choice": "нет такого"}]:
        fast_field = Choose(data, renderer=FAST)["choice"]
        template_field = Choose(data, renderer=TEMPLATES)["choice"]
        for fast, expected in zip(fast_field, template_field, strict=True):
            assert fast.tag() == expected.tag()
            assert fast.tag(wrap_label=False) == expected.tag(wrap_label=False)
            assert str(fast) == str(expected)
        assert str(fast_field) == str(template_field)
