"""The co-pay program with PAYMENT_GATEWAY=yookassa, against the ЮKassa emulator over HTTP: the
card saved by a cancelled 10 ₽ check, daily autopayments with the charge's own key, 54-ФЗ receipts
read back with their fiscal attributes, declines by cancellation reason, refunds with their
reason and retries, and the faults (a timeout, a 5xx, an unknown status, notifications from
outside ЮKassa's networks or about unknown payments): nothing marked paid, nothing charged twice,
reconciliation settles it."""

import datetime
import json
import re
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from claims.models import ServiceLine
from devtools.yookassa_emulator import state as emulator
from payments import services
from payments.models import Charge, PaymentCard, Receipt, Refund
from payments.services import fiscal
from tests.factories import UserFactory

from .conftest import make_lines
from .gateways import yk_decline_card

pytestmark = pytest.mark.django_db(transaction=True)

DAY = datetime.date(2026, 12, 1)


def shop_state() -> emulator.Shop:
    from django.conf import settings

    return emulator.shop(str(settings.YOOKASSA_SHOP_ID))


def _charge(enrollment):
    services.copay_notice_send(enrollment_id=enrollment.pk, charge_day=DAY)
    return services.charge_daily(enrollment_id=enrollment.pk, day=DAY)


def test_binding_keeps_the_saved_method_and_the_masked_card_and_cancels_the_check(
    yk_bind, copay_person
):
    enrollment = yk_bind()

    card = PaymentCard.objects.get(enrollment=enrollment, removed_at__isnull=True)
    assert (card.gateway, card.last4, card.expiry) == ("yookassa", "2987", "12/30")
    assert card.brand == "Mir"
    method = shop_state().methods[card.provider_payment_method_id]
    assert method["saved"] is True
    (check,) = shop_state().payments.values()
    assert check["amount"] == {"value": "10.00", "currency": "RUB"}
    assert check["status"] == "canceled"
    assert check["cancellation_details"]["reason"] == "canceled_by_merchant"
    assert check["_receipt"]["items"][0]["vat_code"] == 1
    assert not Receipt.objects.exists()  # the cancelled check moved no money


def test_a_declined_card_check_binds_nothing(yookassa, copay_user, copay_person):
    enrollment = services.copay_consent(user=copay_user, insured_person=copay_person)
    payment_id, url = services.card_setup_redirect(
        enrollment=enrollment, return_url="http://portal.test/copay/"
    )
    yookassa.confirm(url, number=yk_decline_card("insufficient_funds"))

    with pytest.raises(ValidationError):
        services.card_attach(enrollment=enrollment, setup_intent_id=payment_id)
    assert not PaymentCard.objects.exists()


def test_a_daily_charge_with_the_charges_key_and_its_fiscal_receipt(yk_bind, copay_person):
    enrollment = yk_bind()

    charge = _charge_with_lines(enrollment, copay_person)

    assert charge.status == Charge.Status.SUCCEEDED
    assert charge.idempotency_key in shop_state().keys  # the Idempotence-Key is the charge's
    payment = shop_state().payments[charge.provider_payment_id]
    assert payment["payment_method"]["id"] == charge.card.provider_payment_method_id
    items = payment["_receipt"]["items"]
    assert [i["amount"]["value"] for i in items] == ["120.00", "80.50"]  # one per service line
    assert {(i["vat_code"], i["payment_mode"], i["payment_subject"]) for i in items} == {
        (1, "full_payment", "service")
    }
    assert payment["_receipt"]["customer"]["email"] == charge.user.email
    receipt = Receipt.objects.get(source=Receipt.Source.COPAY, source_id=charge.pk)
    assert receipt.status == Receipt.Status.REGISTERED
    assert receipt.kind == Receipt.Kind.INCOME and receipt.amount == Decimal("200.50")
    assert re.fullmatch(r"\d{16}", receipt.fiscal_storage_number)
    assert receipt.fiscal_document_number.isdigit() and len(receipt.fiscal_attribute) == 10
    assert re.fullmatch(r"t=\d{8}T\d{4}&s=200\.50&fn=\d{16}&i=\d+&fp=\d{10}&n=1", receipt.qr_string)
    assert receipt.seller_inn == "7709988778"


def _charge_with_lines(enrollment, person, amounts=("120.00", "80.50")) -> Charge:
    make_lines(person, list(amounts))
    return _charge(enrollment)


@pytest.mark.parametrize("reason", ["card_expired", "permission_revoked"])
def test_a_card_that_will_never_pay_again_is_dropped_and_the_person_told(
    yk_bind,
    copay_person,
    yookassa,
    reason,
):
    enrollment = yk_bind()
    card = PaymentCard.objects.get(removed_at__isnull=True)
    yookassa.control("method", payment_method_id=card.provider_payment_method_id, behaviour=reason)
    mail.outbox.clear()

    charge = _charge_with_lines(enrollment, copay_person)

    assert charge.status == Charge.Status.FAILED and charge.decline_code == reason
    card.refresh_from_db()
    assert card.removed_at is not None
    assert "Привяжите другую карту" in mail.outbox[-1].body
    enrollment.refresh_from_db()
    assert enrollment.next_charge_on is None  # no retry on a card that is gone
    assert not ServiceLine.objects.filter(copay_state=ServiceLine.CopayState.PAID).exists()


def test_another_decline_keeps_the_card_and_retries_on_the_schedule(
    yk_bind,
    copay_person,
    yookassa,
):
    enrollment = yk_bind()
    card = PaymentCard.objects.get(removed_at__isnull=True)
    yookassa.control(
        "method", payment_method_id=card.provider_payment_method_id, behaviour="insufficient_funds"
    )

    charge = _charge_with_lines(enrollment, copay_person)

    assert charge.status == Charge.Status.FAILED
    card.refresh_from_db()
    assert card.removed_at is None
    enrollment.refresh_from_db()
    assert enrollment.next_charge_on == DAY + datetime.timedelta(days=1)


@pytest.mark.parametrize(
    "fault",
    [
        {"mode": "timeout", "delay": 1.5, "count": 1},
        {"mode": "503", "count": 5},
        {"mode": "unknown_status", "count": 1},
    ],
    ids=["timeout", "5xx", "unknown-status"],
)
def test_a_lost_answer_leaves_the_charge_in_review_and_reconciliation_settles_it_once(
    yk_bind,
    copay_person,
    yookassa,
    settings,
    fault,
):
    enrollment = yk_bind()
    settings.YOOKASSA_TIMEOUT_SECONDS = 0.5
    settings.YOOKASSA_RETRIES = 0
    yookassa.control("faults", **fault)

    charge = _charge_with_lines(enrollment, copay_person)

    assert charge.status == Charge.Status.IN_DOUBT
    assert "в процессе проверки" in charge.get_status_display()
    assert not ServiceLine.objects.filter(copay_state=ServiceLine.CopayState.PAID).exists()
    assert not Receipt.objects.exists()

    yookassa.control("faults", mode="", count=0)
    settings.YOOKASSA_TIMEOUT_SECONDS = 5.0
    if fault["mode"] == "timeout":
        import time

        time.sleep(1.5)  # the emulator finishes the call the client gave up on
    services.charges_reconcile(older_than=datetime.timedelta(0))

    charge.refresh_from_db()
    assert charge.status == Charge.Status.SUCCEEDED
    payments = [
        p
        for p in shop_state().payments.values()
        if p["metadata"].get("charge_id") == str(charge.pk)
    ]
    assert len(payments) == 1 and payments[0]["status"] == "succeeded"
    assert Receipt.objects.get(source_id=charge.pk).status == Receipt.Status.REGISTERED


def test_our_retries_with_the_same_key_get_through_a_passing_5xx(
    yk_bind,
    copay_person,
    yookassa,
):
    enrollment = yk_bind()
    yookassa.control("faults", mode="500", count=2)  # our two retries are enough

    charge = _charge_with_lines(enrollment, copay_person)

    assert charge.status == Charge.Status.SUCCEEDED
    assert len([p for p in shop_state().payments.values() if p["metadata"].get("charge_id")]) == 1


# --- notifications ---------------------------------------------------------------------------


def notify(client, obj: dict, event: str = "payment.succeeded", address: str = "185.71.76.5"):
    body = json.dumps({"type": "notification", "event": event, "object": obj})
    return client.post(
        reverse("yookassa_webhook"), body, content_type="application/json", REMOTE_ADDR=address
    )


@pytest.fixture
def in_doubt(yk_bind, copay_person, yookassa, settings, monkeypatch):
    """A charge paid at ЮKassa whose answer was lost (the worker died before writing it)."""
    enrollment = yk_bind()
    make_lines(copay_person, ["300.00"])
    from payments.services import charges

    def crash(*args, **kwargs):
        raise SystemExit("worker killed")

    with monkeypatch.context() as patch:
        patch.setattr(charges, "charges_settle", crash)
        with pytest.raises(SystemExit):
            _charge(enrollment)
    charge = Charge.objects.get()
    assert charge.status == Charge.Status.IN_DOUBT
    return charge


def paid_object(charge: Charge) -> dict:
    (payment,) = [
        p
        for p in shop_state().payments.values()
        if p["metadata"].get("charge_id") == str(charge.pk)
    ]
    return emulator.public(payment)


def test_a_notification_from_outside_yookassas_networks_is_refused(client, in_doubt, caplog):
    response = notify(client, paid_object(in_doubt), address="203.0.113.7")

    assert response.status_code == 403
    in_doubt.refresh_from_db()
    assert in_doubt.status == Charge.Status.IN_DOUBT
    assert "outside" in caplog.text


def test_a_notification_is_believed_only_as_yookassa_answers_when_asked(client, in_doubt):
    forged = {**paid_object(in_doubt), "amount": {"value": "1.00", "currency": "RUB"}}
    assert notify(client, forged).status_code == 200
    in_doubt.refresh_from_db()
    assert in_doubt.status == Charge.Status.IN_DOUBT  # the body contradicted ЮKassa: ignored

    assert notify(client, paid_object(in_doubt)).status_code == 200
    in_doubt.refresh_from_db()
    assert in_doubt.status == Charge.Status.SUCCEEDED


def test_a_notification_about_an_unknown_payment_changes_nothing(client, in_doubt, caplog):
    unknown = {**paid_object(in_doubt), "id": "2bbbbbbb-000f-5000-9000-000000000000"}

    assert notify(client, unknown).status_code == 200
    in_doubt.refresh_from_db()
    assert in_doubt.status == Charge.Status.IN_DOUBT
    assert "unknown to the provider" in caplog.text


def test_a_notification_that_is_not_one_is_refused(client, yookassa):
    response = client.post(
        reverse("yookassa_webhook"),
        b"{}",
        content_type="application/json",
        REMOTE_ADDR="185.71.76.5",
    )
    assert response.status_code == 400


# --- refunds -----------------------------------------------------------------------------------


@pytest.fixture
def paid_line(yk_bind, copay_person):
    enrollment = yk_bind()
    charge = _charge_with_lines(enrollment, copay_person, amounts=("90.00", "60.00"))
    assert charge.status == Charge.Status.SUCCEEDED
    line = charge.lines.order_by("pk").first().service_line
    ServiceLine.objects.filter(pk=line.pk).update(
        recovery_flagged_at=datetime.datetime(2026, 12, 2, tzinfo=datetime.UTC)
    )
    return line


def test_a_refund_tells_yookassa_why_and_gets_its_refund_receipt(paid_line):
    refund = services.refund_request(service_line_id=paid_line.pk)

    assert refund.status == Refund.Status.SUCCEEDED
    at_provider = shop_state().refunds[refund.provider_refund_id]
    assert "не оказана" in at_provider["description"]
    assert paid_line.service_name in at_provider["description"]
    receipt = Receipt.objects.get(source=Receipt.Source.REFUND, source_id=refund.pk)
    assert receipt.kind == Receipt.Kind.INCOME_RETURN
    assert receipt.status == Receipt.Status.REGISTERED
    assert receipt.qr_string.endswith("&n=2") and "s=90.00" in receipt.qr_string


def test_a_refused_refund_is_retried_on_the_schedule_and_the_operator_told_after_the_last(
    paid_line,
    yookassa,
    settings,
):
    UserFactory(email="operator@insurer.test", is_staff=True, is_superuser=True)
    settings.REFUND_RETRY_HOURS = (1, 6)
    yookassa.control("faults", mode="refund_canceled", count=10)
    mail.outbox.clear()

    refund = services.refund_request(service_line_id=paid_line.pk)
    assert refund.status == Refund.Status.FAILED and refund.retry_at is not None
    first_key = refund.provider_key

    for _try in range(2):
        Refund.objects.filter(pk=refund.pk).update(
            retry_at=datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)
        )
        services.refunds_reconcile()
        refund.refresh_from_db()
        assert refund.status == Refund.Status.FAILED
    assert refund.refusals == 3 and refund.retry_at is None
    assert refund.provider_key != first_key  # each try a new request at ЮKassa
    assert any("ручная обработка" in m.subject for m in mail.outbox)
    assert ["operator@insurer.test"] in [m.to for m in mail.outbox]

    # the operator sorted it out at ЮKassa: a later refusal-free try is not made by itself
    yookassa.control("faults", mode="", count=0)
    services.refunds_reconcile()
    refund.refresh_from_db()
    assert refund.status == Refund.Status.FAILED


def test_a_refused_refund_that_goes_through_on_a_retry(paid_line, yookassa):
    yookassa.control("faults", mode="refund_canceled", count=1)

    refund = services.refund_request(service_line_id=paid_line.pk)
    assert refund.status == Refund.Status.FAILED
    Refund.objects.filter(pk=refund.pk).update(
        retry_at=datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)
    )
    services.refunds_reconcile()

    refund.refresh_from_db()
    assert refund.status == Refund.Status.SUCCEEDED
    assert len(shop_state().refunds) == 2  # the refused one and the one that went through


# --- the person's «Чек» ------------------------------------------------------------------------


def test_the_receipt_page_and_pdf_show_the_fiscal_attributes(yk_bind, copay_person, client):
    enrollment = yk_bind()
    charge = _charge_with_lines(enrollment, copay_person)
    receipt = Receipt.objects.get(source_id=charge.pk)
    client.force_login(charge.user)

    page = client.get(reverse("payments:fiscal_receipt", args=[receipt.pk])).content.decode()

    for text in (
        "Кассовый чек — приход",
        receipt.seller_name,
        "7709988778",
        receipt.fiscal_storage_number,
        receipt.fiscal_attribute,
        "200,50",
        "data:image/svg+xml;base64,",
    ):
        assert text in page
    assert receipt.qr_string.replace("&", "&amp;") in page
    pdf = client.get(reverse("payments:receipt", args=[charge.pk]))
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")


def test_someone_elses_receipt_is_not_found(yk_bind, copay_person, client):
    enrollment = yk_bind()
    charge = _charge_with_lines(enrollment, copay_person)
    receipt = Receipt.objects.get(source_id=charge.pk)
    client.force_login(UserFactory())

    assert client.get(reverse("payments:fiscal_receipt", args=[receipt.pk])).status_code == 404
    assert client.get(reverse("payments:fiscal_receipt_pdf", args=[receipt.pk])).status_code == 404


def test_receipts_still_being_registered_are_read_again_by_the_sweep(yk_bind, copay_person):
    enrollment = yk_bind()
    charge = _charge_with_lines(enrollment, copay_person)
    Receipt.objects.filter(source_id=charge.pk).update(
        status=Receipt.Status.PENDING, fiscal_storage_number="", fiscal_document_number="",
        fiscal_attribute="", registered_at=None,
    )  # fmt: skip

    assert fiscal.receipts_fetch_pending() == 1

    assert Receipt.objects.get(source_id=charge.pk).status == Receipt.Status.REGISTERED


def test_back_from_yookassas_page_after_the_notification_bound_the_card(
    yookassa, copay_user, copay_person, client
):
    # given: the card check confirmed on ЮKassa's page, and its notification handled first (the
    # card bound, the 10 ₽ check cancelled) before the person's browser comes back
    enrollment = services.copay_consent(user=copay_user, insured_person=copay_person)
    payment_id, url = services.card_setup_redirect(
        enrollment=enrollment, return_url="http://portal.test/copay/"
    )
    yookassa.confirm(url)
    card = services.card_attach(enrollment=enrollment, setup_intent_id=payment_id)
    assert shop_state().payments[payment_id]["status"] == "canceled"

    # when: the browser comes back to the return page
    client.force_login(copay_user)
    session = client.session
    session[f"card_check_{copay_person.pk}"] = payment_id
    session.save()
    response = client.get(reverse("payments:card_return", args=[copay_person.pk]), follow=True)

    # then: the card is said to be bound, once
    text = response.content.decode()
    assert f"Карта {card} привязана" in text
    assert "не привязана" not in text
    assert PaymentCard.objects.filter(enrollment=enrollment, removed_at__isnull=True).count() == 1
