"""The cards of «Мои страховые случаи»: `{% load cases_tags %}{% case_card row ... %}`."""

from django import template
from django.utils.formats import localize
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from portal.core.formatting import money

register = template.Library()


@register.simple_tag
def case_card(row: dict, *, has_children: bool, appeal_new_url: str) -> SafeString:
    """One service line of the page, written out here rather than in the template: twenty cards
    took ~4 ms as template nodes (a dozen tags and filters each) and take a fraction of that as
    strings (`make bench`). Every value is escaped."""
    line = row["line"]
    person = line.insured_person
    policy = escape(person.policy_number)
    if has_children:
        policy += f" · {escape(person.full_name)}"
    date = _("Услуга оказана %(date)s") % {"date": f"{line.service_date:%d.%m.%Y}"}
    copay = ""
    if line.copay_state != "none":
        disputed = (
            f" · {escape(_('оспорена'))}" if line.disputed_at and line.copay_state == "paid" else ""
        )
        copay = (
            f"<div><dt>{escape(_('Сумма к оплате'))}</dt>"
            f'<dd class="copay copay--{escape(line.copay_state)}">'
            f"{escape(money(line.copay_amount))}"
            f" ({escape(line.get_copay_state_display())}){disputed}</dd></div>"
        )
    diagnosis = line.diagnosis_name or line.icd10_name or line.icd10_code or "—"
    url = f"{escape(appeal_new_url)}?service_line={line.pk}&amp;"
    not_provided = ""
    if line.copay_state not in ("frozen", "cancelled") and not line.disputed_at:
        not_provided = (
            f'\n      <a href="{url}kind=not_provided">{escape(_("Услуга не оказана"))}</a>'
        )
    return mark_safe(  # noqa: S308 (every value is escaped)
        f'<li class="card case-card" id="line-{line.pk}">\n'
        f'    <h2 class="case-card__kind">{escape(line.care_kind.name)}</h2>\n'
        f'    <p class="case-card__date">{escape(date)}</p>\n'
        f'    <dl class="case-card__facts">\n'
        f"      <div><dt>{escape(_('Полис'))}</dt><dd>{policy}</dd></div>\n"
        f"      <div><dt>{escape(_('Наименование ЛПУ'))}</dt>"
        f"<dd>{escape(line.clinic.name)}</dd></div>\n"
        f"      <div><dt>{escape(_('Наименование услуги на дату оказания'))}</dt>"
        f"<dd>{escape(line.service_name)}</dd></div>\n"
        f"      <div><dt>{escape(_('Количество услуг'))}</dt>"
        f"<dd>{localize(line.quantity)}</dd></div>\n"
        f"      <div><dt>{escape(_('Сумма'))}</dt><dd>{escape(money(line.amount))}</dd></div>\n"
        f"      {copay}\n"
        f"      <div><dt>{escape(_('МКБ 10'))}</dt><dd>{escape(diagnosis)}</dd></div>\n"
        f"    </dl>\n"
        f'    <p class="case-card__why">{escape(row["why"])}</p>\n'
        f'    <p class="case-card__links">\n'
        f'      <a href="{url}kind=review">{escape(_("Оставить отзыв"))}</a>{not_provided}\n'
        f"    </p>\n"
        f"  </li>"
    )
