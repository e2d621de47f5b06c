"""«Мои страховые случаи» (/cases/): the DMS service history with filters and totals, and the
person's non-DMS claims."""

import dataclasses
import datetime

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache

from portal.accounts.forms import HealthConsentForm
from portal.core.forms import FlatSelect

from .health import HEALTH_FIELDS, health_data_visible
from .presentation import event_label
from .selectors import (
    CaseFilters,
    case_filter_choices,
    case_totals,
    claims_for_user,
    lines_refunded,
    service_line_explanation,
    service_lines_for_user,
)

PAGE_SIZE = 20

# What a card of the page shows (and its explanation reads): the joined rows in full, the
# register row's and the clinic's many columns, cost more to convert than to read.
CARD_FIELDS = (
    "service_date",
    "service_name",
    "quantity",
    "amount",
    "copay_amount",
    "copay_state",
    "icd10_code",
    "icd10_name",
    "disputed_at",
    "recovery_flagged_at",
    "clinic__name",
    "care_kind__name",
    "insured_person__policy_number",
    "insured_person__last_name",
    "insured_person__first_name",
    "insured_person__middle_name",
    "insured_person__program__code",
    "insured_person__program__copay_share",
)


class CaseFilterForm(forms.Form):
    date_from = forms.DateField(
        label=_("С"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("По"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    person = forms.TypedChoiceField(
        label=_("Кто"), required=False, coerce=int, empty_value=None, widget=FlatSelect
    )
    clinic = forms.TypedChoiceField(
        label=_("Клиника"), required=False, coerce=int, empty_value=None, widget=FlatSelect
    )
    care_kind = forms.TypedChoiceField(
        label=_("Вид помощи"), required=False, coerce=int, empty_value=None, widget=FlatSelect
    )

    def __init__(self, *args, persons, clinics, kinds, **kwargs):
        super().__init__(*args, **kwargs)
        everyone = [("", _("Все"))]
        self.fields["person"].choices = everyone + [(p.pk, p.full_name) for p in persons]
        self.fields["clinic"].choices = everyone + clinics
        self.fields["care_kind"].choices = everyone + kinds

    def filters(self) -> CaseFilters:
        if not self.is_valid():
            return CaseFilters()
        data = self.cleaned_data
        return CaseFilters(
            date_from=data["date_from"],
            date_to=data["date_to"],
            person_id=data["person"],
            clinic_id=data["clinic"],
            care_kind_id=data["care_kind"],
        )


def default_period_start(today: datetime.date) -> datetime.date:
    """The first day of «the last 12 months»: the day after the same day a year ago."""
    try:
        year_ago = today.replace(year=today.year - 1)
    except ValueError:  # 29 February
        year_ago = today.replace(year=today.year - 1, day=28)
    return year_ago + datetime.timedelta(days=1)


@login_required
@never_cache  # diagnoses under the health-data consent: none kept for the back button
def cases(request: HttpRequest) -> HttpResponse:
    persons, clinics, kinds = case_filter_choices(request.user)
    data = request.GET.copy()
    today = timezone.localdate()
    # With no period chosen the page shows the last 12 months (and says so), not the whole
    # history; «За всё время» (period=all) lifts it.
    default_period = (
        not data.get("date_from") and not data.get("date_to") and (data.get("period") != "all")
    )
    if default_period:
        data["date_from"] = default_period_start(today).isoformat()
    form = CaseFilterForm(data, persons=persons, clinics=clinics, kinds=kinds)
    consented = health_data_visible(request.user)
    fields = CARD_FIELDS if consented else tuple(f for f in CARD_FIELDS if f not in HEALTH_FIELDS)
    # The period ends today when no end is chosen (the page says «по <today>»): with both ends
    # the queries name the months they read, and PostgreSQL plans only those partitions.
    filters = form.filters()
    if filters.date_to is None:
        filters = dataclasses.replace(filters, date_to=today)
    lines = filters.apply(service_lines_for_user(request.user, health=consented))
    lines = lines.only(*fields)
    totals = case_totals(lines)
    paginator = Paginator(lines, PAGE_SIZE)
    paginator.count = totals.count  # the totals' aggregate counted the lines: no second COUNT
    page = paginator.get_page(request.GET.get("page"))
    refunded = lines_refunded([line.pk for line in page if line.recovery_flagged_at])
    rows = [
        {
            "line": line,
            "refunded": line.pk in refunded,
            "why": service_line_explanation(line, refunded=line.pk in refunded),
        }
        for line in page
    ]
    query = data.copy()
    query.pop("page", None)
    if request.headers.get("HX-Request") and request.GET.get("page"):
        # «Показать ещё»: the next cards and the button for the page after them
        return render(
            request,
            "claims/partials/case_page.html",
            {
                "page": page,
                "rows": rows,
                "query": query.urlencode(),
                "has_children": len(persons) > 1,
                "health_consent": consented,
            },
        )
    claims = [{"claim": c, "event": event_label(c)} for c in claims_for_user(request.user)]
    return render(
        request,
        "claims/cases.html",
        {
            "form": form,
            "page": page,
            "default_period": default_period,
            "period_from": form.cleaned_data.get("date_from") if form.is_valid() else None,
            "period_to": (form.cleaned_data.get("date_to") if form.is_valid() else None) or today,
            "rows": rows,
            "totals": totals,
            "query": query.urlencode(),
            "claims": claims,
            "has_children": len(persons) > 1,
            "health_consent": consented,
            "consent_form": None if consented else HealthConsentForm(user=request.user),
        },
    )
