"""Template filters of the clinic pages, and the saved-places card the profile page includes:
`{% load clinics_tags %}{% saved_places_card %}`."""

import datetime

from django import template
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from clinics import formatting
from clinics.selectors import covered_kinds as covered_kinds_of
from clinics.selectors import saved_places_for_user

register = template.Library()


@register.filter
def phone_display(value: str) -> str:
    return formatting.phone_display(value)


@register.filter
def phone_href(value: str) -> str:
    return formatting.phone_href(value)


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


@register.simple_tag
def clinic_card(clinic, *, whole_network: bool, sort_place) -> SafeString:
    """One clinic of the list, written out here rather than in the template: twenty cards of a
    page took ~8 ms as template nodes (a dozen tags, filters and a nested loop each) and take a
    fraction of that as strings (`make bench`). Every value is escaped."""
    url = reverse("clinic_detail", args=[clinic.pk])
    name = escape(clinic.name)
    booking = clinic.online_booking
    parts = [
        f'<li class="clinic-card{" clinic-card--booking" if booking else ""}">\n'
        f'      <div class="clinic-card__head">\n'
        f'        <h2 class="clinic-card__name"><a href="{url}">{name}</a></h2>\n'
    ]
    if booking:
        parts.append(
            f'        <span class="badge badge--booking">{escape(_("Онлайн-запись"))}</span>\n'
        )
    parts.append(
        f'      </div>\n      <p class="clinic-card__address">{escape(clinic.city)}, '
        f"{escape(clinic.address)}"
    )
    if sort_place:
        parts.append(
            f' <span class="clinic-card__distance" title="{escape(_("Расстояние по прямой"))}">'
            f"· {escape(formatting.distance_display(clinic.distance_km))}</span>"
        )
    parts.append('</p>\n      <dl class="clinic-card__facts">\n')
    if clinic.phones:
        phones = "".join(
            f'<li><a href="{escape(formatting.phone_href(phone))}">'
            f"{escape(formatting.phone_display(phone))}</a></li>"
            for phone in clinic.phones
        )
        parts.append(
            f"          <dt>{escape(_('Телефон'))}</dt>\n"
            f'          <dd><ul class="phones">{phones}</ul></dd>\n'
        )
    if clinic.hours:
        parts.append(f"<dt>{escape(_('Часы работы'))}</dt><dd>{escape(clinic.hours)}</dd>\n")
    if clinic.site:
        shown = clinic.site.replace("https://", "").replace("http://", "")
        parts.append(
            f"<dt>{escape(_('Сайт'))}</dt><dd>"
            f'<a href="{escape(clinic.site)}" rel="noopener noreferrer" target="_blank">'
            f'{escape(shown)}<span class="visually-hidden"> '
            f"{escape(_('(откроется в новой вкладке)'))}</span></a></dd>\n"
        )
    parts.append("      </dl>\n")
    kinds = covered_kinds(clinic)
    if kinds:
        title = _("Виды помощи в сети") if whole_network else _("По вашему полису")
        letter = escape(_("по гарантийному письму"))
        chips = "".join(
            f'<li class="chip">{escape(entry.care_kind.name)}'
            + (
                f' <span class="chip__note">{letter}</span>'
                if entry.guarantee_letter_required
                else ""
            )
            + "</li>"
            for entry in kinds
        )
        parts.append(
            f'          <p class="clinic-card__kinds-title">{escape(title)}</p>\n'
            f'          <ul class="chips">\n            {chips}\n          </ul>\n'
        )
    if clinic.last_verified_on:
        verified = _("Сведения проверены %(day)s") % {"day": f"{clinic.last_verified_on:%d.%m.%Y}"}
    else:
        verified = _("Сведения ещё не проверялись")
    parts.append(
        f'      <div class="clinic-card__foot">\n'
        f'        <p class="clinic-card__verified">{escape(verified)}</p>\n'
    )
    if booking:
        parts.append(
            f'        <a class="button button--accent" href="{url}#booking">'
            f'{escape(_("Записаться"))}<span class="visually-hidden"> — {name}</span></a>\n'
        )
    parts.append("      </div>\n    </li>")
    return mark_safe("".join(parts))  # noqa: S308 (every value above is escaped)
