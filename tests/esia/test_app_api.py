"""ESIA login for the store apps (/api/v1/auth/esia/…) end to end over HTTP: the app's calls to
the portal, the phone's browser at the emulator's consent page, and the portal's own calls to the
emulator; the login ends in the headless session token the rest of the API takes."""

import uuid

import pytest
import requests
from allauth.socialaccount.models import SocialAccount
from django.core.cache import cache

from portal.accounts.models import AccountEvent, Consent, User
from tests.core.test_access_sweep import session_token
from tests.factories import UserFactory

from .conftest import PIN, SOKOLOVA, Visitor, query

pytestmark = pytest.mark.django_db(transaction=True)

RETURN_PATH = "/accounts/esia/app/"


class App:
    """A store app: JSON to the API, the session token in X-Session-Token."""

    def __init__(self, base_url: str, token: str = "") -> None:
        self.base_url = base_url
        self.token = token

    def _headers(self) -> dict[str, str]:
        return {"X-Session-Token": self.token} if self.token else {}

    def get(self, path: str) -> requests.Response:
        return requests.get(f"{self.base_url}{path}", headers=self._headers(), timeout=30)

    def post(self, path: str, data: dict | None = None) -> requests.Response:
        return requests.post(
            f"{self.base_url}{path}", json=data or {}, headers=self._headers(), timeout=30
        )

    def start(self) -> dict:
        response = self.post("/api/v1/auth/esia/start")
        assert response.status_code == 200, response.text
        started = response.json()
        self.token = started["session_token"]
        return started

    def esia_answer(self, started: dict, oid: str, decision: str = "allow") -> dict[str, str]:
        """The phone's browser at ESIA: the person picks `oid`; ESIA sends them back to the
        apps' address, which the app catches (its code and state)."""
        browser = Visitor(self.base_url)
        back = browser.pick_person(
            browser.consent_page(started["authorization_url"]), oid, decision
        )
        assert back.status_code == 302, back.text[:500]
        assert back.headers["Location"].startswith(f"{self.base_url}{RETURN_PATH}?")
        return query(back.headers["Location"])

    def esia_login(self, oid: str) -> requests.Response:
        answer = self.esia_answer(self.start(), oid)
        return self.post("/api/v1/auth/esia/callback", answer)


@pytest.fixture
def app(esia, live_server) -> App:
    cache.clear()  # the starts per address counted by earlier runs (Redis in CI)
    return App(live_server.url)


def _pending_flow(response: requests.Response) -> list[dict]:
    return [f for f in response.json()["data"]["flows"] if f.get("is_pending")]


def _signed_up(app: App, email: str = "m.sokolova@example.ru") -> requests.Response:
    assert app.esia_login(SOKOLOVA).status_code == 401
    return app.post("/api/v1/auth/esia/signup", {"email": email, "pin1": PIN, "pin2": PIN})


def test_a_new_person_logs_in_through_esia_fills_the_form_and_gets_a_session_token(esia, app):
    # when: the app starts an ESIA login
    started = app.start()

    # then: ESIA's signed v2/ac link, back to the apps' address, with a UUID state
    params = query(started["authorization_url"])
    assert started["authorization_url"].startswith(f"{esia.ESIA_BASE_URL}/aas/oauth2/v2/ac?")
    assert params["redirect_uri"] == f"{app.base_url}{RETURN_PATH}"
    assert params["state"] == started["state"] == str(uuid.UUID(started["state"]))
    assert params["scope"] == "openid fullname birthdate id_doc mobile email"

    # when: the person allows at ESIA and the app hands the code over
    answer = app.esia_answer(started, SOKOLOVA)
    assert answer["state"] == started["state"]
    callback = app.post("/api/v1/auth/esia/callback", answer)

    # then: not logged in yet: the signup step is pending, and it shows what ESIA gave
    assert callback.status_code == 401, callback.text
    assert [f["id"] for f in _pending_flow(callback)] == ["provider_signup"]
    shown = app.get("/api/v1/auth/esia/signup")
    assert shown.status_code == 200, shown.text
    assert shown.json() == {
        "last_name": "Соколова",
        "first_name": "Мария",
        "middle_name": "Игоревна",
        "birth_date": "1989-03-14",
        "phone": "+7 916 555-01-23",
        "email": "m.sokolova@example.ru",
        "passport_taken": False,
        "consent_version": esia.CONSENT_PERSONAL_DATA_VERSION,
    }

    # when: the person gives the e-mail and a PIN
    done = app.post(
        "/api/v1/auth/esia/signup",
        {"email": "m.sokolova@example.ru", "pin1": PIN, "pin2": PIN},
    )

    # then: the account is made as on the web, and the session token opens the API
    assert done.status_code == 200, done.text
    assert done.json()["meta"]["is_authenticated"]
    token = done.json()["meta"].get("session_token", app.token)
    profile = App(app.base_url, token).get("/api/v1/profile/")
    assert profile.status_code == 200 and profile.json()["email"] == "m.sokolova@example.ru"
    user = User.objects.get(email="m.sokolova@example.ru")
    assert (user.last_name, user.first_name, user.passport) == ("Соколова", "Мария", "4512345678")
    assert user.check_pin(PIN) and user.phone_confirmed_at is not None
    assert Consent.objects.filter(user=user, method=Consent.Method.ESIA).exists()
    assert AccountEvent.objects.filter(user=user, kind=AccountEvent.Kind.REGISTERED).exists()
    assert SocialAccount.objects.get(user=user).uid == SOKOLOVA


def test_a_returning_person_is_logged_in_at_the_callback(esia, app, live_server):
    assert _signed_up(app).status_code == 200

    # when: they log in through ESIA on another phone
    other = App(live_server.url)
    response = other.esia_login(SOKOLOVA)

    # then: straight in, with a session token
    assert response.status_code == 200, response.text
    token = response.json()["meta"]["session_token"]
    assert App(live_server.url, token).get("/api/v1/profile/").json()["email"] == (
        "m.sokolova@example.ru"
    )
    assert User.objects.count() == 1


def test_the_signup_form_is_checked_by_the_web_steps_rules(esia, app):
    UserFactory(email="taken@example.com")
    assert app.esia_login(SOKOLOVA).status_code == 401

    differ = app.post(
        "/api/v1/auth/esia/signup", {"email": "maria@example.org", "pin1": PIN, "pin2": "4827"}
    )
    taken = app.post(
        "/api/v1/auth/esia/signup", {"email": "Taken@Example.com", "pin1": PIN, "pin2": PIN}
    )
    missing = app.post("/api/v1/auth/esia/signup", {"email": "maria@example.org"})

    assert differ.status_code == 400
    assert differ.json()["errors"]["pin2"] == ["PIN-коды не совпадают"]
    assert differ.json()["fields"]["pin2"] == "PIN-код ещё раз"
    assert differ.json()["detail"].startswith("Проверьте поля")
    assert taken.status_code == 400
    assert "уже есть" in taken.json()["errors"]["email"][0]
    assert missing.status_code == 400 and set(missing.json()["errors"]) == {"pin1", "pin2"}
    assert User.objects.count() == 1  # the one that was there
    # the pending signup is still there for a corrected form
    assert app.get("/api/v1/auth/esia/signup").status_code == 200


def test_a_bad_state_or_code_is_refused_and_a_state_serves_once(esia, app):
    started = app.start()
    answer = app.esia_answer(started, SOKOLOVA)

    forged = app.post(
        "/api/v1/auth/esia/callback", {"code": answer["code"], "state": str(uuid.uuid4())}
    )
    bad_code = app.post(
        "/api/v1/auth/esia/callback", {"code": "not-a-code", "state": answer["state"]}
    )
    # the state was used up by the bad code: the right code with it is refused too
    again = app.post("/api/v1/auth/esia/callback", answer)

    for response in (forged, bad_code, again):
        assert response.status_code == 400, response.text
        assert response.json()["detail"] == (
            "Госуслуги не подтвердили вход. Начните вход через Госуслуги заново"
        )
    assert app.get("/api/v1/auth/esia/signup").status_code == 409
    assert not SocialAccount.objects.exists()

    # a code is not taken twice either
    fresh = app.esia_answer(app.start(), SOKOLOVA)
    assert app.post("/api/v1/auth/esia/callback", fresh).status_code == 401
    replay = app.post("/api/v1/auth/esia/callback", fresh)
    assert replay.status_code == 400


def test_a_stranger_cannot_use_anothers_code_state_or_pending_signup(esia, app, live_server):
    # given: a person's login waits at the callback, their code and state caught
    answer = app.esia_answer(app.start(), SOKOLOVA)

    # when: a stranger sends them in their own session, or without one
    stranger = App(live_server.url)
    stranger.start()
    in_strangers_session = stranger.post("/api/v1/auth/esia/callback", answer)
    without_session = App(live_server.url).post("/api/v1/auth/esia/callback", answer)

    # then: refused (the state belongs to the person's session), and nothing is used up
    assert in_strangers_session.status_code == 400
    assert without_session.status_code == 400
    assert app.post("/api/v1/auth/esia/callback", answer).status_code == 401

    # when: a stranger — new, logged in, or with a made-up token — reaches for the pending form
    logged_in = App(live_server.url, session_token(UserFactory(email="other@example.com")))
    for someone in (stranger, logged_in, App(live_server.url)):
        assert someone.get("/api/v1/auth/esia/signup").status_code == 409
        posted = someone.post(
            "/api/v1/auth/esia/signup",
            {"email": "thief@example.org", "pin1": PIN, "pin2": PIN},
        )
        assert posted.status_code == 409
        assert posted.json()["detail"].startswith("Нет входа через Госуслуги")
    forged = App(live_server.url, "made-up-token").post(
        "/api/v1/auth/esia/signup", {"email": "thief@example.org", "pin1": PIN, "pin2": PIN}
    )
    assert forged.status_code in (401, 410)
    # allauth's own signup endpoint, with its plain form, is not there for the pending signup
    plain = requests.post(
        f"{live_server.url}/_allauth/app/v1/auth/provider/signup",
        json={"email": "m.sokolova@example.ru"},
        headers={"X-Session-Token": app.token},
        timeout=30,
    )
    assert plain.status_code == 404
    assert not SocialAccount.objects.exists()

    # then: the person's own form still goes through
    done = app.post(
        "/api/v1/auth/esia/signup", {"email": "m.sokolova@example.ru", "pin1": PIN, "pin2": PIN}
    )
    assert done.status_code == 200, done.text
    assert SocialAccount.objects.get(uid=SOKOLOVA).user.email == "m.sokolova@example.ru"
    assert not User.objects.filter(email="thief@example.org").exists()


def test_a_person_declining_at_esia_is_told_so(esia, app):
    started = app.start()
    answer = app.esia_answer(started, SOKOLOVA, decision="deny")
    assert answer["error"] == "access_denied"

    response = app.post("/api/v1/auth/esia/callback", answer)

    assert response.status_code == 400
    assert response.json()["detail"] == "Вход через Госуслуги отменён"


def test_the_return_page_asks_to_go_back_to_the_app(esia, app):
    page = requests.get(f"{app.base_url}{RETURN_PATH}?code=x&state=y", timeout=30)
    assert page.status_code == 200
    assert "Вернитесь в приложение" in page.text
    assert page.headers["Referrer-Policy"] == "no-referrer"


def test_without_esia_configured_the_app_is_told_so(esia, app):
    esia.ESIA_CLIENT_ID = ""
    response = app.post("/api/v1/auth/esia/start")
    assert response.status_code == 404
    assert response.json()["detail"] == "Вход через Госуслуги не подключён"


def test_starts_from_one_address_are_limited(esia, app):
    esia.PORTAL_RATE_LIMITS = {**esia.PORTAL_RATE_LIMITS, "esia_app_ip": "2/h"}
    app.start()
    app.start()

    response = app.post("/api/v1/auth/esia/start")

    assert response.status_code == 429
    assert response.json()["detail"] == "Слишком много попыток входа. Попробуйте позже"
