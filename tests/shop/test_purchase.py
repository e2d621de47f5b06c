"""Checkout and payment through localstripe: one payment → one policy, whichever of the return
page and the webhook comes first; an unpaid purchase is visible, payable later, cancellable."""

import json
import time

import pytest
import stripe
from django.urls import reverse

from gateways.payments_base import gateway
from payments.models import ProcessedEvent
from policies.models import Policy
from shop import services
from shop.models import Purchase
from tests.factories import UserFactory

from .conftest import CARD_3DS, CARD_DECLINED, CARD_OK, osago_inputs

WEBHOOK_URL = "/payments/webhooks/stripe/"


def signed(payload: bytes, secret: str) -> str:
    timestamp = int(time.time())
    signature = stripe.WebhookSignature._compute_signature(
        f"{timestamp}.{payload.decode()}", secret
    )
    return f"t={timestamp},v1={signature}"


def succeeded_event(
    purchase: Purchase,
    event_id: str = "evt_shop_1",
    *,
    payment_id: str = "",
    amount: int | None = None,
) -> bytes:
    return json.dumps(
        {
            "id": event_id,
            "object": "event",
            "type": "payment_intent.succeeded",
            "data": {
                "object": {
                    "id": payment_id or purchase.provider_payment_id,
                    "object": "payment_intent",
                    "amount": int(purchase.amount * 100) if amount is None else amount,
                    "currency": "rub",
                    "status": "succeeded",
                    "metadata": {"purchase_id": str(purchase.pk)},
                }
            },
        }
    ).encode()


@pytest.fixture
def buyer(db):
    return UserFactory()


@pytest.fixture
def buyer_client(client, buyer):
    client.force_login(buyer)
    return client


@pytest.fixture
def purchase(buyer_client, tariffs):
    response = buyer_client.post(reverse("shop_osago"), osago_inputs())
    assert response.status_code == 302, response.context["form"].errors
    quote_url = response["Location"]
    response = buyer_client.post(quote_url, {"rules": "on"})
    assert response.status_code == 302
    return Purchase.objects.get()


def pay_with(purchase: Purchase, provider, number: str):
    client_secret = services.purchase_pay(purchase=purchase)
    purchase.refresh_from_db()
    setup_intent = provider.confirm_setup(client_secret, number)
    return services.purchase_charge(purchase=purchase, setup_intent_id=setup_intent)


def test_checkout_makes_an_unpaid_policy_shown_in_my_policies(buyer_client, purchase):
    policy = purchase.policy
    assert policy.status == Policy.Status.AWAITING_PAYMENT
    assert policy.holder == purchase.user and policy.premium == purchase.amount
    assert policy.tariff_version == "osago-7204U-2025-12-09"
    page = buyer_client.get("/policies/").content.decode()
    assert "Ожидают оплаты" in page and policy.number in page
    shop = buyer_client.get("/shop/").content.decode()
    assert reverse("shop_pay", args=[purchase.pk]) in shop


def test_the_pay_page_opens_the_providers_card_form(buyer_client, purchase):
    response = buyer_client.get(reverse("shop_pay", args=[purchase.pk]))
    assert response.status_code == 200
    assert b'id="card-element"' in response.content and b"seti_" in response.content


def test_paying_issues_the_policy_with_pdf_and_receipt(
    buyer_client, purchase, provider, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):  # the worker makes the PDF
        result = pay_with(purchase, provider, CARD_OK)
    assert result.status == "succeeded"
    purchase.refresh_from_db()
    assert purchase.status == Purchase.Status.PAID
    assert purchase.policy.status == Policy.Status.ACTIVE
    docs = buyer_client.get("/documents/").content.decode()
    pdf_url = reverse("policies:pdf", args=[purchase.policy.pk])
    assert pdf_url in docs  # the insurer's document, made when the payment completed
    assert reverse("shop_receipt_pdf", args=[purchase.pk]) in docs
    assert buyer_client.get(reverse("shop_policy_pdf", args=[purchase.pk]))["Location"] == pdf_url
    pdf = buyer_client.get(pdf_url)
    assert pdf.status_code == 200 and b"".join(pdf.streaming_content).startswith(b"%PDF")
    assert buyer_client.get(reverse("shop_receipt_pdf", args=[purchase.pk])).status_code == 200


def test_webhook_and_return_page_issue_one_policy(buyer_client, purchase, provider, settings):
    # given a payment that succeeded at the provider, not yet known to us
    client_secret = services.purchase_pay(purchase=purchase)
    purchase.refresh_from_db()
    setup_intent = provider.confirm_setup(client_secret, CARD_OK)
    gw = gateway()
    method = gw.setup_intent_payment_method(
        setup_intent_id=setup_intent, customer_id=purchase.provider_customer_id
    )
    result = gw.payment_create(
        amount=purchase.amount,
        customer_id=purchase.provider_customer_id,
        payment_method_id=method,
        idempotency_key=f"purchase-{purchase.pk}-{setup_intent}",
        metadata={"purchase_id": str(purchase.pk)},
        off_session=False,
    )
    Purchase.objects.filter(pk=purchase.pk).update(provider_payment_id=result.payment_id)
    purchase.refresh_from_db()
    # when the webhook comes (twice) and the person comes back to the return page
    payload = succeeded_event(purchase)
    header = signed(payload, settings.STRIPE_WEBHOOK_SECRET)
    for _ in range(2):
        response = buyer_client.post(
            WEBHOOK_URL, payload, content_type="application/json", HTTP_STRIPE_SIGNATURE=header
        )
        assert response.status_code == 200
    page = buyer_client.get(reverse("shop_purchase", args=[purchase.pk]))
    services.purchase_complete(purchase_id=purchase.pk, result=result)
    # then one policy, active, paid once
    assert "Полис оформлен" in page.content.decode()
    assert ProcessedEvent.objects.filter(event_id="evt_shop_1").count() == 1
    assert Policy.objects.filter(holder=purchase.user).count() == 1
    purchase.refresh_from_db()
    assert purchase.status == Purchase.Status.PAID
    assert purchase.policy.status == Policy.Status.ACTIVE


def test_declined_card_leaves_the_purchase_payable(purchase, provider):
    result = pay_with(purchase, provider, CARD_DECLINED)
    assert result.status == "declined"
    purchase.refresh_from_db()
    assert purchase.payable and purchase.policy.status == Policy.Status.AWAITING_PAYMENT
    # and it can be paid later with another card
    assert pay_with(purchase, provider, CARD_OK).status == "succeeded"
    purchase.refresh_from_db()
    assert purchase.status == Purchase.Status.PAID


def test_3ds_payment_is_confirmed_on_the_page(buyer_client, purchase, provider):
    result = pay_with(purchase, provider, CARD_3DS)
    if result.status != "requires_action":
        pytest.skip("localstripe did not ask for 3-D Secure on this payment")
    # the person confirms in the provider's modal (what confirmCardPayment does)
    provider.post(
        f"/v1/payment_intents/{result.payment_id}/_authenticate",
        {"client_secret": result.client_secret, "success": "true"},
    )
    response = buyer_client.post(reverse("shop_confirmed", args=[purchase.pk]))
    assert response.status_code == 302
    purchase.refresh_from_db()
    assert purchase.status == Purchase.Status.PAID


def test_unpaid_purchase_can_be_cancelled(buyer_client, purchase):
    response = buyer_client.post(reverse("shop_cancel", args=[purchase.pk]))
    assert response.status_code == 302
    purchase.refresh_from_db()
    assert purchase.status == Purchase.Status.CANCELLED
    assert purchase.policy.status == Policy.Status.CANCELLED
    assert buyer_client.get(reverse("shop_pay", args=[purchase.pk])).status_code == 302


def test_another_person_cannot_see_or_pay_the_purchase(client, purchase):
    client.force_login(UserFactory())
    for name in ("shop_pay", "shop_purchase", "shop_policy_pdf"):
        assert client.get(reverse(name, args=[purchase.pk])).status_code == 404
    assert client.post(reverse("shop_cancel", args=[purchase.pk])).status_code == 404


def assert_not_issued(purchase: Purchase) -> None:
    purchase.refresh_from_db()
    assert purchase.payable and purchase.paid_at is None
    assert purchase.policy.status == Policy.Status.AWAITING_PAYMENT
    assert not ProcessedEvent.objects.exists()


def test_forged_success_of_a_payment_still_awaiting_a_card_issues_nothing(
    buyer_client, purchase, provider, settings, caplog
):
    # given the person opened the card form; a payment of the purchase at the provider awaits a
    # card (the person has not paid)
    services.purchase_pay(purchase=purchase)
    purchase.refresh_from_db()
    intent = provider.payment(
        customer=purchase.provider_customer_id,
        amount=int(purchase.amount * 100),
        metadata={"purchase_id": str(purchase.pk)},
        pay=False,
    )
    # when an event signed with our secret says it succeeded
    payload = succeeded_event(purchase, payment_id=intent["id"])
    response = buyer_client.post(
        WEBHOOK_URL,
        payload,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=signed(payload, settings.STRIPE_WEBHOOK_SECRET),
    )
    # then no policy is issued, and the event is logged
    assert response.status_code == 200
    assert_not_issued(purchase)
    assert f"about payment {intent['id']} contradicts the provider on status" in caplog.text


def test_forged_success_of_a_payment_the_provider_does_not_know_issues_nothing(
    buyer_client, purchase, settings, caplog
):
    payload = succeeded_event(purchase, payment_id="pi_forged0000000000000000")
    response = buyer_client.post(
        WEBHOOK_URL,
        payload,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=signed(payload, settings.STRIPE_WEBHOOK_SECRET),
    )
    assert response.status_code == 200
    assert_not_issued(purchase)
    assert "'pi_forged0000000000000000', unknown to the provider: ignored" in caplog.text


@pytest.mark.parametrize("claimed", ["premium", "true amount"])
def test_a_paid_payment_of_another_amount_issues_nothing(
    buyer_client, purchase, provider, settings, caplog, claimed
):
    # given a paid payment at the provider naming the purchase, for 1 ₽
    services.purchase_pay(purchase=purchase)
    purchase.refresh_from_db()
    intent = provider.payment(
        customer=purchase.provider_customer_id,
        amount=100,
        metadata={"purchase_id": str(purchase.pk)},
        pay=True,
    )
    # when an event about it claims the premium (forged), or tells the truth
    payload = succeeded_event(
        purchase, payment_id=intent["id"], amount=None if claimed == "premium" else 100
    )
    response = buyer_client.post(
        WEBHOOK_URL,
        payload,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=signed(payload, settings.STRIPE_WEBHOOK_SECRET),
    )
    # then no policy is issued, and the mismatch is logged
    assert response.status_code == 200
    purchase.refresh_from_db()
    assert purchase.status == Purchase.Status.AWAITING_PAYMENT
    assert purchase.policy.status == Policy.Status.AWAITING_PAYMENT
    if claimed == "premium":
        assert "contradicts the provider on amount" in caplog.text
    else:
        assert f"does not match purchase {purchase.pk}: nothing issued" in caplog.text
