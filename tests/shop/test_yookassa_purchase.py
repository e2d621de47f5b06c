"""Buying a policy with PAYMENT_GATEWAY=yookassa (the emulator over HTTP): by card and by СБП on
ЮKassa's page, the policy issued only when ЮKassa says the payment succeeded, a 54-ФЗ receipt
of the premium read back with its fiscal attributes; a declined card leaves it payable with a
Russian reason; paid while the broker is down, the policy is issued at once and its PDF and
receipt follow when it is back."""

import re

import pytest
from django.urls import reverse

from payments.models import Receipt
from policies.models import Policy, PolicyDocument
from portal.core.models import OutboxMessage
from shop.models import Purchase
from tests.broker import deliver_after_return
from tests.factories import UserFactory
from tests.payments.gateways import YK_CARD_OK, yk_decline_card

from .conftest import osago_inputs

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def buyer_client(client, yookassa):
    client.force_login(UserFactory())
    return client


@pytest.fixture
def purchase(buyer_client, tariffs):
    response = buyer_client.post(reverse("shop_osago"), osago_inputs())
    assert response.status_code == 302
    buyer_client.post(response["Location"], {"rules": "on"})
    return Purchase.objects.get()


def checkout(buyer_client, purchase, method: str) -> str:
    page = buyer_client.get(reverse("shop_pay", args=[purchase.pk])).content.decode()
    assert "СБП" in page and "SberPay" in page and "«Мир»" in page
    response = buyer_client.post(reverse("shop_checkout", args=[purchase.pk]), {"method": method})
    assert response.status_code == 302
    return response["Location"]


@pytest.mark.parametrize("method", ["bank_card", "sbp", "sberbank"])
def test_paying_on_yookassas_page_issues_the_policy_with_its_fiscal_receipt(
    buyer_client,
    purchase,
    yookassa,
    method,
):
    confirmation_url = checkout(buyer_client, purchase, method)
    # before the person pays: nothing issued
    page = buyer_client.get(reverse("shop_purchase", args=[purchase.pk])).content.decode()
    assert "ожидает оплаты" in page
    purchase.refresh_from_db()
    assert purchase.status == Purchase.Status.AWAITING_PAYMENT

    back = yookassa.confirm(confirmation_url, number=YK_CARD_OK)
    assert back.headers["Location"].endswith(reverse("shop_purchase", args=[purchase.pk]))
    page = buyer_client.get(reverse("shop_purchase", args=[purchase.pk])).content.decode()

    assert "Полис оформлен и оплачен" in page
    purchase.refresh_from_db()
    assert purchase.policy.status == Policy.Status.ACTIVE
    receipt = Receipt.objects.get(source=Receipt.Source.PURCHASE, source_id=purchase.pk)
    assert receipt.status == Receipt.Status.REGISTERED and receipt.amount == purchase.amount
    assert receipt.items[0]["description"].startswith("Страховая премия по полису")
    assert re.search(r"&fn=\d{16}&i=\d+&fp=\d{10}&n=1$", receipt.qr_string)
    pdf = buyer_client.get(reverse("shop_receipt_pdf", args=[purchase.pk]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_a_declined_card_issues_nothing_and_says_why(buyer_client, purchase, yookassa):
    confirmation_url = checkout(buyer_client, purchase, "bank_card")
    yookassa.confirm(confirmation_url, number=yk_decline_card("insufficient_funds"))

    page = buyer_client.get(reverse("shop_purchase", args=[purchase.pk])).content.decode()

    assert "Оплата не прошла: на карте недостаточно средств" in page
    purchase.refresh_from_db()
    assert purchase.status == Purchase.Status.AWAITING_PAYMENT
    assert purchase.policy.status == Policy.Status.AWAITING_PAYMENT
    assert not Receipt.objects.exists()


def test_a_second_visit_to_pay_offers_the_same_payment_not_a_second_one(
    buyer_client,
    purchase,
    yookassa,
):
    first = checkout(buyer_client, purchase, "sbp")
    second = checkout(buyer_client, purchase, "sbp")

    assert first == second


def test_paid_with_the_broker_down_the_policy_is_issued_and_its_pdf_and_receipt_come_later(
    buyer_client, purchase, yookassa, broker
):
    # given: the person on ЮKassa's page, the broker down
    confirmation_url = checkout(buyer_client, purchase, "bank_card")
    broker.down()

    # when: they pay and come back
    yookassa.confirm(confirmation_url, number=YK_CARD_OK)
    page = buyer_client.get(reverse("shop_purchase", args=[purchase.pk]))

    # then: issued and said so; the PDF and the receipt's fiscal attributes wait for the worker
    assert page.status_code == 200 and "Полис оформлен и оплачен" in page.content.decode()
    purchase.refresh_from_db()
    assert purchase.status == Purchase.Status.PAID
    assert purchase.policy.status == Policy.Status.ACTIVE
    receipt = Receipt.objects.get(source=Receipt.Source.PURCHASE, source_id=purchase.pk)
    assert receipt.status == Receipt.Status.PENDING
    document = PolicyDocument.objects.get(policy=purchase.policy)
    assert document.status == PolicyDocument.Status.PENDING
    waiting = OutboxMessage.objects.filter(acked_at__isnull=True)
    assert sorted(row.task_name.rsplit(".", 1)[1] for row in waiting) == [
        "policy_document_render_task",
        "receipt_fetch",
    ]

    # when: the broker is back and the beat's delivery runs (twice: nothing runs twice)
    deliver_after_return(broker)
    deliver_after_return(broker)

    # then: the PDF is made and the receipt registered, each by one task
    document.refresh_from_db()
    receipt.refresh_from_db()
    assert document.status == PolicyDocument.Status.READY
    assert receipt.status == Receipt.Status.REGISTERED
    assert OutboxMessage.objects.count() == 2
    assert not OutboxMessage.objects.filter(acked_at__isnull=True).exists()
