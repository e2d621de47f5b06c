"""The co-pay suite talks to a real localstripe, started once per session on a free port.

Card numbers only ever go from the test to localstripe (as a browser would send them to the
provider); our code receives SetupIntent and PaymentMethod ids.
"""

import datetime
import shutil
import socket
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

import pytest
import requests

from claims.models import ServiceLine
from payments import services
from payments.models import CopayEnrollment
from payments.services import charges
from tests.factories import (
    InsuredPersonFactory,
    PolicyLinkFactory,
    ProgramFactory,
    ServiceLineFactory,
    UserFactory,
)

PIN = "2580"
CARD_OK = "4242424242424242"
CARD_DECLINED = "4000000000000341"
CARD_3DS = "4000002500003155"
SECRET_KEY = "sk_test_localstripe"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _localstripe_bin() -> str:
    candidate = Path(sys.executable).parent / "localstripe"
    return str(candidate) if candidate.exists() else (shutil.which("localstripe") or "")


@pytest.fixture(scope="session")
def localstripe_url():
    binary = _localstripe_bin()
    if not binary:
        pytest.fail("localstripe is not installed in the virtualenv")
    port = _free_port()
    process = subprocess.Popen(  # noqa: S603  (our venv's localstripe, fixed arguments)
        [binary, "--port", str(port), "--from-scratch"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            requests.get(f"{url}/v1/customers", auth=(SECRET_KEY, ""), timeout=1)
            break
        except requests.ConnectionError:
            time.sleep(0.2)
    else:
        process.kill()
        pytest.fail("localstripe did not start")
    yield url
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture(autouse=True)
def _stripe_settings(settings, localstripe_url):
    settings.STRIPE_API_BASE = localstripe_url
    settings.STRIPE_SECRET_KEY = SECRET_KEY
    settings.STRIPE_WEBHOOK_SECRET = "whsec_test_copay"
    settings.STRIPE_TIMEOUT_SECONDS = 10.0


class Provider:
    """What a browser and the provider's dashboard do, talking to localstripe directly."""

    def __init__(self, url: str):
        self.url = url

    def post(self, path: str, data: dict) -> dict:
        response = requests.post(f"{self.url}{path}", data=data, auth=(SECRET_KEY, ""), timeout=10)
        return response.json() if response.content.strip() else {}

    def get(self, path: str, params: dict | None = None) -> dict:
        response = requests.get(
            f"{self.url}{path}", params=params, auth=(SECRET_KEY, ""), timeout=10
        )
        return response.json()

    def confirm_setup(self, client_secret: str, number: str) -> str:
        """The fake Stripe.js' confirmCardSetup: the card goes to the provider only."""
        setup_intent = client_secret.split("_secret_")[0]
        method = self.post(
            "/v1/payment_methods",
            {
                "type": "card",
                "card[number]": number,
                "card[exp_month]": "12",
                "card[exp_year]": "2031",
                "card[cvc]": "123",
            },
        )
        body = self.post(
            f"/v1/setup_intents/{setup_intent}/confirm", {"payment_method": method["id"]}
        )
        if body.get("status") == "requires_action":  # the 3-D Secure modal, completed
            body = self.post(f"/v1/setup_intents/{setup_intent}/confirm", {})
        assert body.get("status") == "succeeded", body
        return setup_intent

    def payment(self, *, customer: str, amount: int, metadata: dict, pay: bool) -> dict:
        """A PaymentIntent made at the provider directly, not by our code (amount in kopecks):
        paid with a card, or left requiring a payment method."""
        data = {"amount": str(amount), "currency": "rub", "customer": customer}
        data.update({f"metadata[{key}]": value for key, value in metadata.items()})
        if pay:
            method = self.post(
                "/v1/payment_methods",
                {
                    "type": "card",
                    "card[number]": CARD_OK,
                    "card[exp_month]": "12",
                    "card[exp_year]": "2031",
                    "card[cvc]": "123",
                },
            )
            data.update(payment_method=method["id"], confirm="true")
        intent = self.post("/v1/payment_intents", data)
        assert intent["status"] == ("succeeded" if pay else "requires_payment_method"), intent
        return intent

    def payment_intents(self, customer: str) -> list[dict]:
        # localstripe refuses the customer filter: list all and keep this customer's.
        intents = self.get("/v1/payment_intents", {"limit": 100})["data"]
        return [i for i in intents if i.get("customer") == customer]


@pytest.fixture
def provider(localstripe_url) -> Provider:
    return Provider(localstripe_url)


@pytest.fixture
def copay_program(db):
    return ProgramFactory(code="ОПТ-20", copay_share=Decimal("20"))


@pytest.fixture
def copay_user(db):
    user = UserFactory()
    user.set_pin(PIN)
    user.save()
    return user


@pytest.fixture
def copay_person(copay_user, copay_program):
    person = InsuredPersonFactory(
        program=copay_program,
        contract=copay_program.contract,
        last_name=copay_user.last_name,
        first_name=copay_user.first_name,
        middle_name=copay_user.middle_name,
        birth_date=copay_user.birth_date,
        email=copay_user.email,
    )
    PolicyLinkFactory(user=copay_user, insured_person=person)
    return person


def make_lines(person, amounts, state=ServiceLine.CopayState.UNPAID, days_ago=3):
    lines = []
    for amount in amounts:
        line = ServiceLineFactory(
            insured_person=person,
            amount=Decimal(amount) * 5,
            copay_amount=Decimal(amount),
            copay_state=state,
        )
        # Known before today began, as the daily run expects (the notice went out yesterday).
        ServiceLine.objects.filter(pk=line.pk).update(
            created_at=line.created_at - datetime.timedelta(days=days_ago)
        )
        lines.append(line)
    return lines


@pytest.fixture
def bind_card(copay_user, copay_person, provider):
    """Consent, then bind a card through the provider the way the page does."""

    def bind(number: str = CARD_OK) -> CopayEnrollment:
        enrollment = services.copay_consent(user=copay_user, insured_person=copay_person)
        client_secret = services.card_setup_start(enrollment=enrollment)
        setup_intent = provider.confirm_setup(client_secret, number)
        services.card_attach(enrollment=enrollment, setup_intent_id=setup_intent)
        enrollment.refresh_from_db()
        return enrollment

    return bind


def charge_daily_after_notice(enrollment, day):
    """The beat's order: the day-before notice, then the day's charge (only noticed lines)."""
    services.copay_notice_send(enrollment_id=enrollment.pk, charge_day=day)
    return services.charge_daily(enrollment_id=enrollment.pk, day=day)


def charge_written(enrollment, day):
    """The day's charge written and committed, not sent (what the daily run does first)."""
    from payments.models import Charge
    from payments.selectors import card_active

    request = services.ChargeRequest(
        enrollment=enrollment,
        card=card_active(enrollment=enrollment),
        key=services.daily_key(insured_person_id=enrollment.insured_person_id, day=day),
    )
    return services.charges_create(requests=[request], day=day, kind=Charge.Kind.DAILY)[
        enrollment.pk
    ]


def charge_daily_worker_killed(enrollment, day, monkeypatch) -> None:
    """The day's charge by a worker that dies after the provider answered, before our commit
    of the outcome: the charge stays in doubt."""
    from payments.models import Charge

    def crash(*args, **kwargs):
        raise SystemExit("worker killed")

    with monkeypatch.context() as patch:
        patch.setattr(charges, "charges_settle", crash)
        with pytest.raises(SystemExit):
            charge_daily_after_notice(enrollment, day)
    assert Charge.objects.get(day=day).status == Charge.Status.IN_DOUBT


# The gateways under test (both for the contract suite; ЮKassa's emulator and a card bound on
# its page for the tests of ЮKassa).
from .gateways import any_gateway, yk_bind, yookassa  # noqa: E402, F401
