from django import template

from policies import formatting

register = template.Library()


@register.filter
def phone_ru(value: str) -> str:
    return formatting.phone_display(value)


@register.filter
def tel_href(value: str) -> str:
    return formatting.phone_href(value)


@register.filter
def rub(value) -> str:
    return formatting.money(value)
