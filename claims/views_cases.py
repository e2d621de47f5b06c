"""«Мои страховые случаи» (/cases/): the DMS service history with filters and totals, and the
person's non-DMS claims."""

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from .presentation import event_label
from .selectors import (
    CaseFilters,
    case_filter_choices,
    case_totals,
    claims_for_user,
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
    person = forms.TypedChoiceField(label=_("Кто"), required=False, coerce=int, empty_value=None)
    clinic = forms.TypedChoiceField(
        label=_("Клиника"), required=False, coerce=int, empty_value=None
    )
    care_kind = forms.TypedChoiceField(
        label=_("Вид помощи"), required=False, coerce=int, empty_value=None
    )

    def __init__(self, *args, persons, clinics, kinds, **kwargs):
        super().__init__(*args, **kwargs)
        everyone = [("", _("Все"))]
        self.fields["person"].choices = everyone + [(p.pk, p.full_name) for p in persons]
        self.fields["clinic"].choices = everyone + [(c.pk, c.name) for c in clinics]
        self.fields["care_kind"].choices = everyone + [(k.pk, k.name) for k in kinds]

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


@login_required
def cases(request: HttpRequest) -> HttpResponse:
    persons, clinics, kinds = case_filter_choices(request.user)
    form = CaseFilterForm(request.GET or None, persons=persons, clinics=clinics, kinds=kinds)
    lines = form.filters().apply(service_lines_for_user(request.user)).only(*CARD_FIELDS)
    totals = case_totals(lines)
    paginator = Paginator(lines, PAGE_SIZE)
    paginator.count = totals.count  # the totals' aggregate counted the lines: no second COUNT
    page = paginator.get_page(request.GET.get("page"))
    rows = [{"line": line, "why": service_line_explanation(line)} for line in page]
    query = request.GET.copy()
    query.pop("page", None)
    claims = [{"claim": c, "event": event_label(c)} for c in claims_for_user(request.user)]
    return render(
        request,
        "claims/cases.html",
        {
            "form": form,
            "page": page,
            "rows": rows,
            "totals": totals,
            "query": query.urlencode(),
            "claims": claims,
            "has_children": len(persons) > 1,
        },
    )
