"""After the login: the refresh token renews the access token, and the portal's logout ends the
ESIA session too (ESIA's /idp/ext/Logout, here the emulator's), which kills its tokens."""

import uuid

import pytest
from django.conf import settings

from portal.esia import client as esia_client
from portal.esia import crypto
from portal.esia.client import EsiaError
from tests.factories import UserFactory

from .conftest import CALLBACK_PATH, SOKOLOVA, Visitor, form_value, query, use_algorithm

pytestmark = pytest.mark.django_db(transaction=True)

SCOPE = "openid fullname birthdate id_doc mobile email"
SIGNED_IN = "Вы уже вошли в ЕСИА как Соколова Мария Игоревна"


def _tokens(visitor: Visitor, oid: str = SOKOLOVA) -> dict:
    """Tokens of a consent given in this browser (its ESIA session), through the client code."""
    redirect_uri = f"{visitor.base_url}{CALLBACK_PATH}"
    page = visitor.get(
        esia_client.authorization_url(
            client_id=settings.ESIA_CLIENT_ID,
            scope=SCOPE,
            redirect_uri=redirect_uri,
            state=str(uuid.uuid4()),
        )
    )
    back = visitor.pick_person(page, oid)
    code = query(back.headers["Location"])["code"]
    return esia_client.token_exchange(
        client_id=settings.ESIA_CLIENT_ID, code=code, scope=SCOPE, redirect_uri=redirect_uri
    )


def _refresh(visitor: Visitor, refresh_token: str, scope: str = SCOPE) -> dict:
    return esia_client.token_refresh(
        client_id=settings.ESIA_CLIENT_ID,
        refresh_token=refresh_token,
        scope=scope,
        redirect_uri=f"{visitor.base_url}{CALLBACK_PATH}",
    )


# --- refresh ----------------------------------------------------------------------------------


@pytest.mark.parametrize("algorithm", [crypto.RSA, crypto.GOST])
@pytest.mark.parametrize("signature_format", ["raw", "cms"])
def test_refresh_token_gives_a_fresh_access_token_once(
    esia, esia_keys, visitor, algorithm, signature_format
):
    # given: tokens from a login
    use_algorithm(esia, esia_keys, algorithm, signature_format)
    first = _tokens(visitor)

    # when: the portal renews the access token without the person
    renewed = _refresh(visitor, first["refresh_token"])

    # then: a new access token that reads the person's data, and a new refresh token
    assert renewed["access_token"] != first["access_token"]
    assert renewed["refresh_token"] != first["refresh_token"]
    person = esia_client.person(oid=SOKOLOVA, access_token=renewed["access_token"])
    assert person["lastName"] == "Соколова"
    # and the used refresh token is spent
    with pytest.raises(EsiaError, match="ESIA-007011"):
        _refresh(visitor, first["refresh_token"])
    assert _refresh(visitor, renewed["refresh_token"])["access_token"]


def test_refresh_for_another_scope_or_unknown_token_is_refused(esia, visitor):
    first = _tokens(visitor)
    with pytest.raises(EsiaError, match="ESIA-007011"):
        _refresh(visitor, first["refresh_token"], scope="openid fullname")
    with pytest.raises(EsiaError, match="ESIA-007011"):
        _refresh(visitor, "made-up-refresh-token")


def test_refresh_signed_by_another_key_is_refused(esia, esia_keys, visitor):
    # given: the portal names the registered certificate but signs with someone else's key
    first = _tokens(visitor)
    esia.ESIA_CERT_HASH = crypto.certificate_hash(esia_keys.rsa.cert, crypto.RSA)
    esia.ESIA_KEY_PATH, esia.ESIA_CERT_PATH = esia_keys.other_rsa.key, esia_keys.other_rsa.cert

    with pytest.raises(EsiaError, match="ESIA-007053"):
        _refresh(visitor, first["refresh_token"])

    # the refresh token is still good for a correctly signed request
    esia.ESIA_KEY_PATH, esia.ESIA_CERT_PATH = esia_keys.rsa.key, esia_keys.rsa.cert
    assert _refresh(visitor, first["refresh_token"])["access_token"]


# --- logout -----------------------------------------------------------------------------------


def test_logout_after_an_esia_login_ends_the_esia_session_and_comes_back(esia, visitor):
    # given: a person signed up through ESIA and is in the cabinet
    assert visitor.esia_login(SOKOLOVA).headers["Location"] == "/accounts/3rdparty/signup/"
    page = visitor.get("/accounts/3rdparty/signup/")
    email = form_value(page.text, "email")
    done = visitor.post(
        "/accounts/3rdparty/signup/", {"email": email, "pin1": "4826", "pin2": "4826"}
    )
    assert done.headers["Location"] == "/"
    assert visitor.get("/profile/").status_code == 200
    # and ESIA knows them in this browser: its page says so, its tokens work
    tokens = _tokens(visitor)
    consent = visitor.get(
        esia_client.authorization_url(
            client_id=esia.ESIA_CLIENT_ID,
            scope=SCOPE,
            redirect_uri=f"{visitor.base_url}{CALLBACK_PATH}",
            state=str(uuid.uuid4()),
        )
    )
    assert SIGNED_IN in consent.text

    # when: they log out of the portal
    answer = visitor.post("/accounts/logout/", {})

    # then: through ESIA's logout, which names our system and the way back
    location = answer.headers["Location"]
    assert answer.status_code == 302
    assert location.startswith(f"{esia.ESIA_BASE_URL}/idp/ext/Logout?")
    assert query(location) == {
        "client_id": esia.ESIA_CLIENT_ID,
        "redirect_url": f"{visitor.base_url}/",
    }
    back = visitor.get(location)
    assert back.status_code == 302 and back.headers["Location"] == f"{visitor.base_url}/"
    # out of the portal
    assert visitor.get("/profile/").status_code == 302
    # and out of ESIA: no session on its page, its tokens refused
    again = visitor.get(
        esia_client.authorization_url(
            client_id=esia.ESIA_CLIENT_ID,
            scope=SCOPE,
            redirect_uri=f"{visitor.base_url}{CALLBACK_PATH}",
            state=str(uuid.uuid4()),
        )
    )
    assert again.status_code == 200 and SIGNED_IN not in again.text
    with pytest.raises(EsiaError, match="ESIA-007011"):
        _refresh(visitor, tokens["refresh_token"])
    with pytest.raises(EsiaError, match="HTTP 401"):
        esia_client.person(oid=SOKOLOVA, access_token=tokens["access_token"])


def test_logout_of_a_person_who_did_not_come_through_esia_stays_on_the_portal(
    esia, visitor, client
):
    user = UserFactory(email="pin@example.com")
    client.force_login(user)
    visitor.session.cookies.set("sessionid", client.cookies["sessionid"].value)
    visitor.get("/profile/")  # a CSRF cookie

    answer = visitor.post("/accounts/logout/", {})

    assert answer.status_code == 302 and answer.headers["Location"] == "/"
    assert visitor.get("/profile/").status_code == 302


def test_esia_logout_refuses_an_unknown_system_or_a_foreign_address(esia, visitor):
    base = f"{esia.ESIA_BASE_URL}/idp/ext/Logout"
    foreign = visitor.get(
        f"{base}?client_id={esia.ESIA_CLIENT_ID}&redirect_url=https://evil.example/"
    )
    unknown = visitor.get(f"{base}?client_id=SOMEONE-ELSE&redirect_url={visitor.base_url}/")
    assert foreign.status_code == 400 and "ESIA-007023" in foreign.text
    assert unknown.status_code == 400 and "ESIA-007002" in unknown.text
