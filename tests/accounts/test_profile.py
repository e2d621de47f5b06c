"""«Личная информация»: the page, and changes of personal data (re-checked against the linked
policy), e-mail and phone (PIN-confirmed), password and PIN."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse

from portal.accounts.models import AccountEvent, User
from tests.factories import (
    DEFAULT_PASSWORD,
    InsuredPersonFactory,
    PolicyLinkFactory,
    UserFactory,
)

from .conftest import PIN, last_sms_code, sms_messages, verified_person

pytestmark = pytest.mark.django_db

EDIT_URL = "/profile/edit/"


@pytest.fixture
def logged_in(client, person):
    client.force_login(person)
    return client


@pytest.fixture
def own_policy(person):
    """The register row of `person`, linked to the account as their own."""
    row = InsuredPersonFactory(
        last_name=person.last_name,
        first_name=person.first_name,
        middle_name=person.middle_name,
        birth_date=person.birth_date,
    )
    PolicyLinkFactory(user=person, insured_person=row)
    return row


def edit_form(person: User, **changes) -> dict:
    data = {
        "last_name": person.last_name,
        "first_name": person.first_name,
        "middle_name": person.middle_name,
        "birth_date": person.birth_date.isoformat(),
        "passport_series": "",
        "passport_number": "",
        "pin": PIN,
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def snapshot(user: User) -> tuple:
    user.refresh_from_db()
    return (user.last_name, user.first_name, user.middle_name, user.birth_date, user.passport)


def test_the_profile_page_shows_the_data_with_the_passport_masked(logged_in, person):
    person.set_passport("4510", "123456")
    person.save()

    page = logged_in.get("/profile/").content.decode()

    assert person.full_name in page
    assert "12.04.1986" in page
    assert "45** ******56" in page
    assert "123456" not in page
    assert person.email in page
    for url in ("/accounts/email/", "/profile/phone/", "/profile/pin/", "/profile/data/"):
        assert url in page


def test_the_profile_page_needs_a_login(client):
    response = client.get("/profile/")

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


# --- personal data --------------------------------------------------------------------------


def test_without_a_linked_policy_the_name_and_passport_change(logged_in, person):
    response = logged_in.post(
        EDIT_URL,
        edit_form(person, last_name="Смирнова", passport_series="4601", passport_number="111222"),
    )

    assert response.status_code == 302
    assert snapshot(person)[0] == "Смирнова"
    assert person.passport == "4601111222"
    event = AccountEvent.objects.get(user=person, kind=AccountEvent.Kind.PROFILE_CHANGED)
    assert event.details == {"fields": ["last_name", "passport"]}


@pytest.mark.parametrize(
    "change",
    [
        {"last_name": "Смирнова"},
        {"first_name": "Мария"},
        {"middle_name": "Олеговна"},
        {"birth_date": "1987-04-12"},
    ],
    ids=lambda change: next(iter(change)),
)
def test_a_change_that_no_longer_matches_the_own_policy_is_refused(
    logged_in, person, own_policy, change
):
    # given
    before = snapshot(person)

    # when
    response = logged_in.post(EDIT_URL, edit_form(person, **change))

    # then: nothing changes, the person is sent to support, the refusal is in the history
    assert response.status_code == 200
    assert (
        "обратитесь в поддержку" in response.content.decode().lower()
        or "позвоните в поддержку" in response.content.decode()
    )
    assert snapshot(person) == before
    event = AccountEvent.objects.get(user=person, kind=AccountEvent.Kind.PROFILE_CHANGE_REFUSED)
    assert event.details == {"fields": [next(iter(change))]}


def test_a_change_that_still_matches_the_policy_is_saved(logged_in, person, own_policy):
    # «ё» for «е» and the letter case do not tell two people apart: the register still matches.
    own_policy.last_name = "Семёнова"
    own_policy.save()
    person.last_name = "Семенова"
    person.save()

    response = logged_in.post(EDIT_URL, edit_form(person, last_name="Семёнова"))

    assert response.status_code == 302
    assert snapshot(person)[0] == "Семёнова"


def test_a_passport_that_differs_from_the_registers_is_refused(logged_in, person, own_policy):
    own_policy.set_passport("4510", "123456")
    own_policy.save()

    response = logged_in.post(
        EDIT_URL, edit_form(person, passport_series="4601", passport_number="111222")
    )

    assert response.status_code == 200
    assert snapshot(person)[4] == ""


def test_a_childs_policy_does_not_hold_back_the_parents_changes(logged_in, person):
    child = InsuredPersonFactory(child=True)
    PolicyLinkFactory(user=person, insured_person=child)

    response = logged_in.post(EDIT_URL, edit_form(person, last_name="Смирнова"))

    assert response.status_code == 302
    assert snapshot(person)[0] == "Смирнова"


def test_personal_data_changes_need_the_right_pin(logged_in, person):
    before = snapshot(person)

    response = logged_in.post(EDIT_URL, edit_form(person, last_name="Смирнова", pin="9731"))

    assert "Неверный PIN-код" in response.context["form"].errors["pin"][0]
    assert snapshot(person) == before


def test_a_passport_of_another_account_is_refused(logged_in, person):
    other = UserFactory()
    other.set_passport("4601", "111222")
    other.save()

    response = logged_in.post(
        EDIT_URL, edit_form(person, passport_series="4601", passport_number="111222")
    )

    assert "другой учётной записи" in response.context["form"].errors["passport_number"][0]
    assert snapshot(person)[4] == ""


def test_half_a_passport_is_refused(logged_in, person):
    response = logged_in.post(EDIT_URL, edit_form(person, passport_series="4601"))

    assert "passport_number" in response.context["form"].errors


# --- e-mail ---------------------------------------------------------------------------------


def test_the_email_changes_after_the_pin_and_the_link_to_the_new_address(logged_in, person):
    old_email = person.email

    # when: a wrong PIN
    refused = logged_in.post(
        "/accounts/email/", {"action_add": "", "email": "new.address@example.com", "pin": "9731"}
    )
    # then: nothing is added
    assert refused.status_code == 200
    assert "pin" in refused.context["form"].errors
    assert not EmailAddress.objects.filter(email="new.address@example.com").exists()
    assert mail.outbox == []

    # when: the right PIN
    logged_in.post(
        "/accounts/email/", {"action_add": "", "email": "new.address@example.com", "pin": PIN}
    )
    # then: a link goes to the new address; the old one stays until it is followed
    assert mail.outbox[-1].to == ["new.address@example.com"]
    person.refresh_from_db()
    assert person.email == old_email
    link = re.search(r"http://testserver(/accounts/confirm-email/\S+/)", mail.outbox[-1].body)
    logged_in.post(link.group(1))

    person.refresh_from_db()
    assert person.email == "new.address@example.com"
    assert list(EmailAddress.objects.filter(user=person).values_list("email", flat=True)) == [
        "new.address@example.com"
    ]
    assert AccountEvent.objects.filter(user=person, kind=AccountEvent.Kind.EMAIL_CHANGED).exists()


def test_the_email_of_another_account_is_refused(logged_in, person):
    other = verified_person(email="taken@example.com")

    response = logged_in.post(
        "/accounts/email/", {"action_add": "", "email": "Taken@Example.com", "pin": PIN}
    )

    assert "другой учётной записью" in response.context["form"].errors["email"][0]
    assert EmailAddress.objects.filter(email__iexact="taken@example.com").get().user == other


# --- phone ----------------------------------------------------------------------------------


def test_the_phone_changes_after_the_pin_and_the_sms_code(logged_in, person, sms_outbox):
    # when: a new number with the PIN
    response = logged_in.post("/profile/phone/", {"phone": "+7 925 000-11-22", "pin": PIN})
    assert response.url == "/profile/phone/confirm/"
    assert sms_messages(sms_outbox)[-1]["phone"] == "+79250001122"
    person.refresh_from_db()
    assert person.phone != "+79250001122"

    # and: the code
    done = logged_in.post("/profile/phone/confirm/", {"code": last_sms_code(sms_outbox)})

    # then
    assert done.status_code == 302
    person.refresh_from_db()
    assert person.phone == "+79250001122"
    assert AccountEvent.objects.filter(user=person, kind=AccountEvent.Kind.PHONE_CHANGED).exists()


def test_a_phone_change_with_a_wrong_pin_sends_no_sms(logged_in, sms_outbox):
    response = logged_in.post("/profile/phone/", {"phone": "+7 925 000-11-22", "pin": "9731"})

    assert response.status_code == 200
    assert sms_messages(sms_outbox) == []


def test_the_code_page_without_a_pending_change_goes_back(logged_in):
    assert logged_in.get("/profile/phone/confirm/").url == "/profile/phone/"


# --- password and PIN -----------------------------------------------------------------------


def test_the_pin_changes_with_the_password(logged_in, person):
    refused = logged_in.post(
        "/profile/pin/", {"password": "not-it", "pin1": "3691", "pin2": "3691"}
    )
    assert "password" in refused.context["form"].errors

    logged_in.post("/profile/pin/", {"password": DEFAULT_PASSWORD, "pin1": "3691", "pin2": "3691"})

    person.refresh_from_db()
    assert person.check_pin("3691")
    assert AccountEvent.objects.filter(user=person, kind=AccountEvent.Kind.PIN_CHANGED).exists()


@pytest.mark.parametrize(("pin1", "pin2"), [("1111", "1111"), ("3691", "3692"), ("36", "36")])
def test_a_weak_or_mismatched_new_pin_is_refused(logged_in, person, pin1, pin2):
    response = logged_in.post(
        "/profile/pin/", {"password": DEFAULT_PASSWORD, "pin1": pin1, "pin2": pin2}
    )

    assert response.status_code == 200
    person.refresh_from_db()
    assert person.check_pin(PIN)


def test_a_password_change_is_recorded(logged_in, person):
    response = logged_in.post(
        reverse("account_change_password"),
        {
            "oldpassword": DEFAULT_PASSWORD,
            "password1": "Nw4-fresh-meadow",
            "password2": "Nw4-fresh-meadow",
        },
    )

    assert response.status_code == 302
    assert AccountEvent.objects.filter(
        user=person, kind=AccountEvent.Kind.PASSWORD_CHANGED
    ).exists()
    assert logged_in.get("/profile/").status_code == 200  # this session survives the change
