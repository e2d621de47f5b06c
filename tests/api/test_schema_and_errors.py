"""The API's contract: a valid OpenAPI 3 schema and a docs page; refusals as JSON in Russian with
field names; cursors that cannot be forged; the portal's own login steps end in a session token."""

import pytest
from openapi_spec_validator import validate

from portal.accounts.models import RememberedDevice
from tests.accounts.conftest import last_sms_code, verified_person
from tests.api.conftest import ApiClient
from tests.core.test_access_sweep import session_token
from tests.factories import AppealFactory

pytestmark = pytest.mark.django_db


def test_the_openapi_schema_validates_and_the_docs_page_opens(client):
    response = client.get("/api/v1/openapi.json")

    assert response.status_code == 200
    spec = response.json()
    validate(spec)
    assert spec["openapi"].startswith("3.")
    for path in (
        "/api/v1/policies/",
        "/api/v1/clinics/",
        "/api/v1/appointments/",
        "/api/v1/cases/service-lines",
        "/api/v1/appeals/",
        "/api/v1/copay/",
        "/api/v1/claims/",
    ):
        assert path in spec["paths"], path
    scheme = spec["components"]["securitySchemes"]["SessionTokenAuth"]
    assert scheme == {**scheme, "type": "apiKey", "in": "header", "name": "X-Session-Token"}
    assert client.get("/api/v1/docs/").status_code == 200


def test_bad_input_is_told_in_russian_with_the_field_names(user, insured, client):
    api = ApiClient(client, session_token(user))

    response = api.post("/api/v1/appeals/", {"kind": "complaint", "body": ""}, multipart=True)
    assert response.status_code == 400
    data = response.json()
    assert "body" in data["errors"] and data["fields"]["body"] == "Текст обращения"
    assert data["detail"].startswith("Проверьте поля")

    response = api.post("/api/v1/appointments/", {"clinic_id": "x"})
    assert response.status_code == 400
    data = response.json()
    assert data["errors"]["clinic_id"] == ["Введите целое число"]
    assert data["errors"]["slot_id"] == ["Обязательное поле"]

    response = api.post("/api/v1/appointments/", "{не json", content_type="application/json")
    assert response.status_code == 400 and response.json()["detail"]


def test_a_forged_cursor_is_refused_not_a_500(user, client):
    AppealFactory.create_batch(3, user=user)
    api = ApiClient(client, session_token(user))

    first = api.get("/api/v1/appeals/", {"limit": 2}).json()
    assert len(first["results"]) == 2 and first["next"]
    second = api.get(first["next"]).json()
    assert len(second["results"]) == 1 and second["next"] is None
    ids = {a["id"] for a in first["results"]} | {a["id"] for a in second["results"]}
    assert len(ids) == 3

    response = api.get("/api/v1/appeals/", {"cursor": "MTA="})
    assert response.status_code == 400
    assert response.json()["errors"] == {"cursor": ["Неверный курсор"]}


def test_a_pin_login_on_a_device_remembered_through_the_api(client):
    user = verified_person()  # PIN 2580
    api = ApiClient(client, session_token(user))
    device = api.post("/api/v1/auth/pin/device", {"label": "Pixel 8"})
    assert device.status_code == 201, device.content
    device_id = device.json()["device_id"]
    assert RememberedDevice.objects.get(user=user).label == "Pixel 8"

    wrong = client.post(
        "/api/v1/auth/pin", {"device_id": device_id, "pin": "0000"}, content_type="application/json"
    )
    assert wrong.status_code == 400 and "PIN" in wrong.json()["detail"]

    response = client.post(
        "/api/v1/auth/pin", {"device_id": device_id, "pin": "2580"}, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    token = response.json()["meta"]["session_token"]
    profile = ApiClient(client, token).get("/api/v1/profile/")
    assert profile.status_code == 200 and profile.json()["email"] == user.email


def test_the_sms_step_of_a_login_ends_in_a_session_token(client, settings, tmp_path):
    settings.SMS_OUTBOX_DIR = tmp_path / "sms"
    user = verified_person(phone_confirmed_at=None, phone="+79161234567")
    user.set_password("s3cret-pass-2026")
    user.save()
    response = client.post(
        "/_allauth/app/v1/auth/login",
        {"email": user.email, "password": "s3cret-pass-2026"},
        content_type="application/json",
    )
    assert response.status_code == 401, response.content
    data = response.json()
    pending = [f for f in data["data"]["flows"] if f.get("is_pending")]
    assert pending == [{"id": "portal_confirm_phone", "is_pending": True}]
    token = data["meta"]["session_token"]
    code = last_sms_code(settings.SMS_OUTBOX_DIR)

    headers = {"X-Session-Token": token}
    wrong = client.post(
        "/api/v1/auth/phone/confirm",
        {"code": "000000"},
        content_type="application/json",
        headers=headers,
    )
    assert wrong.status_code == 400
    response = client.post(
        "/api/v1/auth/phone/confirm",
        {"code": code},
        content_type="application/json",
        headers=headers,
    )
    assert response.status_code == 200, response.content
    new_token = response.json()["meta"].get("session_token", token)
    assert ApiClient(client, new_token).get("/api/v1/profile/").json()["phone_confirmed"]
