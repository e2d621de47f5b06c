"""Webhooks at /payments/webhooks/stripe/: signed on the raw body, each event processed once."""

import datetime
import json
import time

import pytest
import requests
import stripe
from django.utils import timezone

from claims.models import ServiceLine
from payments import services
from payments.models import Charge, ProcessedEvent

from .conftest import charge_daily_after_notice, make_lines

pytestmark = pytest.mark.django_db(transaction=True)
URL = "/payments/webhooks/stripe/"


def signed(payload: bytes, secret: str) -> str:
    timestamp = int(time.time())
    signature = stripe.WebhookSignature._compute_signature(
        f"{timestamp}.{payload.decode()}", secret
    )
    return f"t={timestamp},v1={signature}"


def event(charge: Charge, status: str = "succeeded", event_id: str = "evt_1") -> bytes:
    return json.dumps(
        {
            "id": event_id,
            "object": "event",
            "type": f"payment_intent.{'succeeded' if status == 'succeeded' else 'payment_failed'}",
            "data": {
                "object": {
                    "id": charge.provider_payment_id or "pi_test",
                    "object": "payment_intent",
                    "amount": int(charge.amount * 100),
                    "status": status,
                    "metadata": {"charge_id": str(charge.pk)},
                }
            },
        }
    ).encode()


@pytest.fixture
def in_doubt_charge(bind_card, copay_person, monkeypatch):
    enrollment = bind_card()
    make_lines(copay_person, ["544.00"])
    from payments.gateways.base import GatewayError
    from payments.gateways.stripe import StripeGateway

    def timeout(self, **kwargs):
        raise GatewayError("timeout")

    monkeypatch.setattr(StripeGateway, "payment_create", timeout)
    charge = charge_daily_after_notice(enrollment, timezone.localdate())
    monkeypatch.undo()
    assert charge.status == Charge.Status.IN_DOUBT
    return charge


def test_bad_signature_is_refused(client, in_doubt_charge, settings):
    payload = event(in_doubt_charge)
    response = client.post(
        URL,
        payload,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=signed(payload, "whsec_wrong"),
    )
    assert response.status_code == 400
    assert not ProcessedEvent.objects.exists()
    in_doubt_charge.refresh_from_db()
    assert in_doubt_charge.status == Charge.Status.IN_DOUBT


def test_tampered_body_is_refused(client, in_doubt_charge, settings):
    payload = event(in_doubt_charge)
    header = signed(payload, settings.STRIPE_WEBHOOK_SECRET)
    response = client.post(
        URL,
        payload.replace(b"54400", b"100"),
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=header,
    )
    assert response.status_code == 400


def test_good_event_is_processed_once(client, in_doubt_charge, settings):
    payload = event(in_doubt_charge)
    header = signed(payload, settings.STRIPE_WEBHOOK_SECRET)
    for _ in range(2):
        response = client.post(
            URL, payload, content_type="application/json", HTTP_STRIPE_SIGNATURE=header
        )
        assert response.status_code == 200
    assert ProcessedEvent.objects.filter(event_id="evt_1").count() == 1
    in_doubt_charge.refresh_from_db()
    assert in_doubt_charge.status == Charge.Status.SUCCEEDED
    assert set(
        ServiceLine.objects.filter(insured_person=in_doubt_charge.insured_person).values_list(
            "copay_state", flat=True
        )
    ) == {ServiceLine.CopayState.PAID}


def test_localstripe_sends_a_signed_event_that_settles_the_charge(
    live_server, in_doubt_charge, provider, settings
):
    # given localstripe posts its events to our fixed URL, signed with our endpoint secret
    provider.post(
        "/_config/webhooks/portal",
        {"url": f"{live_server.url}{URL}", "secret": settings.STRIPE_WEBHOOK_SECRET},
    )
    try:
        # when the provider has a payment for the charge (the call that "timed out" is repeated)
        services.charges_reconcile(older_than=datetime.timedelta(0))
        # then the charge is paid, and the event was recorded once
        deadline = time.monotonic() + 10
        while (
            time.monotonic() < deadline
            and not ProcessedEvent.objects.filter(type="payment_intent.succeeded").exists()
        ):
            time.sleep(0.2)
        assert ProcessedEvent.objects.filter(type="payment_intent.succeeded").count() == 1
        in_doubt_charge.refresh_from_db()
        assert in_doubt_charge.status == Charge.Status.SUCCEEDED
    finally:
        requests.delete(f"{provider.url}/_config/webhooks/portal", timeout=5)
