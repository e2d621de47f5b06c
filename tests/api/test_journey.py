"""The issue's journey through the API: the demo person logs in with e-mail and password, lists
policies, books and cancels a visit, files an appeal and sees the 544 руб. co-pay debt."""

import datetime

import pytest
from allauth.account.models import EmailAddress
from django.utils import timezone

from clinics.models import Appointment, Clinic
from feedback.models import Appeal
from payments.models import CopayEnrollment, PaymentCard
from policies.selectors import insured_persons_for_user
from portal.accounts.models import User
from tests.api.conftest import ApiClient, app_login
from tests.factories import DEFAULT_PASSWORD, UserFactory


def _card_bound(user, person) -> None:
    now = timezone.now()
    enrollment, _created = CopayEnrollment.objects.get_or_create(
        user=user,
        insured_person=person,
        defaults={
            "program": person.program,
            "consent_at": now,
            "terms_version": "2026-01",
            "card_bound_at": now - datetime.timedelta(hours=1),
            "clinic_access_from": now - datetime.timedelta(minutes=30),
        },
    )
    PaymentCard.objects.create(
        user=user,
        enrollment=enrollment,
        provider_customer_id="cus_demo",
        provider_payment_method_id=f"pm_demo_{person.pk}",
        brand="visa",
        last4="4242",
        exp_month=12,
        exp_year=2031,
    )


@pytest.mark.django_db
def test_the_demo_person_through_the_api(demo_api, client):
    # policies
    response = demo_api.get("/api/v1/policies/")
    assert response.status_code == 200, response.content
    policies = response.json()
    assert any(p["product"] == "dms" for p in policies)
    dms = next(p for p in policies if p["product"] == "dms" and p["debt"] is not None)
    assert dms["debt_display"] == "544\xa0руб."

    # the co-pay debt
    copay = demo_api.get("/api/v1/copay/").json()
    assert copay["debt_display"] == "544\xa0руб."

    # a visit: the demo's program has a co-pay and no card is bound yet, which the booking
    # service refuses, in Russian; once a card is bound (on the page: the card form is the
    # payment provider's) the visit books
    user = User.objects.get(email="demo@example.com")
    booked = refusals = None
    patients = list(insured_persons_for_user(user).order_by("relation"))
    for attempt, patient in enumerate([patients[0], *patients]):
        if attempt == 1:
            assert refusals is not None and refusals["code"] == "copay_card_required"
            # the wording of issue 23 (the co-pay clock): the program named, the card required
            assert "— со-оплатная" in refusals["detail"]
            assert "только с привязанной банковской картой" in refusals["detail"]
            for person in patients:
                _card_bound(user, person)
        clinics = Clinic.objects.filter(
            online_booking=True, program_links__program=patient.program
        ).distinct()
        for clinic in clinics[:3]:
            slots = demo_api.get(f"/api/v1/clinics/{clinic.pk}/slots").json()
            # a time that can still be cancelled (2 hours ahead), whatever the hour of the run
            later = timezone.now() + datetime.timedelta(hours=3)
            slots = [s for s in slots if datetime.datetime.fromisoformat(s["starts_at"]) > later]
            for slot in slots[:3]:
                response = demo_api.post(
                    "/api/v1/appointments/",
                    {"clinic_id": clinic.pk, "slot_id": slot["id"], "patient_id": patient.pk},
                )
                if response.status_code == 201:
                    booked = response.json()
                    break
                assert response.status_code == 400, response.content
                refusals = response.json()
            if booked:
                break
        if booked:
            break
    assert booked is not None, "no slot of the demo clinics could be booked"
    listed = demo_api.get("/api/v1/appointments/").json()
    assert [a["id"] for a in listed["upcoming"]] == [booked["id"]]
    cancelled = demo_api.post(f"/api/v1/appointments/{booked['id']}/cancel").json()
    assert cancelled["status"] == Appointment.Status.CANCELLED

    # an appeal, with a file
    response = demo_api.post(
        "/api/v1/appeals/",
        {"kind": "complaint", "body": "Долго ждал в регистратуре.", "subject": "Очередь"},
        multipart=True,
    )
    assert response.status_code == 201, response.content
    appeal = response.json()
    assert Appeal.objects.get(pk=appeal["id"]).user.email == "demo@example.com"
    assert appeal["messages"][0]["body"] == "Долго ждал в регистратуре."
    listed = demo_api.get("/api/v1/appeals/").json()["results"]
    assert listed[0]["id"] == appeal["id"]

    # a stranger's token: 404 for each of the demo person's objects
    stranger = UserFactory(email="stranger@example.com")
    EmailAddress.objects.create(user=stranger, email=stranger.email, verified=True, primary=True)
    other = ApiClient(
        client, app_login(client, {"email": stranger.email, "password": DEFAULT_PASSWORD})
    )
    claim = demo_api.get("/api/v1/claims/").json()["results"][0]
    for url in (
        f"/api/v1/policies/{dms['id']}",
        f"/api/v1/policies/{dms['id']}/pdf",
        f"/api/v1/appointments/{booked['id']}",
        f"/api/v1/appointments/{booked['id']}/calendar.ics",
        f"/api/v1/appeals/{appeal['id']}",
        f"/api/v1/claims/{claim['id']}",
    ):
        response = other.get(url)
        assert response.status_code == 404, url
        assert response.json() == {"detail": "Не найдено"}
    assert other.post(f"/api/v1/appointments/{booked['id']}/cancel").status_code == 404
    assert other.get("/api/v1/policies/").json() == []
    assert other.get("/api/v1/copay/").json()["ledgers"] == []
