"""Guarantee letters (/guarantee-letters/): the request form, the person's letters, the PDFs."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from policies.selectors import insured_persons_for_user
from portal.core.uploads import attachment_disposition

from .forms import GuaranteeLetterForm
from .models import GuaranteeLetter
from .pdf import guarantee_letter_pdf_bytes
from .selectors import guarantee_letters_for_user
from .services import letters


@login_required
def letter_list(request: HttpRequest) -> HttpResponse:
    persons = list(insured_persons_for_user(request.user))
    form = GuaranteeLetterForm(request.POST or None, request.FILES or None, persons=persons)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                letters.guarantee_letter_request(
                    user=request.user,
                    insured_person=data["insured_person"],
                    clinic=data["clinic"],
                    care_kind=data["care_kind"],
                    service_name=data["service_name"],
                    planned_on=data["planned_on"],
                    referral=data["referral"],
                )
            except ValidationError as error:
                if hasattr(error, "error_dict"):
                    for field, errors in error.error_dict.items():
                        form.add_error(field if field in form.fields else None, errors)
                else:
                    form.add_error(None, error)
            else:
                messages.success(
                    request, _("Запрос отправлен. Мы сообщим о решении на этой странице.")
                )
                return redirect("guarantee_letters")
        status = 400
    return render(
        request,
        "feedback/letter_list.html",
        {"form": form, "letters": list(guarantee_letters_for_user(request.user))},
        status=status,
    )


@login_required
@never_cache
@require_GET
def letter_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    letter = (
        guarantee_letters_for_user(request.user)
        .filter(pk=pk, status=GuaranteeLetter.Status.ISSUED)
        .first()
    )
    if letter is None:
        raise Http404
    response = HttpResponse(guarantee_letter_pdf_bytes(letter), content_type="application/pdf")
    response["Content-Disposition"] = attachment_disposition(
        f"Гарантийное письмо {letter.number}.pdf"
    )
    response["Cache-Control"] = "private, no-store"
    return response
