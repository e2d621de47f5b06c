"""Staff open the admin only with two-factor authentication (allauth.mfa TOTP)."""

import time
from urllib.parse import urlencode

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value
from django.urls import reverse

from tests.conftest import staff_login
from tests.factories import DEFAULT_PASSWORD

from .conftest import password_login, verified_person

pytestmark = pytest.mark.django_db

ADMIN = "/admin/"
SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def totp_now(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


@pytest.fixture
def staff(db):
    return verified_person(is_staff=True, is_superuser=True, email="admin.staff@example.com")


def test_staff_without_2fa_are_sent_to_set_it_up(client, staff):
    client.force_login(staff)

    response = client.get(ADMIN)

    assert response.status_code == 302
    assert response.url == reverse("mfa_activate_totp")


def test_staff_whose_session_did_not_pass_2fa_are_asked_for_a_code(client, staff):
    TOTP.activate(staff, SECRET)
    client.force_login(staff)

    response = client.get(ADMIN + "accounts/user/")

    assert response.status_code == 302
    assert response.url == reverse("mfa_reauthenticate") + "?" + urlencode(
        {"next": ADMIN + "accounts/user/"}
    )


def test_staff_with_2fa_passed_open_the_admin(client, staff):
    staff_login(client, staff)

    assert client.get(ADMIN).status_code == 200


def test_a_code_from_the_app_lets_an_old_session_into_the_admin(client, staff):
    TOTP.activate(staff, SECRET)
    client.force_login(staff)
    target = reverse("mfa_reauthenticate") + "?" + urlencode({"next": ADMIN})

    response = client.post(target, {"code": totp_now(SECRET)})

    assert response.status_code == 302
    assert response.url == ADMIN
    assert client.get(ADMIN).status_code == 200


def test_the_admins_own_login_form_is_replaced_by_allauths(client):
    response = client.get("/admin/login/?next=/admin/accounts/user/")

    assert response.status_code == 302
    assert response.url == "/accounts/login/?" + urlencode({"next": "/admin/accounts/user/"})


def test_a_person_who_is_not_staff_is_not_asked_for_2fa(client, person):
    client.force_login(person)

    response = client.get(ADMIN)

    assert response.status_code == 302
    assert response.url.startswith("/admin/login/")


# allauth sends its «authenticator added» signal on commit: a real transaction is needed.
@pytest.mark.django_db(transaction=True)
def test_staff_set_up_2fa_after_a_password_login_and_then_open_the_admin(client, staff):
    # given: a password login, and the admin asks for 2FA
    password_login(client, staff)
    assert client.get(ADMIN).url == reverse("mfa_activate_totp")

    # when: the password is asked again (allauth guards the setup), the app is set up with the
    # key shown, and its code entered
    asked = client.get(reverse("mfa_activate_totp"))
    assert asked.url.startswith(reverse("account_reauthenticate"))
    reauthenticated = client.post(asked.url, {"password": DEFAULT_PASSWORD})
    assert reauthenticated.url == reverse("mfa_activate_totp")
    page = client.get(reverse("mfa_activate_totp"))
    assert page.status_code == 200
    secret = client.session["mfa.totp.secret"]
    assert secret in page.content.decode()
    activated = client.post(reverse("mfa_activate_totp"), {"code": totp_now(secret)})

    # then: the admin opens, without a second code
    assert activated.status_code == 302
    assert Authenticator.objects.filter(user=staff, type=Authenticator.Type.TOTP).exists()
    assert client.get(ADMIN).status_code == 200


def test_a_staff_login_asks_for_the_app_code_and_then_the_admin_opens(client, staff):
    TOTP.activate(staff, SECRET)

    response = password_login(client, staff)
    assert response.url == reverse("mfa_authenticate")
    assert client.get("/").context["user"].is_anonymous

    done = client.post(reverse("mfa_authenticate"), {"code": totp_now(SECRET)})

    assert done.status_code == 302
    assert client.get(ADMIN).status_code == 200


def test_a_wrong_app_code_does_not_open_the_admin(client, staff):
    TOTP.activate(staff, SECRET)
    password_login(client, staff)

    client.post(
        reverse("mfa_authenticate"),
        {"code": "000000" if totp_now(SECRET) != "000000" else "111111"},
    )

    assert client.get(ADMIN).status_code == 302
