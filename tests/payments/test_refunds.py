"""Refunds of co-pay lines whose "service not provided" dispute is confirmed after they were
charged (or while their charge was at the bank), against localstripe."""

import datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.test import Client

from cabinet.documents import documents_for_user
from claims.models import ServiceLine
from feedback.models import Appeal
from feedback.services import appeals
from gateways.payments_base import GatewayError
from gateways.stripe import StripeGateway
from payments import services, tasks
from payments.models import Charge, Refund
from tests.factories import StaffUserFactory, UserFactory

from .conftest import (
    CARD_3DS,
    charge_daily_after_notice,
    charge_daily_worker_killed,
    make_lines,
)
from .test_charges import today

pytestmark = pytest.mark.django_db(transaction=True)
State = ServiceLine.CopayState


def dispute_and_confirm(user, line) -> Appeal:
    appeal = appeals.appeal_create(
        user=user, kind=Appeal.Kind.NOT_PROVIDED, body="Меня не принимали", service_line=line
    )
    appeals.service_dispute_settle(appeal=appeal, staff=StaffUserFactory(), confirmed=True)
    return appeal


def provider_refunds(provider, charge: Charge) -> list[dict]:
    return provider.get("/v1/refunds", {"payment_intent": charge.provider_payment_id})["data"]


def test_confirmed_dispute_of_a_paid_line_refunds_it_once(
    bind_card, copay_person, copay_user, provider
):
    # given a daily charge that paid two lines
    enrollment = bind_card()
    kept, disputed = make_lines(copay_person, ["136.00", "272.00"])
    charge = charge_daily_after_notice(enrollment, today())
    assert charge.status == Charge.Status.SUCCEEDED
    mail.outbox.clear()

    # when the person disputes one and the operator confirms it
    appeal = dispute_and_confirm(copay_user, disputed)

    # then that line's co-pay goes back to the card, once
    refund = Refund.objects.get()
    assert refund.status == Refund.Status.SUCCEEDED
    assert refund.idempotency_key == f"copay-refund-{disputed.pk}"
    assert (refund.charge, refund.amount) == (charge, Decimal("272.00"))
    at_provider = provider_refunds(provider, charge)
    assert [(r["amount"], r["status"]) for r in at_provider] == [(27200, "succeeded")]
    assert at_provider[0]["metadata"]["refund_id"] == str(refund.pk)
    disputed.refresh_from_db()
    kept.refresh_from_db()
    assert disputed.copay_state == State.CANCELLED and disputed.recovery_flagged_at
    assert kept.copay_state == State.PAID
    # the answer says so, and the person gets the refund e-mail
    assert "будет возвращена на карту" in appeal.messages.filter(from_staff=True).get().body
    refund_mail = [m for m in mail.outbox if m.subject == "Со-оплата возвращена на карту"]
    assert [m.to for m in refund_mail] == [[copay_user.email]]
    assert "272\xa0руб." in refund_mail[0].body and "4242" in refund_mail[0].body

    # the task delivered again and reconciliation: nothing new at the provider
    tasks.copay_refund_request.delay(disputed.pk)
    services.refunds_reconcile(older_than=datetime.timedelta(0))
    assert len(provider_refunds(provider, charge)) == 1
    assert Refund.objects.count() == 1


def test_refund_shows_in_the_ledger_and_my_documents(bind_card, copay_person, copay_user):
    enrollment = bind_card()
    (line,) = make_lines(copay_person, ["272.00"])
    charge_daily_after_notice(enrollment, today())
    dispute_and_confirm(copay_user, line)
    refund = Refund.objects.get()

    client = Client()
    client.force_login(copay_user)
    page = client.get("/copay/").content.decode()
    assert "Возвращено" in page and f"/copay/refunds/{refund.pk}.pdf" in page
    entries = [e for g in documents_for_user(copay_user) for e in g.entries]
    assert any(
        e.url == f"/copay/refunds/{refund.pk}.pdf" and "возврата" in e.title for e in entries
    )
    response = client.get(f"/copay/refunds/{refund.pk}.pdf")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    # someone else's refund receipt does not exist for them
    other = Client()
    other.force_login(UserFactory())
    assert other.get(f"/copay/refunds/{refund.pk}.pdf").status_code == 404


def test_line_in_a_charge_in_doubt_is_refunded_after_reconciliation_finds_it_paid(
    bind_card, copay_person, copay_user, provider, monkeypatch
):
    # given a charge the provider took but whose answer we never recorded
    enrollment = bind_card()
    (line,) = make_lines(copay_person, ["544.00"])
    charge_daily_worker_killed(enrollment, today(), monkeypatch)
    charge = Charge.objects.get()
    assert charge.status == Charge.Status.IN_DOUBT

    # when the dispute is confirmed meanwhile: the refund waits for the charge's outcome
    appeal = dispute_and_confirm(copay_user, line)
    assert "будет возвращена на карту" in appeal.messages.filter(from_staff=True).get().body
    refund = Refund.objects.get()
    assert refund.status == Refund.Status.WAITING
    (intent,) = provider.payment_intents(charge.card.provider_customer_id)
    assert provider.get("/v1/refunds", {"payment_intent": intent["id"]})["data"] == []

    # then reconciliation settles the charge as paid, and the refund follows, once
    tasks.charges_reconcile.delay()
    services.charges_reconcile(older_than=datetime.timedelta(0))
    services.refunds_reconcile(older_than=datetime.timedelta(0))
    charge.refresh_from_db()
    refund.refresh_from_db()
    assert charge.status == Charge.Status.SUCCEEDED
    assert refund.status == Refund.Status.SUCCEEDED
    assert [r["amount"] for r in provider_refunds(provider, charge)] == [54400]
    line.refresh_from_db()
    assert line.copay_state == State.CANCELLED


def test_line_of_a_charge_that_never_reached_the_bank_is_not_charged_nor_refunded(
    bind_card, copay_person, copay_user, provider, settings
):
    # given a charge sent while the provider was unreachable (in doubt, nothing at the bank)
    enrollment = bind_card()
    kept, disputed = make_lines(copay_person, ["136.00", "272.00"])
    real_base = settings.STRIPE_API_BASE
    settings.STRIPE_API_BASE = "http://127.0.0.1:9"
    charge = charge_daily_after_notice(enrollment, today())
    assert charge.status == Charge.Status.IN_DOUBT
    settings.STRIPE_API_BASE = real_base
    dispute_and_confirm(copay_user, disputed)

    # when reconciliation finds no payment and sends the charge again
    services.charges_reconcile(older_than=datetime.timedelta(0))

    # then the confirmed line left it before sending: nothing to refund
    charge.refresh_from_db()
    assert charge.status == Charge.Status.SUCCEEDED and charge.amount == Decimal("136.00")
    assert Refund.objects.get().status == Refund.Status.NOT_NEEDED
    assert provider_refunds(provider, charge) == []
    disputed.refresh_from_db()
    assert disputed.copay_state == State.CANCELLED


def test_refund_in_doubt_is_reconciled_without_a_second_refund(
    bind_card, copay_person, copay_user, provider, monkeypatch
):
    enrollment = bind_card()
    (line,) = make_lines(copay_person, ["544.00"])
    charge = charge_daily_after_notice(enrollment, today())
    original = StripeGateway.refund_create

    # given the provider refunded but the answer was lost (a timeout after it acted)
    def lost_answer(self, **kwargs):
        original(self, **kwargs)
        raise GatewayError("read timeout")

    monkeypatch.setattr(StripeGateway, "refund_create", lost_answer)
    dispute_and_confirm(copay_user, line)
    refund = Refund.objects.get()
    assert refund.status == Refund.Status.IN_DOUBT
    monkeypatch.undo()

    # when reconciliation runs (twice)
    services.refunds_reconcile(older_than=datetime.timedelta(0))
    services.refunds_reconcile(older_than=datetime.timedelta(0))

    # then it found the provider's refund by our id: one refund, settled
    refund.refresh_from_db()
    assert refund.status == Refund.Status.SUCCEEDED and refund.provider_refund_id
    assert len(provider_refunds(provider, charge)) == 1


def test_refund_never_sent_is_sent_by_reconciliation(
    bind_card, copay_person, copay_user, provider, settings
):
    enrollment = bind_card()
    (line,) = make_lines(copay_person, ["544.00"])
    charge = charge_daily_after_notice(enrollment, today())
    real_base = settings.STRIPE_API_BASE
    settings.STRIPE_API_BASE = "http://127.0.0.1:9"
    dispute_and_confirm(copay_user, line)
    assert Refund.objects.get().status == Refund.Status.IN_DOUBT
    settings.STRIPE_API_BASE = real_base

    services.refunds_reconcile(older_than=datetime.timedelta(0))

    assert Refund.objects.get().status == Refund.Status.SUCCEEDED
    assert len(provider_refunds(provider, charge)) == 1


def test_lost_refund_request_is_made_by_reconciliation(
    bind_card, copay_person, copay_user, provider, monkeypatch
):
    # given the broker lost the task queued by the decision
    enrollment = bind_card()
    (line,) = make_lines(copay_person, ["544.00"])
    charge = charge_daily_after_notice(enrollment, today())
    # the outbox hands the task over with apply_async (issue 19): the broker loses it there
    monkeypatch.setattr(tasks.copay_refund_request, "apply_async", lambda *a, **k: None)
    dispute_and_confirm(copay_user, line)
    monkeypatch.undo()
    assert not Refund.objects.exists()

    services.refunds_reconcile(older_than=datetime.timedelta(0))

    assert Refund.objects.get().status == Refund.Status.SUCCEEDED
    assert len(provider_refunds(provider, charge)) == 1


def test_confirmed_dispute_of_a_line_never_charged_refunds_nothing(
    bind_card, copay_person, copay_user
):
    bind_card()
    (line,) = make_lines(copay_person, ["544.00"])
    appeal = dispute_and_confirm(copay_user, line)
    line.refresh_from_db()
    assert line.copay_state == State.CANCELLED
    assert not Refund.objects.exists()
    assert "возвращена" not in appeal.messages.filter(from_staff=True).get().body
    services.refunds_reconcile(older_than=datetime.timedelta(0))
    assert not Refund.objects.exists()


def test_failed_charge_frees_no_disputed_line_for_the_next_charge(
    bind_card, copay_person, copay_user, monkeypatch
):
    # given a line disputed while its charge was at the bank, and the bank then declines
    enrollment = bind_card()
    (line,) = make_lines(copay_person, ["544.00"])
    charge_daily_worker_killed(enrollment, today(), monkeypatch)
    appeals.appeal_create(
        user=copay_user, kind=Appeal.Kind.NOT_PROVIDED, body="x", service_line=line
    )
    line.refresh_from_db()
    assert line.copay_state == State.UNPAID and line.disputed_at  # in flight: not frozen
    from gateways.payments_base import PaymentResult, PaymentStatus

    services.charge_settle(
        charge_id=Charge.objects.get().pk,
        result=PaymentResult(status=PaymentStatus.DECLINED, decline_code="card_declined"),
    )

    # then the line is frozen until the decision, and "pay now" does not take it
    line.refresh_from_db()
    assert line.copay_state == State.FROZEN
    assert services.charge_pay_now(enrollment=enrollment) is None


def test_payment_awaiting_3ds_is_cancelled_when_one_of_its_lines_is_confirmed_not_provided(
    bind_card, copay_person, copay_user, provider
):
    # given a daily charge of two lines waiting for the person's 3-D Secure confirmation
    enrollment = bind_card(CARD_3DS)
    kept, disputed = make_lines(copay_person, ["136.00", "272.00"])
    waiting = charge_daily_after_notice(enrollment, today())
    assert waiting.status == Charge.Status.REQUIRES_ACTION

    # when one line is disputed and the dispute confirmed
    dispute_and_confirm(copay_user, disputed)

    # then the payment is cancelled at the provider rather than paid and refunded
    waiting.refresh_from_db()
    assert waiting.status == Charge.Status.FAILED and waiting.decline_code == "line_disputed"
    intent = provider.get(f"/v1/payment_intents/{waiting.provider_payment_id}")
    assert intent["status"] == "canceled"
    assert Refund.objects.get().status == Refund.Status.NOT_NEEDED
    disputed.refresh_from_db()
    assert disputed.copay_state == State.CANCELLED
    # and "pay now" asks for the other line only
    again = services.charge_pay_now(enrollment=enrollment)
    assert again.pk != waiting.pk and again.amount == Decimal("136.00")
    assert list(again.service_lines.all()) == [kept]
