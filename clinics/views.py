"""Pages of the clinic network (list, map, one clinic with booking) and of the person's bookings.

Views are thin: a form checks the input, a selector reads what this person may see, a service
writes; a ValidationError becomes a message.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from gateways import dadata
from policies.downloads import program_document_response
from policies.models import Program

from . import selectors
from .documents import clinic_list_pdf_request
from .forms import (
    ClinicFilterForm,
    ClinicReportForm,
    CoverageCheckForm,
    MoveForm,
    PatientForm,
    SavedPlaceForm,
    parse_bbox,
)
from .geojson import CONTENT_TYPE as GEOJSON_CONTENT_TYPE
from .geojson import collection_for
from .ics import CONTENT_TYPE, appointment_ics, ics_filename
from .models import SavedPlace
from .services.booking import (
    appointment_book,
    appointment_cancel,
    appointment_move,
    booking_check,
    can_change,
    coverage_check,
)
from .services.places import saved_place_delete, saved_place_set

PAGE_SIZE = 20
ADDRESS_PARAMS = ("address", "owner_address", "q")
FILTER_FIELDS = ("policy", "care_kind", "city", "q", "online", "sort")


def _filter_form(request: HttpRequest, *, with_places: bool = True) -> ClinicFilterForm:
    policies = list(selectors.dms_policies_for_user(request.user))
    form = ClinicFilterForm(
        request.GET,
        policies=policies,
        kinds=selectors.care_kinds(),
        cities=selectors.clinic_cities(),
        places=selectors.saved_places_for_user(request.user) if with_places else {},
    )
    form.is_valid()
    return form


def _filter_query(request: HttpRequest) -> str:
    """The filters of the request as a query string (the list/map switch and pages keep them)."""
    return urlencode(
        [(k, v) for k in FILTER_FIELDS for v in request.GET.getlist(k) if v], doseq=False
    )


def _report_dropped(request: HttpRequest, form: ClinicFilterForm) -> None:
    for text in form.dropped():
        messages.warning(request, text)


def _section_context(request: HttpRequest, form: ClinicFilterForm, view: str) -> dict:
    return {
        "form": form,
        "filter_query": _filter_query(request),
        "view": view,
        "places": form.places,
        "place_form": SavedPlaceForm(initial={"kind": SavedPlace.Kind.HOME}),
        "chosen_policy": form.chosen_policy,
        "whole_network": form.program_ids() is None,
    }


@login_required
@require_GET
def clinic_list(request: HttpRequest) -> HttpResponse:
    form = _filter_form(request)
    _report_dropped(request, form)
    page = Paginator(selectors.clinics_for_list(form.query()), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = _section_context(request, form, "list")
    context.update({"page": page, "sort_place": form.origin_place})
    return render(request, "clinics/clinic_list.html", context)


def _map_config() -> dict:
    """Tiles and the starting view, from settings (handed to static/clinics/map.js through data-
    attributes: the CSP allows no inline script)."""
    config = settings.LEAFLET_CONFIG
    tiles = config.get("TILES") or [("", settings.MAP_TILES_URL, {})]
    return {
        "tiles_url": settings.MAP_TILES_URL,
        "attribution": tiles[0][2].get("attribution", ""),
        "center": config.get("DEFAULT_CENTER", (55.751244, 37.618423)),
        "zoom": config.get("DEFAULT_ZOOM", 10),
    }


@login_required
@require_GET
def clinic_map(request: HttpRequest) -> HttpResponse:
    form = _filter_form(request)
    _report_dropped(request, form)
    query = form.query(with_origin=False)
    extent = selectors.clinics_extent(query)
    context = _section_context(request, form, "map")
    context.update({"extent": extent, "map": _map_config()})
    return render(request, "clinics/clinic_map.html", context)


@login_required
@require_GET
def clinic_geojson(request: HttpRequest) -> JsonResponse:
    """The clinics of the filters inside the bbox, as a GeoJSON FeatureCollection (RFC 7946:
    coordinates are [longitude, latitude]). Phones are E.164; the map formats them."""
    try:
        bbox = parse_bbox(request.GET.get("bbox", ""))
    except ValueError:
        return JsonResponse(
            {"error": _("bbox: ожидаются четыре числа minLon,minLat,maxLon,maxLat")}, status=400
        )
    form = _filter_form(request, with_places=False)  # the map is not sorted by distance
    kinds = list(form.kinds.values())
    query = form.query(bbox=bbox, with_origin=False)
    base_url = reverse("clinics")

    return HttpResponse(
        collection_for(query, kinds, base_url=base_url),
        content_type=f"{GEOJSON_CONTENT_TYPE}; charset=utf-8",
    )


def _clinic(pk: int):
    return get_object_or_404(selectors.clinic_viewable(pk))


@login_required
@require_GET
def clinic_detail(request: HttpRequest, pk: int) -> HttpResponse:
    clinic = _clinic(pk)
    policies = list(selectors.dms_policies_for_user(request.user))
    patients = selectors.patients_for_user(request.user)
    kinds = selectors.care_kinds()
    clinic_kinds = selectors.clinic_kinds_for_user(
        clinic=clinic, program_ids=selectors.group_program_ids(policies)
    )
    offered = [entry.care_kind for entry in clinic_kinds] or kinds
    coverage_form = None
    coverage = None
    if patients:
        data = request.GET if "care_kind" in request.GET else None
        coverage_form = CoverageCheckForm(data, patients=patients, kinds=offered)
        if coverage_form.is_valid():
            coverage = coverage_check(
                insured_person=coverage_form.chosen_patient,
                clinic=clinic,
                care_kind=coverage_form.chosen_kind,
                on=timezone.localdate(),
            )
    doctors, chosen_doctor, days = [], None, []
    if clinic.online_booking:
        doctors = selectors.clinic_doctors(clinic)
        chosen_doctor = next(
            (d for d in doctors if str(d.pk) == request.GET.get("doctor")),
            doctors[0] if doctors else None,
        )
        if chosen_doctor is not None:
            free = selectors.free_slots_by_doctor(doctors=[chosen_doctor])
            days = selectors.slots_by_day(free[chosen_doctor.pk])
    context = {
        "clinic": clinic,
        "clinic_kinds": clinic_kinds,
        "coverage_form": coverage_form,
        "coverage": coverage,
        "doctors": doctors,
        "chosen_doctor": chosen_doctor,
        "days": days,
        "report_form": ClinicReportForm(),
        "has_patients": bool(patients),
    }
    if request.headers.get("HX-Request") and request.GET.get("partial") == "coverage":
        return render(request, "clinics/partials/coverage_result.html", context)
    return render(request, "clinics/clinic_detail.html", context)


@login_required
def clinic_book(request: HttpRequest, pk: int, slot_pk: int) -> HttpResponse:
    """The confirmation step: doctor, time, patient and the policy that covers the visit."""
    clinic = _clinic(pk)
    slot = get_object_or_404(selectors.slot_for_booking(clinic=clinic, pk=slot_pk))
    patients = selectors.patients_for_user(request.user)
    if not patients:
        messages.error(request, _("Чтобы записаться, добавьте в кабинет полис ДМС."))
        return redirect("clinic_detail", pk=clinic.pk)
    now = timezone.now()
    copay_required = False
    if request.method == "POST":
        form = PatientForm(request.POST, patients=patients)
        if form.is_valid():
            try:
                appointment_book(
                    user=request.user, insured_person=form.chosen_patient, slot=slot, now=now
                )
            except ValidationError as error:
                form.add_error(None, error)
                copay_required = error.code == "copay_card_required"
            else:
                messages.success(
                    request,
                    _("Вы записаны. Подтверждение с событием для календаря отправлено на почту."),
                )
                return redirect("appointments")
    else:
        chosen = request.GET.get("patient")
        initial = chosen if chosen in {str(p.pk) for p in patients} else str(patients[0].pk)
        form = PatientForm(patients=patients, initial={"patient": initial})
    options = []
    for patient in patients:
        try:
            coverage = booking_check(insured_person=patient, slot=slot, now=now)
        except ValidationError as error:
            options.append({"patient": patient, "ok": False, "reason": error, "code": error.code})
        else:
            options.append({"patient": patient, "ok": True, "coverage": coverage})
    return render(
        request,
        "clinics/booking_confirm.html",
        {
            "clinic": clinic,
            "slot": slot,
            "doctor": slot.doctor,
            "form": form,
            "options": options,
            "copay_required": copay_required,
            "taken": selectors.slot_is_booked(slot),
        },
    )


def _back(request: HttpRequest) -> str:
    target = request.POST.get("next", "")
    # a path of this site only: redirect() would read any other word as a URL pattern's name
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("clinics")


@login_required
@require_POST
def saved_place_save(request: HttpRequest) -> HttpResponse:
    form = SavedPlaceForm(request.POST)
    if form.is_valid():
        try:
            place = saved_place_set(user=request.user, **form.cleaned_data)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                _("Точка «%(kind)s» сохранена: клиники можно сортировать по расстоянию от неё.")
                % {"kind": place.get_kind_display()},
            )
    else:
        messages.error(
            request,
            _(
                "Точка не сохранена: введите адрес, укажите её на карте, определите "
                "местоположение или введите координаты."
            ),
        )
    return redirect(_back(request))


@login_required
@require_GET
def address_suggestions(request: HttpRequest) -> HttpResponse:
    """The address suggestions as one types (htmx): the place form's «Адрес» and the ОСАГО
    owner's address. A service that does not answer leaves the list empty with a word why."""
    query = next((request.GET.get(k, "") for k in ADDRESS_PARAMS if request.GET.get(k)), "")
    suggestions, error = [], ""
    if len(query.strip()) >= 3:
        try:
            suggestions = dadata.address_suggest(query)
        except dadata.DadataUnavailable as unavailable:
            error = str(unavailable)
    return render(
        request,
        "components/address_suggestions.html",
        {"suggestions": suggestions, "error": error},
    )


@login_required
@require_POST
def saved_place_remove(request: HttpRequest, kind: str) -> HttpResponse:
    if kind not in SavedPlace.Kind.values:
        raise Http404
    if saved_place_delete(user=request.user, kind=kind):
        messages.success(request, _("Точка удалена."))
    return redirect(_back(request))


# --- The person's bookings --------------------------------------------------------------------


@login_required
@require_GET
def appointment_list(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    lists = selectors.appointment_lists(request.user, now=now)
    for appointment in lists.upcoming:
        appointment.changeable = can_change(appointment, now=now)
    return render(
        request,
        "clinics/appointment_list.html",
        {"upcoming": lists.upcoming, "past": lists.past},
    )


def _appointment(request: HttpRequest, pk: int):
    return get_object_or_404(selectors.appointments_for_user(request.user), pk=pk)


@login_required
@require_POST
def appointment_cancel_view(request: HttpRequest, pk: int) -> HttpResponse:
    appointment = _appointment(request, pk)
    try:
        appointment_cancel(user=request.user, appointment=appointment)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Запись отменена. Письмо с отменой события отправлено."))
    return redirect("appointments")


@login_required
def appointment_move_view(request: HttpRequest, pk: int) -> HttpResponse:
    appointment = _appointment(request, pk)
    if not can_change(appointment):
        messages.error(
            request,
            _("Перенести запись можно не позднее чем за 2 часа до приёма. Позвоните в клинику."),
        )
        return redirect("appointments")
    slots = selectors.free_slots_of_doctor(doctor=appointment.slot.doctor, exclude=appointment.slot)
    form = MoveForm(request.POST or None, slots=slots)
    if request.method == "POST" and form.is_valid():
        try:
            appointment_move(user=request.user, appointment=appointment, slot=form.chosen_slot)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request, _("Запись перенесена. Новое событие для календаря — в письме.")
            )
            return redirect("appointments")
    return render(
        request,
        "clinics/appointment_move.html",
        {
            "appointment": appointment,
            "form": form,
            "days": selectors.slots_by_day(slots),
        },
    )


@login_required
@require_GET
def appointment_calendar(request: HttpRequest, pk: int) -> HttpResponse:
    appointment = _appointment(request, pk)
    response = HttpResponse(appointment_ics(appointment), content_type=CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{ics_filename(appointment)}"'
    return response


@login_required
@never_cache
@require_GET
def clinic_list_pdf(request: HttpRequest, policy_pk: int, care_kind: str) -> HttpResponse:
    """The clinic list of a DMS policy's program for one kind of care, as a PDF."""
    policy = get_object_or_404(selectors.dms_policies_for_user(request.user), pk=policy_pk)
    program = Program.objects.get(pk=policy.insured_person.program_id)
    kind = get_object_or_404(program.care_kinds.all(), code=care_kind)
    document = clinic_list_pdf_request(program=program, care_kind=kind)
    return program_document_response(
        request,
        document,
        filename=f"Клиники {program.code} {kind.name}.pdf",
        title=_("Список клиник: %(kind)s") % {"kind": kind.name},
    )
