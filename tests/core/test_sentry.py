"""Error reports reach Sentry with no personal data: the event as the SDK would send it is
caught by a fake transport and searched for every kind of datum."""

import json
import logging

import pytest
import sentry_sdk
from django.test import Client
from sentry_sdk.transport import Transport

from portal.core.sentry import sentry_options
from tests.core.test_logging import MESSAGE, PERSONAL
from tests.factories import UserFactory

DSN = "https://public@sentry.example.ru/7"
# Kept out of the lines around the failing code: the SDK sends those lines as source context.
CLIENT_ADDRESS = "203.0.113.77"
DEVICE_COOKIE = "device-secret"


class CapturingTransport(Transport):
    def __init__(self) -> None:
        super().__init__()
        self.envelopes = []

    def capture_envelope(self, envelope) -> None:
        self.envelopes.append(envelope)

    def events(self) -> list[dict]:
        return [
            item.payload.json
            for envelope in self.envelopes
            for item in envelope.items
            if item.type in ("event", "transaction")
        ]


@pytest.fixture
def sent():
    transport = CapturingTransport()
    sentry_sdk.init(**sentry_options(dsn=DSN, environment="test", transport=transport))
    yield transport
    sentry_sdk.init()  # no DSN: nothing is sent by the rest of the suite


def assert_nothing_personal(events: list[dict]) -> str:
    assert events
    text = json.dumps(events, ensure_ascii=False)
    for kind, value in PERSONAL.items():
        assert value not in text, kind
    for fragment in ("ivan.smirnov", "Алексей", "123-45-67", "secret-password", "4510123456"):
        assert fragment not in text
    return text


def test_an_exception_with_user_breadcrumbs_and_extra_is_sent_masked(sent):
    with sentry_sdk.new_scope() as scope:
        scope.set_user({"id": 7, "email": PERSONAL["e-mail"], "username": PERSONAL["e-mail"]})
        scope.set_extra("person", {"last_name": "Смирнов", "phone": PERSONAL["phone"]})
        scope.set_context("booking", {"note": f"перезвонить {PERSONAL['phone']}"})
        sentry_sdk.add_breadcrumb(
            category="booking", message=MESSAGE, data={"email": PERSONAL["e-mail"]}
        )
        logging.getLogger("tests.sentry").warning("Звонок: %s", PERSONAL["name"])
        try:
            raise ValueError(MESSAGE)
        except ValueError as error:
            sentry_sdk.capture_exception(error)

    (event,) = sent.events()
    text = assert_nothing_personal([event])
    assert event["user"]["id"] == 7
    assert event["user"]["email"] == "[скрыто]"
    assert event["exception"]["values"][0]["type"] == "ValueError"
    assert "[e-mail скрыт]" in event["exception"]["values"][0]["value"]
    assert "[ФИО скрыто]" in text
    crumbs = event["breadcrumbs"]["values"]
    assert any(c.get("message") == "Звонок: [ФИО скрыто]" for c in crumbs)
    frames = event["exception"]["values"][0]["stacktrace"]["frames"]
    assert all("vars" not in frame for frame in frames)


def test_an_error_logged_with_a_traceback_is_sent_masked(sent):
    try:
        raise RuntimeError(f"паспорт {PERSONAL['passport']}, {PERSONAL['address']}")
    except RuntimeError:
        logging.getLogger("tests.sentry").exception("Не записан %s", PERSONAL["e-mail"])

    (event,) = sent.events()
    assert_nothing_personal([event])
    assert event["logentry"]["message"].startswith("Не записан")


@pytest.mark.django_db
def test_a_failing_request_is_sent_without_its_form_data_cookies_or_address(sent, monkeypatch):
    # given a login whose form breaks with the person's data in the message
    user = UserFactory(email=PERSONAL["e-mail"])

    def broken_clean(self):
        raise ValueError(MESSAGE)

    monkeypatch.setattr("portal.accounts.forms.LoginForm.clean", broken_clean)
    client = Client(raise_request_exception=False, REMOTE_ADDR=CLIENT_ADDRESS)
    client.cookies["portal_device"] = DEVICE_COOKIE

    # when
    response = client.post(
        "/accounts/login/?email=" + PERSONAL["e-mail"],
        {"login": user.email, "password": "secret-password", "phone": PERSONAL["phone"]},
    )

    # then
    assert response.status_code == 500
    events = sent.events()
    text = assert_nothing_personal(events)
    assert CLIENT_ADDRESS not in text
    assert DEVICE_COOKIE not in text
    (event,) = events
    assert event["exception"]["values"][0]["type"] == "ValueError"
    assert event["request"]["data"] == {
        "login": "[скрыто]",
        "password": "[скрыто]",
        "phone": "[скрыто]",
    }


def test_sentry_is_off_without_a_dsn_and_never_sends_default_pii():
    options = sentry_options(dsn=DSN)

    assert options["send_default_pii"] is False
    assert options["include_local_variables"] is False
    assert not sentry_sdk.get_client().dsn
