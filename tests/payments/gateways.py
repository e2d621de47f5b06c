"""Both gateways for the tests: each with the person's side of it (what the browser sends to the
provider: a card on Stripe.js, or on ЮKassa's page) so one test runs against either.

Stripe talks to localstripe (a process, tests/payments/conftest.py); ЮKassa to the emulator
mounted in this Django (devtools/yookassa_emulator), reached over HTTP on the live server.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
import requests

from gateways.payments_base import gateway
from payments import services

CARD_OK = "4242424242424242"  # as tests/payments/conftest.py (not imported: it imports us)
CARD_DECLINED = "4000000000000341"

YK_CARD_OK = "2202474301322987"  # Mir
YK_CARD_WAIT = "2200000000009999"


def yk_decline_card(reason: str) -> str:
    from devtools.yookassa_emulator.state import DECLINE_CARDS

    return next(number for number, why in DECLINE_CARDS.items() if why == reason)


class YooKassaPerson:
    """The person on ЮKassa's page (the emulator's checkout), and the tests' levers."""

    def __init__(self, base: str):
        self.base = base  # …/yookassa-emulator

    def confirm(self, confirmation_url: str, *, number: str = YK_CARD_OK, action: str = "pay"):
        path = urlsplit(confirmation_url).path
        data = {"number": number, "expiry": "12/30", "cvc": "123", "action": action}
        response = requests.post(
            f"{self.base.split('/yookassa-emulator')[0]}{path}",
            data=data,
            allow_redirects=False,
            timeout=60,
        )
        assert response.status_code in (200, 302), response.text[:500]
        return response

    def control(self, what: str, **body) -> dict:
        response = requests.post(f"{self.base}/_control/{what}", json=body, timeout=60)
        assert response.status_code == 200, response.text
        return response.json()


@pytest.fixture
def yookassa(settings, live_server):
    """The ЮKassa gateway, pointed at the emulator on the live server; its state emptied."""
    base = f"{live_server.url}/yookassa-emulator"
    settings.PAYMENTS_GATEWAY = "gateways.yookassa.YooKassaGateway"
    settings.YOOKASSA_API_URL = f"{base}/v3"
    settings.YOOKASSA_TIMEOUT_SECONDS = 5.0
    settings.YOOKASSA_EMULATOR_NOTIFY_URL = ""
    person = YooKassaPerson(base)
    person.control("reset")
    yield person
    person.control("reset")


@pytest.fixture
def yk_bind(yookassa, copay_user, copay_person):
    """Consent, then bind a card on ЮKassa's page (its emulator) by the cancelled card check."""

    def bind(number: str = YK_CARD_OK):
        enrollment = services.copay_consent(user=copay_user, insured_person=copay_person)
        payment_id, url = services.card_setup_redirect(
            enrollment=enrollment, return_url="http://portal.test/copay/"
        )
        yookassa.confirm(url, number=number)
        services.card_attach(enrollment=enrollment, setup_intent_id=payment_id)
        enrollment.refresh_from_db()
        return enrollment

    return bind


class GatewayUnderTest:
    """What a contract test needs of either gateway: save a card the way its page does."""

    def __init__(self, name: str, person):
        self.name = name
        self.person = person

    @property
    def gw(self):
        return gateway()

    def saved_card(self, *, customer_id: str, number: str = "") -> str:
        """A card saved for off-session use by the person on the provider's form: its method id."""
        gw = self.gw
        if self.name == "stripe":
            _, secret = gw.setup_intent_create(customer_id=customer_id)
            setup = self.person.confirm_setup(secret, number or CARD_OK)
            return gw.setup_intent_payment_method(setup_intent_id=setup, customer_id=customer_id)
        from payments.services.fiscal import card_check_receipt

        result = gw.checkout_create(
            amount=card_check_amount(),
            customer_id=customer_id,
            idempotency_key=f"check-{customer_id}",
            metadata={"purpose": "card_check"},
            return_url="http://portal.test/back/",
            save_method=True,
            capture=False,
            receipt=card_check_receipt(email="person@example.com"),
        )
        self.person.confirm(result.confirmation_url, number=number or YK_CARD_OK)
        return gw.setup_intent_payment_method(
            setup_intent_id=result.payment_id, customer_id=customer_id
        )

    def declining_card(self) -> str:
        return CARD_DECLINED if self.name == "stripe" else YK_CARD_OK

    def make_declining(self, method_id: str) -> None:
        """The saved card starts declining (on ЮKassa: the issuer refuses its autopayments)."""
        if self.name == "yookassa":
            self.person.control(
                "method", payment_method_id=method_id, behaviour="insufficient_funds"
            )


def card_check_amount():
    from decimal import Decimal

    from django.conf import settings

    return Decimal(settings.YOOKASSA_CARD_CHECK_AMOUNT)


@pytest.fixture(params=["stripe", "yookassa"])
def any_gateway(request, settings) -> GatewayUnderTest:
    """The test runs once against localstripe and once against the ЮKassa emulator."""
    if request.param == "stripe":
        from .conftest import Provider

        url = request.getfixturevalue("localstripe_url")
        settings.PAYMENTS_GATEWAY = "gateways.stripe.StripeGateway"
        return GatewayUnderTest("stripe", Provider(url))
    return GatewayUnderTest("yookassa", request.getfixturevalue("yookassa"))
