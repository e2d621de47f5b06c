"""The webhook and the return page at the same moment, in two threads on PostgreSQL: the row
lock lets exactly one of them issue the policy."""

import threading

import pytest
from django.db import connection, connections
from django.urls import reverse

from cabinet.webhooks import webhook_process
from policies.models import Policy
from shop import services
from shop.models import Purchase
from tests.factories import UserFactory

from .conftest import CARD_OK, osago_inputs
from .test_purchase import signed, succeeded_event
from .test_travel import form as travel_inputs

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="row locks need PostgreSQL (SQLite serialises)"
    ),
]


@pytest.mark.parametrize(
    ("url_name", "inputs"), [("shop_osago", osago_inputs), ("shop_vzr", travel_inputs)]
)
def test_webhook_and_return_page_race(client, tariffs, provider, settings, url_name, inputs):
    # given a purchase whose payment succeeded at the provider, not yet known to us
    user = UserFactory()
    client.force_login(user)
    quote_url = client.post(reverse(url_name), inputs())["Location"]
    client.post(quote_url, {"rules": "on"})
    purchase = Purchase.objects.get()
    client_secret = services.purchase_pay(purchase=purchase)
    purchase.refresh_from_db()
    setup_intent = provider.confirm_setup(client_secret, CARD_OK)
    real_complete = services.purchase_complete
    barrier = threading.Barrier(2, timeout=10)
    calls = []

    def held_complete(**kwargs):
        calls.append(kwargs["purchase_id"])
        return real_complete(**kwargs)

    # the charge call finishes at the provider; we record the payment id, then both arrive
    services.purchase_complete = lambda **kw: None  # the on-page completion comes below
    try:
        services.purchase_charge(purchase=purchase, setup_intent_id=setup_intent)
    finally:
        services.purchase_complete = held_complete
    purchase.refresh_from_db()
    assert purchase.status == Purchase.Status.AWAITING_PAYMENT and purchase.provider_payment_id
    payload = succeeded_event(purchase, event_id="evt_race")
    header = signed(payload, settings.STRIPE_WEBHOOK_SECRET)
    errors = []

    def webhook():
        try:
            barrier.wait()
            webhook_process(payload=payload, signature=header)
        except Exception as error:  # noqa: BLE001  (reported by the assertion below)
            errors.append(error)
        finally:
            connections.close_all()

    def return_page():
        try:
            barrier.wait()
            services.purchase_refresh(purchase=Purchase.objects.get(pk=purchase.pk))
        except Exception as error:  # noqa: BLE001
            errors.append(error)
        finally:
            connections.close_all()

    try:
        threads = [threading.Thread(target=webhook), threading.Thread(target=return_page)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
    finally:
        services.purchase_complete = real_complete
    # then both were called, one policy is issued and the purchase is paid once
    assert errors == []
    assert len(calls) == 2
    purchase.refresh_from_db()
    assert purchase.status == Purchase.Status.PAID
    assert Policy.objects.filter(holder=user, status=Policy.Status.ACTIVE).count() == 1
    assert Purchase.objects.filter(policy=purchase.policy).count() == 1
