"""Registration at /accounts/signup/: every field's bad values are refused with a Russian message
at the field and nothing is saved; a good form leads through the SMS code and the e-mail link."""

import datetime
import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from portal.accounts.models import AccountEvent, Consent, PhoneVerification, User

from .conftest import last_sms_code, sms_messages

pytestmark = pytest.mark.django_db

SIGNUP_URL = "/accounts/signup/"
CYRILLIC = re.compile(r"[А-Яа-яЁё]")


def good_form(**changes) -> dict:
    data = {
        "email": "anna.petrova@example.com",
        "password1": "Zk7-plum-river",
        "password2": "Zk7-plum-river",
        "last_name": "Петрова",
        "first_name": "Анна",
        "middle_name": "Сергеевна",
        "birth_date": "1990-05-17",
        "passport_series": "4512",
        "passport_number": "654321",
        "phone": "+7 916 555-12-34",
        "pin1": "2580",
        "pin2": "2580",
        "consent": "on",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def years_ago(years: int, days: int = 0) -> str:
    today = timezone.localdate()
    return (today.replace(year=today.year - years) + datetime.timedelta(days=days)).isoformat()


BAD_VALUES = [
    ("email", "not-an-email"),
    ("email", ""),
    ("password2", "Zk7-plum-rivers"),
    ("password1", "12345678"),
    ("password1", "qwerty"),
    ("last_name", "Petrova"),
    ("last_name", "Петрова1"),
    ("last_name", "-Петрова"),
    ("last_name", ""),
    ("first_name", "Anna"),
    ("first_name", "Ан@на"),
    ("middle_name", ""),
    ("middle_name", "Sergeevna"),
    ("birth_date", "2000-02-30"),
    ("birth_date", "17.05.1990"),
    ("birth_date", ""),
    ("birth_date", years_ago(0, days=1)),
    ("birth_date", years_ago(14, days=1)),
    ("birth_date", "1890-01-01"),
    ("passport_series", "451"),
    ("passport_series", "45123"),
    ("passport_series", "45a2"),
    ("passport_number", "65432"),
    ("passport_number", "6543210"),
    ("passport_number", "abcdef"),
    ("phone", "12345"),
    ("phone", "+7 495 123-45-67"),
    ("phone", "+7 701 234-56-78"),
    ("phone", "+1 202 555 0142"),
    ("phone", ""),
    ("pin1", "12"),
    ("pin1", "1234567"),
    ("pin1", "1111"),
    ("pin1", "1234"),
    ("pin1", "12ab"),
    ("pin2", "2581"),
    ("consent", None),
]


def assert_nothing_saved(outbox) -> None:
    assert not User.objects.filter(email__iexact="anna.petrova@example.com").exists()
    assert Consent.objects.count() == 0
    assert PhoneVerification.objects.count() == 0
    assert EmailAddress.objects.filter(email__iexact="anna.petrova@example.com").count() == 0
    assert sms_messages(outbox) == []
    assert mail.outbox == []


@pytest.mark.parametrize(("field", "value"), BAD_VALUES, ids=[f"{f}={v!r}" for f, v in BAD_VALUES])
def test_a_bad_value_is_refused_at_its_field_and_nothing_is_saved(client, sms_outbox, field, value):
    # when
    response = client.post(SIGNUP_URL, good_form(**{field: value}))

    # then
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert list(errors) == [field], errors
    assert all(CYRILLIC.search(message) for message in errors[field]), errors[field]
    assert_nothing_saved(sms_outbox)


@pytest.mark.parametrize(
    ("password", "why"),
    [("Петрова1990!", "the last name"), ("anna.petrova", "the e-mail")],
)
def test_a_password_like_the_name_or_email_is_refused(client, sms_outbox, password, why):
    response = client.post(SIGNUP_URL, good_form(password1=password, password2=password))

    assert "password1" in response.context["form"].errors, why
    assert_nothing_saved(sms_outbox)


def test_middle_name_with_the_no_middle_name_tick_is_refused(client, sms_outbox):
    response = client.post(SIGNUP_URL, good_form(no_middle_name="on"))

    assert "«Нет отчества»" in response.context["form"].errors["middle_name"][0]
    assert_nothing_saved(sms_outbox)


def test_no_middle_name_tick_without_a_middle_name_is_accepted(client):
    response = client.post(SIGNUP_URL, good_form(middle_name="", no_middle_name="on"))

    assert response.status_code == 302
    user = User.objects.get(email="anna.petrova@example.com")
    assert (user.middle_name, user.no_middle_name) == ("", True)


def test_the_form_has_the_contract_field_names_and_links_the_consent(client):
    response = client.get(SIGNUP_URL)

    html = response.content.decode()
    for name in (
        "email",
        "password1",
        "password2",
        "last_name",
        "first_name",
        "middle_name",
        "no_middle_name",
        "birth_date",
        "passport_series",
        "passport_number",
        "phone",
        "pin1",
        "pin2",
        "consent",
    ):
        assert f'name="{name}"' in html, name
    assert 'type="date"' in html
    assert reverse("accounts_auth:consent_personal_data") in html
    assert client.get(reverse("accounts_auth:consent_personal_data")).status_code == 200


def test_signup_saves_the_person_and_asks_for_the_sms_code(client, sms_outbox, settings):
    # when
    response = client.post(SIGNUP_URL, good_form(phone="8 (916) 555-12-34"))

    # then: the account exists, with the phone not yet confirmed
    assert response.status_code == 302
    assert response.url == reverse("accounts_auth:phone_confirm")
    user = User.objects.get(email="anna.petrova@example.com")
    assert (user.last_name, user.first_name, user.middle_name) == ("Петрова", "Анна", "Сергеевна")
    assert user.birth_date == datetime.date(1990, 5, 17)
    assert user.phone == "+79165551234"
    assert user.phone_confirmed_at is None
    assert user.check_password("Zk7-plum-river")
    assert user.check_pin("2580") and "2580" not in user.pin_hash
    assert user.passport == "4512654321"
    assert user.passport_masked == "45** ******21"
    with connection.cursor() as cursor:
        cursor.execute("SELECT passport FROM accounts_user WHERE id = %s", [user.pk])
        stored = cursor.fetchone()[0]
    assert "654321" not in stored
    consent = Consent.objects.get(user=user)
    assert consent.document == Consent.Document.PERSONAL_DATA
    assert consent.version == settings.CONSENT_PERSONAL_DATA_VERSION
    assert consent.withdrawn_at is None
    assert AccountEvent.objects.filter(user=user, kind=AccountEvent.Kind.REGISTERED).exists()
    # and an SMS with the code went to the number, stored hashed
    messages = sms_messages(sms_outbox)
    assert [m["phone"] for m in messages] == ["+79165551234"]
    code = last_sms_code(sms_outbox)
    verification = PhoneVerification.objects.get(user=user)
    assert code not in verification.code_hash
    # and the e-mail link went out at once, beside the SMS code
    assert not EmailAddress.objects.get(user=user).verified
    assert [m.to for m in mail.outbox] == [["anna.petrova@example.com"]]
    assert "/accounts/confirm-email/" in mail.outbox[0].body


def test_signup_goes_through_the_sms_code_and_the_email_link_to_the_dashboard(client, sms_outbox):
    # given: the form is sent
    client.post(SIGNUP_URL, good_form())
    page = client.get(reverse("accounts_auth:phone_confirm"))
    assert "+7 916 ***-**-34" in page.content.decode()

    # when: the SMS code is entered
    response = client.post(
        reverse("accounts_auth:phone_confirm"), {"code": last_sms_code(sms_outbox)}
    )

    # then: the phone is confirmed and the e-mail link is sent
    assert response.status_code == 302
    assert response.url == reverse("account_email_verification_sent")
    user = User.objects.get(email="anna.petrova@example.com")
    assert user.phone_confirmed_at is not None
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["anna.petrova@example.com"]
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", mail.outbox[0].body).group(0)
    assert client.get("/").context["user"].is_anonymous  # not in before the e-mail is confirmed

    # when: the link is opened and confirmed
    path = link.split("testserver", 1)[1]
    assert client.get(path).status_code == 200
    confirmed = client.post(path)

    # then: the cabinet opens
    assert confirmed.status_code == 302
    dashboard = client.get("/")
    assert dashboard.context["user"] == user
    assert "Здравствуйте, Анна" in dashboard.content.decode()


def test_the_email_link_followed_before_the_sms_code_returns_to_the_sms_step(client, sms_outbox):
    # given: the form is sent, and the e-mail link is followed first
    client.post(SIGNUP_URL, good_form())
    link = re.search(r"http://testserver(/accounts/confirm-email/\S+/)", mail.outbox[0].body)
    confirmed = client.post(link.group(1))

    # then: the address is confirmed, and the SMS step is next
    assert confirmed.url == reverse("accounts_auth:phone_confirm")
    user = User.objects.get(email="anna.petrova@example.com")
    assert EmailAddress.objects.get(user=user).verified
    assert client.get("/").context["user"].is_anonymous

    # when: the code is entered
    done = client.post(confirmed.url, {"code": last_sms_code(sms_outbox)})

    # then: the cabinet opens at once
    assert done.status_code == 302
    assert client.get("/").context["user"] == user
    assert len(mail.outbox) == 1


def test_a_login_before_the_phone_is_confirmed_asks_for_the_code_again(client, sms_outbox):
    # given: an account whose phone was never confirmed
    client.post(SIGNUP_URL, good_form())
    user = User.objects.get(email="anna.petrova@example.com")
    EmailAddress.objects.filter(user=user).update(verified=True)
    client.logout()
    PhoneVerification.objects.update(sent_at=timezone.now() - datetime.timedelta(minutes=2))

    # when
    response = client.post("/accounts/login/", {"login": user.email, "password": "Zk7-plum-river"})

    # then: the SMS step comes first, with a new code
    assert response.url == reverse("accounts_auth:phone_confirm")
    assert len(sms_messages(sms_outbox)) == 2
    assert client.get("/").context["user"].is_anonymous
    done = client.post(reverse("accounts_auth:phone_confirm"), {"code": last_sms_code(sms_outbox)})
    assert done.status_code == 302
    assert client.get("/").context["user"] == user


def test_the_phone_step_without_a_pending_login_sends_to_the_login_page(client):
    response = client.get(reverse("accounts_auth:phone_confirm"))

    assert response.status_code == 302
    assert response.url == reverse("account_login")
