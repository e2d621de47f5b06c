"""The co-pay ledger's line rows: `{% load copay_tags %}{% copay_line_rows ledger.unpaid %}`."""

from django import template
from django.template.defaultfilters import floatformat
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

register = template.Library()


@register.simple_tag
def copay_line_rows(lines) -> SafeString:
    """The rows of unpaid or frozen lines (date, service, clinic, amount), written out here: a
    ledger holds every such line of the person (60 at the bench's large scale), and as template
    nodes with their date and floatformat filters the rows took ~4 ms (`make bench`). Every
    value is escaped."""
    return mark_safe(  # noqa: S308 (every value is escaped)
        "\n".join(
            f"<tr><td>{line.service_date:%d.%m.%Y}</td><td>{escape(line.service_name)}</td>"
            f"<td>{escape(line.clinic.name)}</td>"
            f"<td>{escape(floatformat(line.copay_amount, '2g'))} ₽</td></tr>"
            for line in lines
        )
    )


@register.simple_tag
def copay_paid_rows(lines) -> SafeString:
    """The rows of paid lines (date, service, amount, the charge's day and receipt), written out
    as `copay_line_rows`: most of a ledger's lines are paid ones."""
    rows = []
    for line in lines:
        charge = line.paid_charge
        paid = ""
        if charge:
            day = _("списано %(day)s") % {"day": f"{charge.day:%d.%m.%Y}"}
            url = reverse("payments:receipt", args=[charge.pk])
            paid = f'{escape(day)} · <a href="{escape(url)}">{escape(_("чек"))}</a>'
        rows.append(
            f"<tr><td>{line.service_date:%d.%m.%Y}</td><td>{escape(line.service_name)}</td>"
            f"<td>{escape(floatformat(line.copay_amount, '2g'))} ₽</td>\n"
            f"          <td>{paid}</td></tr>"
        )
    return mark_safe("\n".join(rows))  # noqa: S308 (every value is escaped)
