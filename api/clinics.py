"""The clinic network as the pages show it: the list with the same filters (the page's form),
the GeoJSON of the map, one clinic with what the person's programs cover there, free slots."""

import datetime
from decimal import Decimal

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema

from clinics import selectors
from clinics.forms import ClinicFilterForm, CoverageCheckForm, parse_bbox
from clinics.geojson import CONTENT_TYPE as GEOJSON_CONTENT_TYPE
from clinics.geojson import collection_for

from .errors import ApiError
from .pagination import PageOut, page_of

router = Router(tags=["Клиники"])


class ClinicFilters(Schema):
    policy: str = ""
    care_kind: str = ""
    city: str = ""
    q: str = ""
    online: bool = False
    sort: str = ""
    cursor: str | None = None
    limit: int | None = None


class ClinicOut(Schema):
    id: int
    name: str
    address: str
    city: str
    latitude: Decimal
    longitude: Decimal
    phones: list[str]
    hours: str
    site: str
    online_booking: bool
    distance_km: float | None = None


class ClinicPage(PageOut):
    results: list[ClinicOut]
    dropped: list[str] = []


class KindOut(Schema):
    code: str
    name: str
    covered: bool
    guarantee_letter_required: bool


class CoverageOut(Schema):
    covered: bool
    message: str
    copay: str = ""


class DoctorOut(Schema):
    id: int
    full_name: str
    specialty: str
    care_kind: str


class ClinicDetailOut(ClinicOut):
    care_kinds: list[KindOut]
    doctors: list[DoctorOut]
    coverage: CoverageOut | None = None


class SlotOut(Schema):
    id: int
    doctor_id: int
    starts_at: datetime.datetime
    ends_at: datetime.datetime


def filter_form(request: HttpRequest, data: dict, *, with_places: bool = True) -> ClinicFilterForm:
    """The page's filter form on the API's query: the same choices, the same checks."""
    user = request.auth
    form = ClinicFilterForm(
        {key: value for key, value in data.items() if value not in ("", None, False)},
        policies=list(selectors.dms_policies_for_user(user)),
        kinds=selectors.care_kinds(),
        cities=selectors.clinic_cities(),
        places=selectors.saved_places_for_user(user) if with_places else {},
    )
    form.is_valid()
    return form


def _clinic_out(clinic) -> dict:
    distance = getattr(clinic, "distance_km", None)
    return {
        "id": clinic.pk,
        "name": clinic.name,
        "address": clinic.address,
        "city": clinic.city,
        "latitude": clinic.latitude,
        "longitude": clinic.longitude,
        "phones": [str(p) for p in clinic.phones or []],
        "hours": clinic.hours,
        "site": clinic.site,
        "online_booking": clinic.online_booking,
        "distance_km": float(distance) if distance is not None else None,
    }


@router.get("/", response=ClinicPage, summary="Клиники (фильтры страницы /clinics/)")
def clinic_list(request: HttpRequest, filters: Query[ClinicFilters]):
    data = filters.dict(exclude={"cursor", "limit"})
    form = filter_form(request, data)
    page = page_of(
        request,
        selectors.clinics_for_list(form.query()),
        cursor=filters.cursor,
        limit=filters.limit,
    )
    return {
        "results": [_clinic_out(c) for c in page["results"]],
        "next": page["next"],
        "dropped": form.dropped(),
    }


@router.get(
    "/geojson",
    response={200: dict},
    summary="GeoJSON FeatureCollection для карты (bbox=minLon,minLat,maxLon,maxLat)",
)
def clinic_geojson(request: HttpRequest, filters: Query[ClinicFilters], bbox: str = ""):
    try:
        box = parse_bbox(bbox)
    except ValueError:
        raise ApiError(
            _("bbox: ожидаются четыре числа minLon,minLat,maxLon,maxLat"),
            errors={"bbox": [_("Ожидаются четыре числа minLon,minLat,maxLon,maxLat")]},
        ) from None
    form = filter_form(request, filters.dict(exclude={"cursor", "limit"}), with_places=False)
    kinds = list(form.kinds.values())
    query = form.query(bbox=box, with_origin=False)
    base_url = reverse("clinics")

    return HttpResponse(
        collection_for(query, kinds, base_url=base_url),
        content_type=f"{GEOJSON_CONTENT_TYPE}; charset=utf-8",
    )


@router.get("/{int:pk}", response=ClinicDetailOut, summary="Клиника")
def clinic_detail(request: HttpRequest, pk: int, patient: str = "", care_kind: str = ""):
    user = request.auth
    clinic = get_object_or_404(selectors.clinic_viewable(pk))
    policies = list(selectors.dms_policies_for_user(user))
    clinic_kinds = selectors.clinic_kinds_for_user(
        clinic=clinic, program_ids=selectors.group_program_ids(policies)
    )
    data = _clinic_out(clinic)
    data["care_kinds"] = [
        {
            "code": entry.care_kind.code,
            "name": entry.care_kind.name,
            "covered": entry.covered,
            "guarantee_letter_required": entry.guarantee_letter_required,
        }
        for entry in clinic_kinds
    ]
    data["doctors"] = [
        {
            "id": d.pk,
            "full_name": d.full_name,
            "specialty": d.specialty,
            "care_kind": d.care_kind.name if d.care_kind_id else "",
        }
        for d in (selectors.clinic_doctors(clinic) if clinic.online_booking else [])
    ]
    data["coverage"] = None
    patients = selectors.patients_for_user(user)
    if patients and care_kind:
        offered = [entry.care_kind for entry in clinic_kinds] or selectors.care_kinds()
        form = CoverageCheckForm(
            {"patient": patient or str(patients[0].pk), "care_kind": care_kind},
            patients=patients,
            kinds=offered,
        )
        if form.is_valid():
            coverage = selectors.coverage_for(
                insured_person=form.chosen_patient,
                clinic=clinic,
                care_kind=form.chosen_kind,
                on=timezone.localdate(),
            )
            data["coverage"] = {
                "covered": coverage.is_covered,
                "message": str(coverage.message),
                "copay": str(coverage.copay_text),
            }
    return data


@router.get("/{int:pk}/slots", response=list[SlotOut], summary="Свободное время врачей клиники")
def clinic_slots(request: HttpRequest, pk: int, doctor: int | None = None):
    clinic = get_object_or_404(selectors.clinic_viewable(pk))
    if not clinic.online_booking:
        return []
    doctors = [d for d in selectors.clinic_doctors(clinic) if doctor is None or d.pk == doctor]
    free = selectors.free_slots_by_doctor(doctors=doctors)
    return [
        {"id": s.pk, "doctor_id": d.pk, "starts_at": s.starts_at, "ends_at": s.ends_at}
        for d in doctors
        for s in free.get(d.pk, [])
    ]
