"""Security headers on every kind of response: a page, a redirect, a 404, JSON, GeoJSON, a PDF and
a calendar file download, and the admin's login. HSTS is the production value (production.py
sets SECURE_HSTS_SECONDS; the test settings do not) and is sent on HTTPS requests only."""

import pytest

from tests.conftest import staff_login
from tests.factories import AppointmentFactory, InsuredPersonFactory

pytestmark = pytest.mark.django_db

HSTS_SECONDS = 31_536_000


@pytest.fixture
def production_like(settings, tmp_path):
    settings.SECURE_HSTS_SECONDS = HSTS_SECONDS
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_HSTS_PRELOAD = True
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "private"), "base_url": None},
        },
    }


def csp_directives(header: str) -> dict[str, list[str]]:
    directives = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


def assert_secure_headers(response) -> None:
    what = f"{response.request['PATH_INFO']} ({response.status_code})"
    csp = csp_directives(response["Content-Security-Policy"])
    for directive in ("default-src", "script-src", "style-src"):
        assert "'unsafe-inline'" not in csp.get(directive, []), what
        assert "'unsafe-eval'" not in csp.get(directive, []), what
    assert csp["default-src"] == ["'self'"], what
    assert csp["object-src"] == ["'none'"], what
    assert csp["frame-ancestors"] == ["'none'"], what
    assert response["Strict-Transport-Security"] == (
        f"max-age={HSTS_SECONDS}; includeSubDomains; preload"
    ), what
    assert response["X-Content-Type-Options"] == "nosniff", what
    assert response["X-Frame-Options"] == "DENY", what
    assert response["Referrer-Policy"] == "same-origin", what


def test_a_page_a_redirect_and_the_admin_login_carry_the_headers(client, production_like):
    page = client.get("/accounts/login/", secure=True)
    redirect = client.get("/policies/", secure=True)
    admin = client.get("/admin/", secure=True)
    admin_login = client.get(admin["Location"], secure=True)
    while admin_login.status_code == 302:  # the admin sends staff to the cabinet's login form
        admin_login = client.get(admin_login["Location"], secure=True)

    assert page.status_code == 200
    assert redirect.status_code == 302 and "/accounts/login/" in redirect["Location"]
    assert admin.status_code == 302
    assert admin_login.status_code == 200
    for response in (page, redirect, admin, admin_login):
        assert_secure_headers(response)


def test_a_404_json_and_geojson_carry_the_headers(person_client, production_like):
    missing = person_client.get("/policies/999999/", secure=True)
    healthz = person_client.get("/healthz/", secure=True)
    geojson = person_client.get("/clinics/geojson/", secure=True)

    assert missing.status_code == 404
    assert healthz["Content-Type"].startswith("application/json")
    assert geojson.status_code == 200
    assert geojson["Content-Type"].startswith("application/geo+json") or geojson[
        "Content-Type"
    ].startswith("application/json")
    for response in (missing, healthz, geojson):
        assert_secure_headers(response)


def test_downloads_carry_the_headers(
    person_client, user, insured, dms_policy, production_like, django_capture_on_commit_callbacks
):
    appointment = AppointmentFactory(user=user, insured_person=insured)

    with django_capture_on_commit_callbacks(execute=True):
        person_client.get(f"/policies/{dms_policy.pk}/pdf/", secure=True)  # queues the PDF
    pdf = person_client.get(f"/policies/{dms_policy.pk}/pdf/", secure=True)
    calendar = person_client.get(f"/appointments/{appointment.pk}/calendar.ics", secure=True)

    assert pdf["Content-Type"] == "application/pdf"
    assert pdf["Content-Disposition"].startswith("attachment")
    assert calendar["Content-Disposition"].startswith("attachment")
    for response in (pdf, calendar):
        assert_secure_headers(response)


def test_the_admin_pages_of_staff_carry_the_headers(client, staff_user, production_like):
    InsuredPersonFactory()
    staff_login(client, staff_user)

    index = client.get("/admin/", secure=True)

    assert index.status_code == 200
    assert_secure_headers(index)
