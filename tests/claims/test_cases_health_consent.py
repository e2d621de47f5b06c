"""/cases/ without the separate health-data consent (152-FZ art. 9): dates, clinics and amounts,
no diagnoses and no service names, and the form (checkbox `health_consent` and the PIN) that
gives it; a withdrawal hides them again at once."""

import pytest

from portal.accounts.models import Consent
from portal.accounts.services import health_consent_withdraw
from tests.factories import ClinicFactory, ServiceLineFactory

PIN = "2580"
SERVICE = "Приём гастроэнтеролога"
DIAGNOSIS = "Острая инфекция верхних дыхательных путей неуточнённая"


@pytest.fixture
def history(user, insured):
    user.set_pin(PIN)
    user.save()
    return ServiceLineFactory(
        insured_person=insured,
        service_name=SERVICE,
        icd10_code="J06.9",
        icd10_name=DIAGNOSIS,
        clinic=ClinicFactory(name="Клиника «Семейный доктор»"),
    )


def test_without_the_consent_the_page_hides_diagnoses_and_services(person_client, history):
    page = person_client.get("/cases/").content.decode()

    assert "Клиника «Семейный доктор»" in page
    assert history.service_date.strftime("%d.%m.%Y") in page
    assert SERVICE not in page and DIAGNOSIS not in page and "J06.9" not in page
    assert 'name="health_consent"' in page and 'name="pin"' in page
    assert "Диагнозы и наименования услуг скрыты" in page


def test_the_consent_given_on_the_page_shows_them(person_client, user, history):
    response = person_client.post(
        "/profile/consents/health/", {"health_consent": "on", "pin": PIN, "next": "/cases/"}
    )

    assert response.status_code == 302 and response["Location"] == "/cases/"
    consent = Consent.objects.get(user=user, document=Consent.Document.HEALTH_DATA)
    assert consent.method == Consent.Method.PIN and len(consent.text_hash) == 64
    page = person_client.get("/cases/").content.decode()
    assert SERVICE in page and DIAGNOSIS in page
    assert 'name="health_consent"' not in page


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"health_consent": "on"}, "Обязательное поле"),
        ({"health_consent": "on", "pin": "1111"}, "Неверный PIN-код"),
        ({"pin": PIN}, "Отметьте согласие"),
    ],
)
def test_a_consent_without_the_checkbox_or_the_pin_changes_nothing(
    person_client, user, history, data, message
):
    response = person_client.post("/profile/consents/health/", {**data, "next": "/cases/"})

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Consent.objects.filter(user=user, document=Consent.Document.HEALTH_DATA).exists()
    assert SERVICE not in person_client.get("/cases/").content.decode()


def test_a_withdrawal_hides_them_again_at_once(person_client, user, history):
    person_client.post("/profile/consents/health/", {"health_consent": "on", "pin": PIN})
    assert DIAGNOSIS in person_client.get("/cases/").content.decode()

    health_consent_withdraw(user=user)

    page = person_client.get("/cases/").content.decode()
    assert DIAGNOSIS not in page and SERVICE not in page


def test_an_older_versions_consent_asks_again(person_client, user, history, settings):
    person_client.post("/profile/consents/health/", {"health_consent": "on", "pin": PIN})
    settings.CONSENT_HEALTH_DATA_VERSION = "2027-01"

    page = person_client.get("/cases/").content.decode()

    assert DIAGNOSIS not in page and 'name="health_consent"' in page


def test_linking_a_dms_policy_asks_for_the_consent(person_client, user):
    from tests.factories import InsuredPersonFactory

    person = InsuredPersonFactory(
        last_name=user.last_name,
        first_name=user.first_name,
        middle_name=user.middle_name,
        birth_date=user.birth_date,
    )
    person_client.post("/policies/add/", {"number": person.policy_number})
    response = person_client.post(
        "/policies/add/", {"number": person.policy_number, "confirm": "1"}
    )

    assert response.status_code == 302
    assert response["Location"].startswith("/profile/consents/health/?next=")
