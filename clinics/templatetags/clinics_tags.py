"""Template filters of the clinic pages (their clinic card is
templates/clinics/partials/clinic_card.html), and the saved-places card the profile page
includes: `{% load clinics_tags %}{% saved_places_card %}`."""

import datetime

from django import template
from django.utils import timezone

from clinics import formatting
from clinics.selectors import covered_kinds as covered_kinds_of
from clinics.selectors import saved_places_for_user
from portal.core.templatetags import ru

register = template.Library()


# the portal's phone formats (the builtin `ru` library) under the names the clinic pages use
register.filter("phone_display", ru.phone_ru)
register.filter("phone_href", ru.tel_href)


@register.filter
def distance(value: float | None) -> str:
    return formatting.distance_display(value)


@register.filter
def day_name(value: datetime.date) -> str:
    return formatting.day_display(value)


@register.filter
def local_time(value: datetime.datetime) -> str:
    return timezone.localtime(value).strftime("%H:%M")


@register.filter
def covered_kinds(clinic) -> list:
    return covered_kinds_of(getattr(clinic, "coverage_links", []))


@register.inclusion_tag("clinics/partials/saved_places_card.html", takes_context=True)
def saved_places_card(context) -> dict:
    """The person's home and work points with a link to change them (for the profile page)."""
    request = context["request"]
    places = saved_places_for_user(request.user) if request.user.is_authenticated else {}
    return {"home": places.get("home"), "work": places.get("work")}
