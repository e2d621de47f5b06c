"""«Клиника отказала / врач недоступен» on a clinic's page (/clinics/<pk>/report/): the report
becomes an appeal in the operators' queue."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from clinics.forms import ClinicReportForm
from clinics.selectors import clinic_viewable

from .clinic_reports import clinic_refusal_report


@login_required
@require_POST
def clinic_report(request: HttpRequest, pk: int) -> HttpResponse:
    clinic = get_object_or_404(clinic_viewable(pk))
    form = ClinicReportForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Комментарий слишком длинный: не больше 2000 знаков."))
        return redirect(f"{reverse('clinic_detail', args=[clinic.pk])}#report")
    appeal, created = clinic_refusal_report(
        user=request.user, clinic=clinic, comment=form.cleaned_data["comment"]
    )
    if created:
        text = _("Спасибо! Обращение № %(number)s передано операторам, ответ — до %(due)s.") % {
            "number": appeal.number,
            "due": appeal.due_on.strftime("%d.%m.%Y"),
        }
    else:
        text = _("Ваше сообщение об этой клинике уже принято сегодня: обращение № %(number)s.") % {
            "number": appeal.number
        }
    messages.success(request, text)
    return redirect(f"{reverse('clinic_detail', args=[clinic.pk])}#report")
