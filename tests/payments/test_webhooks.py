"""Webhooks at /payments/webhooks/stripe/: signed on the raw body, each event processed once,
and acted on only as far as the provider, asked again about the event's object, agrees.

A forged event is one signed with our endpoint secret (as with a leaked or default secret) whose
body claims what the provider does not have: it changes nothing and is logged.
"""

import datetime
import json
import logging
import time
from decimal import Decimal

import pytest
import requests
import stripe
from django.utils import timezone

from claims.models import ServiceLine
from gateways.payments_base import GatewayError
from gateways.stripe import StripeGateway
from payments import services
from payments.models import Charge, ProcessedEvent, Refund

from .conftest import charge_daily_after_notice, charge_daily_worker_killed, make_lines

pytestmark = pytest.mark.django_db(transaction=True)
URL = "/payments/webhooks/stripe/"


def signed(payload: bytes, secret: str, *, age: int = 0) -> str:
    timestamp = int(time.time()) - age
    signature = stripe.WebhookSignature._compute_signature(
        f"{timestamp}.{payload.decode()}", secret
    )
    return f"t={timestamp},v1={signature}"


def payment_event(
    *,
    payment_id: str,
    amount: int,
    metadata: dict,
    status: str = "succeeded",
    event_id: str = "evt_1",
) -> bytes:
    kind = "succeeded" if status == "succeeded" else "payment_failed"
    return json.dumps(
        {
            "id": event_id,
            "object": "event",
            "type": f"payment_intent.{kind}",
            "data": {
                "object": {
                    "id": payment_id,
                    "object": "payment_intent",
                    "amount": amount,
                    "currency": "rub",
                    "status": status,
                    "metadata": metadata,
                }
            },
        }
    ).encode()


def event(charge: Charge, status: str = "succeeded", event_id: str = "evt_1") -> bytes:
    """What the provider would send about the charge's payment."""
    return payment_event(
        payment_id=charge.provider_payment_id or "pi_test",
        amount=int(charge.amount * 100),
        metadata={"charge_id": str(charge.pk)},
        status=status,
        event_id=event_id,
    )


def post(client, payload: bytes, secret: str, *, age: int = 0):
    return client.post(
        URL,
        payload,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=signed(payload, secret, age=age),
    )


def assert_unpaid(charge: Charge) -> None:
    charge.refresh_from_db()
    assert charge.status == Charge.Status.IN_DOUBT
    assert set(
        ServiceLine.objects.filter(insured_person=charge.insured_person).values_list(
            "copay_state", flat=True
        )
    ) == {ServiceLine.CopayState.UNPAID}


@pytest.fixture
def in_doubt_charge(bind_card, copay_person, monkeypatch):
    """A charge whose call never reached the provider: no payment of it exists there."""
    enrollment = bind_card()
    make_lines(copay_person, ["544.00"])

    def timeout(self, **kwargs):
        raise GatewayError("timeout")

    monkeypatch.setattr(StripeGateway, "payment_create", timeout)
    charge = charge_daily_after_notice(enrollment, timezone.localdate())
    monkeypatch.undo()
    assert charge.status == Charge.Status.IN_DOUBT
    return charge


@pytest.fixture
def paid_in_doubt_charge(bind_card, copay_person, provider, monkeypatch):
    """A charge the provider took, whose answer we never recorded; its payment id is set on the
    returned object only (what the provider's event would name)."""
    enrollment = bind_card()
    make_lines(copay_person, ["544.00"])
    charge_daily_worker_killed(enrollment, timezone.localdate(), monkeypatch)
    charge = Charge.objects.get()
    (intent,) = provider.payment_intents(enrollment.provider_customer_id)
    assert intent["status"] == "succeeded"
    charge.provider_payment_id = intent["id"]
    return charge


def test_bad_signature_is_refused(client, in_doubt_charge, caplog):
    payload = event(in_doubt_charge)
    response = post(client, payload, "whsec_wrong")
    assert response.status_code == 400
    assert not ProcessedEvent.objects.exists()
    in_doubt_charge.refresh_from_db()
    assert in_doubt_charge.status == Charge.Status.IN_DOUBT
    assert "webhook refused" in caplog.text


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


def test_a_signed_body_that_is_not_an_event_is_refused(client, settings):
    response = post(client, b'{"id": "evt_x", "type": "x"}', settings.STRIPE_WEBHOOK_SECRET)
    assert response.status_code == 400
    assert not ProcessedEvent.objects.exists()


def test_good_event_is_processed_once(client, paid_in_doubt_charge, settings, caplog):
    payload = event(paid_in_doubt_charge)
    for _ in range(2):
        response = post(client, payload, settings.STRIPE_WEBHOOK_SECRET)
        assert response.status_code == 200
    assert ProcessedEvent.objects.filter(event_id="evt_1").count() == 1
    assert "evt_1 (payment_intent.succeeded) already processed" in caplog.text
    paid_in_doubt_charge.refresh_from_db()
    assert paid_in_doubt_charge.status == Charge.Status.SUCCEEDED
    assert set(
        ServiceLine.objects.filter(insured_person=paid_in_doubt_charge.insured_person).values_list(
            "copay_state", flat=True
        )
    ) == {ServiceLine.CopayState.PAID}


def test_a_replayed_old_event_changes_nothing(client, paid_in_doubt_charge, settings, caplog):
    # given a genuine event of the charge's payment, signed ten minutes ago
    payload = event(paid_in_doubt_charge)

    # when it is posted again now
    response = post(client, payload, settings.STRIPE_WEBHOOK_SECRET, age=600)

    # then it is refused and logged, and the charge is left to reconciliation
    assert response.status_code == 400
    assert "webhook refused" in caplog.text and "tolerance" in caplog.text
    assert not ProcessedEvent.objects.exists()
    assert_unpaid(paid_in_doubt_charge)


def test_forged_success_of_a_payment_the_provider_does_not_know(
    client, in_doubt_charge, settings, caplog
):
    # given a charge no payment of which reached the provider
    # when an event signed with our secret says it was paid with a made-up payment
    payload = payment_event(
        payment_id="pi_forged0000000000000000",
        amount=54400,
        metadata={"charge_id": str(in_doubt_charge.pk)},
    )
    with caplog.at_level(logging.WARNING, logger="cabinet.webhooks"):
        response = post(client, payload, settings.STRIPE_WEBHOOK_SECRET)

    # then nothing changes, and the event is logged
    assert response.status_code == 200
    assert_unpaid(in_doubt_charge)
    assert not ProcessedEvent.objects.exists()
    assert "'pi_forged0000000000000000', unknown to the provider: ignored" in caplog.text


def test_forged_success_of_a_payment_still_awaiting_a_card(
    client, in_doubt_charge, provider, settings, caplog
):
    # given a payment of the charge at the provider that was never paid
    intent = provider.payment(
        customer=in_doubt_charge.card.provider_customer_id,
        amount=54400,
        metadata={"charge_id": str(in_doubt_charge.pk)},
        pay=False,
    )
    # when a signed event says it succeeded
    payload = payment_event(
        payment_id=intent["id"], amount=54400, metadata={"charge_id": str(in_doubt_charge.pk)}
    )
    response = post(client, payload, settings.STRIPE_WEBHOOK_SECRET)

    # then the provider's answer wins: nothing is paid, the event is logged
    assert response.status_code == 200
    assert_unpaid(in_doubt_charge)
    assert not ProcessedEvent.objects.exists()
    assert f"about payment {intent['id']} contradicts the provider on status" in caplog.text


def test_forged_metadata_cannot_pay_one_charge_with_another_payment(
    client, paid_in_doubt_charge, provider, settings, caplog
):
    # given a second charge, of the same person, in doubt, and a genuine paid payment of the first
    other = Charge.objects.create(
        user=paid_in_doubt_charge.user,
        insured_person=paid_in_doubt_charge.insured_person,
        card=paid_in_doubt_charge.card,
        day=paid_in_doubt_charge.day,
        kind=Charge.Kind.ON_SESSION,
        idempotency_key="copay-other",
        amount=paid_in_doubt_charge.amount,
        status=Charge.Status.IN_DOUBT,
    )
    # when a signed event says the first's payment was the second's
    payload = payment_event(
        payment_id=paid_in_doubt_charge.provider_payment_id,
        amount=54400,
        metadata={"charge_id": str(other.pk)},
    )
    response = post(client, payload, settings.STRIPE_WEBHOOK_SECRET)

    # then neither changes
    assert response.status_code == 200
    assert "contradicts the provider on metadata" in caplog.text
    other.refresh_from_db()
    assert other.status == Charge.Status.IN_DOUBT
    assert_unpaid(paid_in_doubt_charge)


@pytest.mark.parametrize("claimed_amount", [54400, 100])
def test_a_payment_of_another_amount_does_not_settle_the_charge(
    client, in_doubt_charge, provider, settings, caplog, claimed_amount
):
    # given a paid payment at the provider naming the charge, for 1 ₽ instead of 544 ₽
    intent = provider.payment(
        customer=in_doubt_charge.card.provider_customer_id,
        amount=100,
        metadata={"charge_id": str(in_doubt_charge.pk)},
        pay=True,
    )
    # when an event about it comes, claiming the charge's amount (forged) or the true one
    payload = payment_event(
        payment_id=intent["id"],
        amount=claimed_amount,
        metadata={"charge_id": str(in_doubt_charge.pk)},
    )
    response = post(client, payload, settings.STRIPE_WEBHOOK_SECRET)

    # then the charge is not settled, and the mismatch is logged either way
    assert response.status_code == 200
    assert_unpaid(in_doubt_charge)
    if claimed_amount == 54400:
        assert "contradicts the provider on amount" in caplog.text
    else:
        assert f"is not charge {in_doubt_charge.pk}'s" in caplog.text


def test_provider_unreachable_answers_503_and_records_nothing(
    client, paid_in_doubt_charge, settings
):
    payload = event(paid_in_doubt_charge)
    settings.STRIPE_API_BASE = "http://127.0.0.1:9"

    response = post(client, payload, settings.STRIPE_WEBHOOK_SECRET)

    # the provider sends it again later
    assert response.status_code == 503
    assert not ProcessedEvent.objects.exists()
    assert_unpaid(paid_in_doubt_charge)


def refund_event(refund: dict, *, event_id: str = "evt_refund", **overrides) -> bytes:
    return json.dumps(
        {
            "id": event_id,
            "object": "event",
            "type": "refund.updated",
            "data": {"object": {**refund, **overrides}},
        }
    ).encode()


@pytest.fixture
def refund_in_doubt(bind_card, copay_person, copay_user, monkeypatch):
    """A refund the provider made, whose answer was lost: the refund row is in doubt."""
    from .test_refunds import dispute_and_confirm

    enrollment = bind_card()
    (line,) = make_lines(copay_person, ["544.00"])
    charge_daily_after_notice(enrollment, timezone.localdate())
    original = StripeGateway.refund_create

    def lost_answer(self, **kwargs):
        original(self, **kwargs)
        raise GatewayError("read timeout")

    monkeypatch.setattr(StripeGateway, "refund_create", lost_answer)
    dispute_and_confirm(copay_user, line)
    monkeypatch.undo()
    refund = Refund.objects.select_related("charge").get()
    assert refund.status == Refund.Status.IN_DOUBT
    return refund


def test_refund_event_settles_the_refund_from_the_providers_answer(
    client, refund_in_doubt, provider, settings
):
    (at_provider,) = provider.get(
        "/v1/refunds", {"payment_intent": refund_in_doubt.charge.provider_payment_id}
    )["data"]

    response = post(client, refund_event(at_provider), settings.STRIPE_WEBHOOK_SECRET)

    assert response.status_code == 200
    refund_in_doubt.refresh_from_db()
    assert refund_in_doubt.status == Refund.Status.SUCCEEDED
    assert refund_in_doubt.provider_refund_id == at_provider["id"]
    assert refund_in_doubt.service_line.copay_state == ServiceLine.CopayState.CANCELLED


def test_forged_refund_events_change_nothing(client, refund_in_doubt, provider, settings, caplog):
    (at_provider,) = provider.get(
        "/v1/refunds", {"payment_intent": refund_in_doubt.charge.provider_payment_id}
    )["data"]
    forged = [
        refund_event(at_provider, id="re_forged000000000000000", event_id="evt_r1"),
        refund_event(at_provider, status="failed", event_id="evt_r2"),
        refund_event(at_provider, amount=100, event_id="evt_r3"),
    ]
    for payload in forged:
        assert post(client, payload, settings.STRIPE_WEBHOOK_SECRET).status_code == 200

    refund_in_doubt.refresh_from_db()
    assert refund_in_doubt.status == Refund.Status.IN_DOUBT
    assert not ProcessedEvent.objects.exists()
    assert "unknown to the provider" in caplog.text
    assert "contradicts the provider on status" in caplog.text
    assert "contradicts the provider on amount" in caplog.text


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
        # then the charge is paid through the event (localstripe may also deliver late events of
        # earlier tests' payments, which name no charge here and change nothing)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and (
            not ProcessedEvent.objects.filter(type="payment_intent.succeeded").exists()
            or Charge.objects.get(pk=in_doubt_charge.pk).status != Charge.Status.SUCCEEDED
        ):
            time.sleep(0.2)
        assert ProcessedEvent.objects.filter(type="payment_intent.succeeded").exists()
        in_doubt_charge.refresh_from_db()
        assert in_doubt_charge.status == Charge.Status.SUCCEEDED
        assert in_doubt_charge.amount == Decimal("544.00")
    finally:
        requests.delete(f"{provider.url}/_config/webhooks/portal", timeout=5)
