"""Reconciliation never races a provider call still in flight: a charge is looked up at the
provider by our charge id before any new attempt, a new attempt carries the charge's own
idempotency key, and a charge changed since reconciliation read it is left to whoever changed it.

localstripe ignores Idempotency-Key (two requests with one key make two payments), so the key is
checked where it leaves our process: the header stripe-python sends.
"""

import datetime

import pytest
import stripe

from payments import services
from payments.models import Charge

from .conftest import charge_daily_after_notice, charge_daily_worker_killed, make_lines
from .test_charges import today

pytestmark = pytest.mark.django_db(transaction=True)


class PaymentCalls:
    """The payment-creating requests stripe-python sends, with their Idempotency-Key; `before`
    runs just before a request is sent on, `lost` requests never leave (a network failure)."""

    def __init__(self, monkeypatch):
        self.keys: list[str] = []
        self.before = None
        self.lost = 0
        real = stripe.RequestsClient.request

        def request(client, method, url, headers, post_data=None):
            if method == "post" and url.rstrip("/").endswith("/v1/payment_intents"):
                self.keys.append(headers.get("Idempotency-Key", ""))
                if self.lost:
                    self.lost -= 1
                    raise stripe.APIConnectionError("connection reset")
                if self.before is not None:
                    before, self.before = self.before, None
                    before()
            return real(client, method, url, headers, post_data)

        monkeypatch.setattr(stripe.RequestsClient, "request", request)


def test_a_charge_sent_again_carries_its_own_idempotency_key(
    bind_card, copay_person, provider, monkeypatch
):
    enrollment = bind_card()
    make_lines(copay_person, ["544.00"])
    calls = PaymentCalls(monkeypatch)
    # given the first request of the day's charge was lost on the way
    calls.lost = 1
    charge = charge_daily_after_notice(enrollment, today())
    assert charge.status == Charge.Status.IN_DOUBT

    # when reconciliation finds no payment of it and sends it again
    services.charges_reconcile(older_than=datetime.timedelta(0))

    # then both requests carried the charge's key: the provider returns the first payment rather
    # than make a second, should the first request arrive after all
    assert calls.keys == [charge.idempotency_key, charge.idempotency_key]
    charge.refresh_from_db()
    assert charge.status == Charge.Status.SUCCEEDED
    assert len(provider.payment_intents(enrollment.provider_customer_id)) == 1


def test_a_charge_the_provider_has_is_found_and_not_sent_again(
    bind_card, copay_person, provider, monkeypatch
):
    enrollment = bind_card()
    make_lines(copay_person, ["544.00"])
    charge_daily_worker_killed(enrollment, today(), monkeypatch)
    calls = PaymentCalls(monkeypatch)

    services.charges_reconcile(older_than=datetime.timedelta(0))

    assert calls.keys == []
    assert Charge.objects.get().status == Charge.Status.SUCCEEDED
    assert len(provider.payment_intents(enrollment.provider_customer_id)) == 1


def test_a_charge_sent_less_than_ten_minutes_ago_is_left_alone(
    bind_card, copay_person, provider, monkeypatch
):
    enrollment = bind_card()
    make_lines(copay_person, ["544.00"])
    calls = PaymentCalls(monkeypatch)
    calls.lost = 1
    charge = charge_daily_after_notice(enrollment, today())

    assert services.charges_reconcile() == 0
    assert services.charge_reconcile(charge=charge).status == Charge.Status.IN_DOUBT
    assert calls.keys == [charge.idempotency_key]
    assert provider.payment_intents(enrollment.provider_customer_id) == []


def test_two_reconciliations_at_once_send_the_charge_once(
    bind_card, copay_person, provider, monkeypatch
):
    enrollment = bind_card()
    make_lines(copay_person, ["544.00"])
    calls = PaymentCalls(monkeypatch)
    calls.lost = 1
    charge_daily_after_notice(enrollment, today())
    # given a second reconciliation read the charge in doubt, as the first one did
    read_by_second = Charge.objects.select_related("card").get()
    second = {}

    def second_reconciliation():
        # it looks while the first one's request is on its way to the provider
        second["charge"] = services.charge_reconcile(
            charge=read_by_second, older_than=datetime.timedelta(0)
        )

    calls.before = second_reconciliation

    # when the first one sends the charge again
    services.charges_reconcile(older_than=datetime.timedelta(0))

    # then the second one left it to the first: one payment at the provider
    assert second["charge"].status == Charge.Status.IN_DOUBT
    assert len(calls.keys) == 2
    assert len(provider.payment_intents(enrollment.provider_customer_id)) == 1
    assert Charge.objects.get().status == Charge.Status.SUCCEEDED
