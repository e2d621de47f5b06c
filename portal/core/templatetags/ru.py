"""Russian formats for every template (a builtin: no `{% load %}` needed).

`{{ amount|rub }}` «1 234,56 руб.» · `{{ x|num:2 }}` «1,50» · `{{ share|pct }}` «20 %» ·
`{{ n|plural:_("услуга|услуги|услуг") }}` «3 услуги» · `{{ phone|phone_ru }}` «+7 (916) 123-45-67»
· `{{ phone|tel_href }}` «tel:+79161234567».
"""

from django import template

from portal.core import formatting

register = template.Library()


@register.filter
def rub(value) -> str:
    if value is None or value == "":
        return ""
    return formatting.money(value)


@register.filter
def num(value, places=None) -> str:
    try:
        return formatting.number(value, None if places in (None, "") else int(places))
    except (ArithmeticError, ValueError, TypeError):
        return "" if value is None else str(value)


@register.filter
def pct(value) -> str:
    try:
        return formatting.percent(value)
    except (ArithmeticError, ValueError, TypeError):
        return "" if value is None else str(value)


@register.filter
def plural(count, forms: str) -> str:
    try:
        return formatting.plural(int(count), str(forms))
    except (ValueError, TypeError):
        return ""


@register.filter
def phone_ru(value: str) -> str:
    return formatting.phone_display(value)


@register.filter
def tel_href(value: str) -> str:
    return formatting.phone_href(value)


@register.filter
def unit(value, name: str = "") -> str:
    """`{{ c.value|unit:c.unit }}`: a calculation's figure by its unit (formatting.quantity)."""
    return formatting.quantity(value, name or "")


@register.filter
def figure(row) -> str:
    """`{{ c|figure }}`: a calculation row ({"value": …, "unit": …}) as formatting.quantity writes
    it; a row saved before units were written shows its number in Russian style."""
    if not isinstance(row, dict):
        return ""
    return formatting.quantity(row.get("value"), row.get("unit") or "")
