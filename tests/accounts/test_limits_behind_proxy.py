"""Behind the TLS proxy every request comes from the proxy's address: the limits count each real
client (TRUSTED_PROXIES, portal.core.client_ip) — django-axes' lockout, allauth's failed-login
limit, the SMS limit per address — and an X-Forwarded-For sent past the proxy changes nothing."""

import pytest
from django.test import Client

from .conftest import password_login, sms_messages, verified_person
from .test_signup import good_form

pytestmark = pytest.mark.django_db

PROXY = "10.0.0.2"
ANNA, BORIS = "203.0.113.7", "198.51.100.20"
DIRECT = "192.0.2.50"  # a client reaching the app without the proxy


def via_proxy(client_address: str) -> dict:
    return {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": client_address}


def direct(forged: str) -> dict:
    return {"REMOTE_ADDR": DIRECT, "HTTP_X_FORWARDED_FOR": forged}


@pytest.fixture(autouse=True)
def behind_proxy(settings):
    settings.TRUSTED_PROXIES = PROXY


def test_one_clients_failures_do_not_lock_another_client_out(client, person):
    # given: five failures of one client lock the login from its address (axes: user + address)
    for _n in range(5):
        password_login(client, person, password="wrong-password-1", **via_proxy(ANNA))
    assert password_login(client, person, **via_proxy(ANNA)).status_code == 429

    # when: the person logs in from another place behind the same proxy
    response = password_login(Client(), person, **via_proxy(BORIS))

    # then
    assert response.status_code == 302


def test_a_forged_header_does_not_escape_the_lockout(client, person):
    for n in range(5):
        password_login(client, person, password="wrong-password-1", **direct(f"203.0.113.{n}"))

    response = password_login(client, person, **direct("203.0.113.99"))

    assert response.status_code == 429


def test_allauths_failed_login_limit_counts_each_client(settings, person):
    # given: allauth's per-address limit of failed logins, low enough to reach before axes
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "login_failed": "2/m/ip"}
    other = verified_person(email="boris@example.com")
    for _n in range(2):
        password_login(Client(), other, password="wrong-password-1", **via_proxy(BORIS))
    refused = password_login(Client(), other, **via_proxy(BORIS))
    assert refused.status_code == 200
    assert refused.context["form"].errors

    # when / then: another client behind the proxy logs in
    assert password_login(Client(), person, **via_proxy(ANNA)).status_code == 302
    # and a direct client forging another address is still the direct client
    for n in range(2):
        password_login(Client(), other, password="wrong-password-1", **direct(f"203.0.113.{n}"))
    assert password_login(Client(), person, **direct("203.0.113.9")).status_code == 200


def signed_up(address: dict, **changes) -> Client:
    client = Client()
    assert client.post("/accounts/signup/", good_form(**changes), **address).status_code == 302
    return client


def resend(client: Client, address: dict) -> str:
    response = client.post("/accounts/confirm-phone/", {"action": "resend"}, follow=True, **address)
    return response.content.decode()


TOO_MANY = "Слишком много SMS с этого адреса"


def test_the_sms_limit_per_address_counts_each_client(settings, sms_outbox):
    settings.PORTAL_RATE_LIMITS = {**settings.PORTAL_RATE_LIMITS, "sms_ip": "1/h"}
    anna = signed_up(via_proxy(ANNA))
    boris = signed_up(
        via_proxy(BORIS),
        email="boris@example.com",
        phone="+7 916 555-00-01",
        passport_number="654322",
    )
    assert len(sms_messages(sms_outbox)) == 2

    # given: Anna has used her address's one request
    assert TOO_MANY not in resend(anna, via_proxy(ANNA))
    assert TOO_MANY in resend(anna, via_proxy(ANNA))

    # then: Boris, behind the same proxy, has his own
    assert TOO_MANY not in resend(boris, via_proxy(BORIS))


def test_a_forged_header_does_not_escape_the_sms_limit(settings):
    settings.PORTAL_RATE_LIMITS = {**settings.PORTAL_RATE_LIMITS, "sms_ip": "1/h"}
    client = signed_up(direct(ANNA))

    assert TOO_MANY not in resend(client, direct(ANNA))
    assert TOO_MANY in resend(client, direct(BORIS))
