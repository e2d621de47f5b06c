"""The PIN: a remembered device logs in with it alone, five wrong PINs forget the device; and it
confirms sensitive actions, with a limit of wrong tries."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from portal.accounts.models import AccountEvent, RememberedDevice
from portal.accounts.services import pin_confirm
from tests.factories import StaffUserFactory

from .conftest import PIN, password_login, verified_person

pytestmark = pytest.mark.django_db

PIN_LOGIN = "/accounts/pin-login/"


@pytest.fixture
def remembered(client, person, settings):
    """`person` logged in once with the password and «remember this device», then logged out."""
    response = password_login(client, person, remember_device=True)
    assert response.status_code == 302
    client.post(reverse("account_logout"))
    return client


def current_user(client):
    return client.get("/").context["user"]


# --- pin_confirm ----------------------------------------------------------------------------


def test_pin_confirm_accepts_the_right_pin(person):
    pin_confirm(user=person, pin=PIN)


def test_pin_confirm_counts_down_and_then_locks_even_the_right_pin(person):
    for left in (4, 3, 2, 1):
        with pytest.raises(ValidationError) as refused:
            pin_confirm(user=person, pin="9731")
        assert refused.value.code == "pin_invalid"
        assert f"Осталось попыток: {left}" in refused.value.messages[0]

    with pytest.raises(ValidationError) as fifth:
        pin_confirm(user=person, pin="9731")
    with pytest.raises(ValidationError) as then_right:
        pin_confirm(user=person, pin=PIN)

    assert fifth.value.code == "pin_locked"
    assert then_right.value.code == "pin_locked"


def test_the_right_pin_clears_the_count_of_wrong_ones(person):
    for _try in range(4):
        with pytest.raises(ValidationError):
            pin_confirm(user=person, pin="9731")
    pin_confirm(user=person, pin=PIN)

    with pytest.raises(ValidationError) as refused:
        pin_confirm(user=person, pin="9731")
    assert "Осталось попыток: 4" in refused.value.messages[0]


def test_pin_confirm_without_a_pin_says_to_set_one(person):
    person.pin_hash = ""
    person.save()

    with pytest.raises(ValidationError) as refused:
        pin_confirm(user=person, pin="2580")

    assert refused.value.code == "pin_not_set"


# --- remembering a device -------------------------------------------------------------------


def test_a_login_with_the_tick_remembers_the_device_in_a_signed_httponly_cookie(
    client, person, settings
):
    # when
    response = password_login(client, person, remember_device=True)

    # then
    cookie = response.cookies[settings.REMEMBERED_DEVICE_COOKIE_NAME]
    assert cookie["httponly"]
    assert cookie["samesite"] == "Lax"
    assert int(cookie["max-age"]) == settings.REMEMBERED_DEVICE_COOKIE_AGE
    device = RememberedDevice.objects.get(user=person)
    assert device.device_hash not in cookie.value
    assert AccountEvent.objects.filter(
        user=person, kind=AccountEvent.Kind.DEVICE_REMEMBERED
    ).exists()


def test_a_login_without_the_tick_remembers_nothing(client, person, settings):
    response = password_login(client, person)

    assert settings.REMEMBERED_DEVICE_COOKIE_NAME not in response.cookies
    assert not RememberedDevice.objects.exists()


def test_staff_devices_are_never_remembered(client, settings):
    staff = verified_person(is_staff=True, email="hr.staff@example.com")

    response = password_login(client, staff, remember_device=True)

    assert settings.REMEMBERED_DEVICE_COOKIE_NAME not in response.cookies
    assert not RememberedDevice.objects.exists()


# --- logging in by PIN ----------------------------------------------------------------------


def test_the_pin_alone_logs_in_on_a_remembered_device(remembered, person):
    # given
    assert current_user(remembered).is_anonymous
    page = remembered.get(PIN_LOGIN)
    assert page.status_code == 200
    assert "Вход по PIN-коду" in page.content.decode()

    # when
    response = remembered.post(PIN_LOGIN, {"pin": PIN})

    # then
    assert response.status_code == 302
    assert current_user(remembered) == person
    assert RememberedDevice.objects.get(user=person).last_used_at is not None


def test_the_pin_page_without_a_remembered_device_sends_to_the_password_login(client, person):
    response = client.get(PIN_LOGIN)

    assert response.status_code == 302
    assert response.url == reverse("account_login")


def test_a_forged_device_cookie_is_not_accepted(client, person, settings):
    client.cookies[settings.REMEMBERED_DEVICE_COOKIE_NAME] = "made-up-device-id"

    response = client.post(PIN_LOGIN, {"pin": PIN})

    assert response.status_code == 302
    assert response.url == reverse("account_login")
    assert current_user(client).is_anonymous


def test_a_wrong_pin_says_how_many_tries_are_left(remembered):
    response = remembered.post(PIN_LOGIN, {"pin": "9731"})

    assert response.status_code == 200
    assert "Осталось попыток: 4" in response.context["form"].errors["pin"][0]
    assert current_user(remembered).is_anonymous


def test_five_wrong_pins_forget_the_device(remembered, person, settings):
    # when: five wrong PINs in a row
    for _try in range(4):
        remembered.post(PIN_LOGIN, {"pin": "9731"})
    fifth = remembered.post(PIN_LOGIN, {"pin": "9731"}, follow=True)

    # then: the device is forgotten, the cookie dropped, and the right PIN no longer works
    assert "устройство забыто" in fifth.content.decode()
    assert not RememberedDevice.objects.filter(user=person).exists()
    assert remembered.cookies[settings.REMEMBERED_DEVICE_COOKIE_NAME].value == ""
    again = remembered.post(PIN_LOGIN, {"pin": PIN})
    assert again.url == reverse("account_login")
    assert current_user(remembered).is_anonymous
    assert AccountEvent.objects.filter(
        user=person, kind=AccountEvent.Kind.DEVICE_FORGOTTEN, details={"reason": "pin_failures"}
    ).exists()


def test_a_right_pin_resets_the_count_of_wrong_ones(remembered, person):
    for _try in range(4):
        remembered.post(PIN_LOGIN, {"pin": "9731"})

    remembered.post(PIN_LOGIN, {"pin": PIN})

    assert current_user(remembered) == person
    assert RememberedDevice.objects.get(user=person).failed_attempts == 0


def test_a_deactivated_account_cannot_log_in_by_pin(remembered, person):
    person.is_active = False
    person.save()

    response = remembered.post(PIN_LOGIN, {"pin": PIN})

    assert response.url == reverse("account_login")
    assert current_user(remembered).is_anonymous


def test_the_person_forgets_a_device_from_the_profile(remembered, person, client):
    # given
    remembered.post(PIN_LOGIN, {"pin": PIN})
    device = RememberedDevice.objects.get(user=person)

    # when
    remembered.post(reverse("accounts:device_forget", args=[device.pk]))

    # then
    assert not RememberedDevice.objects.exists()


def test_another_persons_device_cannot_be_forgotten(client, person):
    other = StaffUserFactory()
    other_device = RememberedDevice.objects.create(user=other, device_hash="x" * 64)
    client.force_login(person)

    response = client.post(reverse("accounts:device_forget", args=[other_device.pk]))

    assert response.status_code == 404
    assert RememberedDevice.objects.filter(pk=other_device.pk).exists()
