"""Daily charges, declines, authentication, crashes and repeats, against localstripe."""

import datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone

from claims.models import ServiceLine
from clinics.models import ProgramClinic
from gateways.payments_base import GatewayError
from payments import services, tasks
from payments.models import Charge, ChargeLine, ClinicAttachmentList, PaymentCard
from tests.factories import CareKindFactory, ClinicFactory

from .conftest import (
    CARD_3DS,
    CARD_DECLINED,
    charge_daily_after_notice,
    charge_daily_worker_killed,
    charge_written,
    make_lines,
)

pytestmark = pytest.mark.django_db(transaction=True)


def today():
    return timezone.localdate()


def test_binding_keeps_only_provider_ids_and_sets_access_times(bind_card, copay_program):
    # given a clinic of the program
    ProgramClinic.objects.create(
        program=copay_program, clinic=ClinicFactory(), care_kind=CareKindFactory()
    )
    # when
    enrollment = bind_card()
    # then
    card = PaymentCard.objects.get(enrollment=enrollment)
    assert card.provider_payment_method_id.startswith("pm_")
    assert card.provider_customer_id.startswith("cus_")
    assert (card.brand, card.last4, card.exp_month, card.exp_year) == ("visa", "4242", 12, 2031)
    assert enrollment.clinic_access_from - enrollment.card_bound_at == datetime.timedelta(
        minutes=30
    )
    # the activation task ran on commit (eager Celery): active and lists sent to the clinic
    assert enrollment.active_from is not None
    assert enrollment.active_from <= enrollment.card_bound_at + datetime.timedelta(hours=24)
    assert ClinicAttachmentList.objects.filter(enrollment=enrollment).count() == 1
    services.enrollment_activate(enrollment_id=enrollment.pk)  # twice: nothing new
    assert ClinicAttachmentList.objects.filter(enrollment=enrollment).count() == 1


def test_daily_charge_pays_unfrozen_lines_once(bind_card, copay_person, provider):
    enrollment = bind_card()
    unpaid = make_lines(copay_person, ["120.00", "200.00", "224.00"])
    frozen = make_lines(copay_person, ["999.00"], state=ServiceLine.CopayState.FROZEN)
    # when yesterday's notice run, today's charge run, and then the same task again
    tasks.copay_notices_send.delay((today() - datetime.timedelta(days=1)).isoformat())
    tasks.copay_daily_charges.delay(today().isoformat())
    tasks.copay_charge_person.delay(enrollment.pk, today().isoformat())
    # then one charge of 544 ₽, lines paid, the frozen line untouched
    charge = Charge.objects.get()
    assert charge.status == Charge.Status.SUCCEEDED
    assert charge.amount == Decimal("544.00")
    assert charge.idempotency_key == services.daily_key(
        insured_person_id=copay_person.pk, day=today()
    )
    assert set(charge.service_lines.values_list("pk", flat=True)) == {x.pk for x in unpaid}
    assert all(
        x.copay_state == ServiceLine.CopayState.PAID
        for x in ServiceLine.objects.filter(pk__in=[x.pk for x in unpaid])
    )
    frozen[0].refresh_from_db()
    assert frozen[0].copay_state == ServiceLine.CopayState.FROZEN
    assert not ChargeLine.objects.filter(service_line=frozen[0]).exists()
    intents = provider.payment_intents(charge.card.provider_customer_id)
    assert [(i["amount"], i["currency"], i["status"]) for i in intents] == [
        (54400, "rub", "succeeded")
    ]
    assert intents[0]["metadata"]["charge_id"] == str(charge.pk)


def test_frozen_only_debt_is_never_charged(bind_card, copay_person, provider):
    enrollment = bind_card()
    make_lines(copay_person, ["300.00"], state=ServiceLine.CopayState.FROZEN)
    assert charge_daily_after_notice(enrollment, today()) is None
    assert services.charge_pay_now(enrollment=enrollment) is None
    assert Charge.objects.count() == 0
    assert provider.payment_intents(enrollment.provider_customer_id) == []


def test_decline_keeps_lines_unpaid_tells_the_person_and_schedules_retries(
    bind_card, copay_person, copay_user
):
    enrollment = bind_card(CARD_DECLINED)
    lines = make_lines(copay_person, ["544.00"])
    services.copay_notice_send(enrollment_id=enrollment.pk, charge_day=today())
    mail.outbox.clear()
    charge = services.charge_daily(enrollment_id=enrollment.pk, day=today())
    assert charge.status == Charge.Status.FAILED
    assert charge.decline_code == "card_declined"
    lines[0].refresh_from_db()
    assert lines[0].copay_state == ServiceLine.CopayState.UNPAID
    assert [m.to for m in mail.outbox] == [[copay_user.email]]
    enrollment.refresh_from_db()
    assert enrollment.next_charge_on == today() + datetime.timedelta(days=1)
    # not due again the same day: no retry storm
    assert not services.enrollments_due(day=today()).filter(pk=enrollment.pk).exists()
    # the next tries follow the schedule 1, 3, 7 days, then wait for the person
    day = today()
    for expected in (3, 7):
        day = enrollment.next_charge_on
        charge = charge_daily_after_notice(enrollment, day)
        assert charge.status == Charge.Status.FAILED
        enrollment.refresh_from_db()
        assert enrollment.next_charge_on == day + datetime.timedelta(days=expected)
    charge = charge_daily_after_notice(enrollment, enrollment.next_charge_on)
    enrollment.refresh_from_db()
    assert enrollment.next_charge_on == datetime.date.max
    assert Charge.objects.filter(status=Charge.Status.FAILED).count() == 4


def test_authentication_required_then_paid_on_session(bind_card, copay_person, provider):
    enrollment = bind_card(CARD_3DS)
    lines = make_lines(copay_person, ["544.00"])
    charge = charge_daily_after_notice(enrollment, today())
    assert charge.status == Charge.Status.REQUIRES_ACTION
    assert charge.client_secret
    lines[0].refresh_from_db()
    assert lines[0].copay_state == ServiceLine.CopayState.UNPAID
    # "pay now" brings back the same payment for the page to confirm
    assert services.charge_pay_now(enrollment=enrollment).pk == charge.pk
    # the person confirms (what confirmCardPayment does), then the page posts back
    provider.post(
        f"/v1/payment_intents/{charge.provider_payment_id}/_authenticate",
        {"client_secret": charge.client_secret, "success": "true"},
    )
    # the page never posts back (a closed tab): reconciliation reads it from the provider
    services.charges_reconcile(older_than=datetime.timedelta(0))
    charge.refresh_from_db()
    assert charge.status == Charge.Status.SUCCEEDED
    lines[0].refresh_from_db()
    assert lines[0].copay_state == ServiceLine.CopayState.PAID
    assert len(provider.payment_intents(enrollment.provider_customer_id)) == 1


def test_crash_between_provider_answer_and_commit_is_settled_by_reconciliation(
    bind_card, copay_person, provider, monkeypatch
):
    enrollment = bind_card()
    lines = make_lines(copay_person, ["100.00", "444.00"])

    # given a worker that dies after the provider answered, before our commit
    charge_daily_worker_killed(enrollment, today(), monkeypatch)
    charge = Charge.objects.get()
    assert charge.status == Charge.Status.IN_DOUBT
    # the task is delivered again (acks_late): it does not send a second payment
    charge_daily_after_notice(enrollment, today())
    assert len(provider.payment_intents(enrollment.provider_customer_id)) == 1
    # when reconciliation runs
    services.charges_reconcile(older_than=datetime.timedelta(0))
    services.charges_reconcile(older_than=datetime.timedelta(0))
    # then exactly one payment, lines paid once
    charge.refresh_from_db()
    assert charge.status == Charge.Status.SUCCEEDED
    assert len(provider.payment_intents(enrollment.provider_customer_id)) == 1
    assert (
        ServiceLine.objects.filter(
            pk__in=[x.pk for x in lines], copay_state=ServiceLine.CopayState.PAID
        ).count()
        == 2
    )
    assert Charge.objects.count() == 1


def test_provider_timeout_leaves_charge_in_doubt_then_reconciled(
    bind_card, copay_person, provider, settings
):
    enrollment = bind_card()
    make_lines(copay_person, ["544.00"])
    # given the provider is unreachable at call time (the request never arrives)
    real_base = settings.STRIPE_API_BASE
    settings.STRIPE_API_BASE = "http://127.0.0.1:9"
    charge = charge_daily_after_notice(enrollment, today())
    assert charge.status == Charge.Status.IN_DOUBT
    settings.STRIPE_API_BASE = real_base
    # when reconciliation finds no payment with our charge id, it sends it (same key) once
    services.charges_reconcile(older_than=datetime.timedelta(0))
    charge.refresh_from_db()
    assert charge.status == Charge.Status.SUCCEEDED
    assert len(provider.payment_intents(enrollment.provider_customer_id)) == 1


def test_charge_committed_before_provider_call(bind_card, copay_person, monkeypatch):
    enrollment = bind_card()
    make_lines(copay_person, ["50.00"])
    seen = {}

    def payment_create(self, **kwargs):
        # the charge row is visible from outside the caller's transaction
        seen["in_atomic"] = transaction.get_connection().in_atomic_block
        seen["status"] = Charge.objects.get(pk=int(kwargs["metadata"]["charge_id"])).status
        raise GatewayError("timeout")

    from gateways.stripe import StripeGateway

    monkeypatch.setattr(StripeGateway, "payment_create", payment_create)
    charge = charge_daily_after_notice(enrollment, today())
    assert seen == {"in_atomic": False, "status": Charge.Status.IN_DOUBT}
    assert charge.status == Charge.Status.IN_DOUBT


def test_notice_the_day_before_is_sent_once(bind_card, copay_person, copay_user):
    bind_card()
    make_lines(copay_person, ["120.00", "424.00"])
    mail.outbox.clear()
    assert tasks.copay_notices_send.delay(today().isoformat()).get() == 1
    assert tasks.copay_notices_send.delay(today().isoformat()).get() == 0
    assert len(mail.outbox) == 1
    body = mail.outbox[0].body
    assert "544\xa0руб." in body and mail.outbox[0].to == [copay_user.email]


def test_removed_card_stops_automatic_charges(bind_card, copay_person):
    enrollment = bind_card()
    make_lines(copay_person, ["10.00"])
    services.card_remove(enrollment=enrollment)
    assert not services.enrollments_due(day=today()).filter(pk=enrollment.pk).exists()
    assert charge_daily_after_notice(enrollment, today()) is None


def test_replacing_a_card_keeps_one_active(bind_card, copay_person):
    bind_card()
    enrollment = bind_card()
    assert PaymentCard.objects.filter(enrollment=enrollment, removed_at__isnull=True).count() == 1
    assert PaymentCard.objects.filter(enrollment=enrollment).count() == 2


def test_replacing_the_card_cancels_a_payment_awaiting_confirmation(
    bind_card, copay_person, provider
):
    # given a daily charge waiting for 3-D Secure on the old card
    bind_card(CARD_3DS)
    make_lines(copay_person, ["544.00"])
    from payments.models import CopayEnrollment

    enrollment = CopayEnrollment.objects.get(insured_person=copay_person)
    waiting = charge_daily_after_notice(enrollment, today())
    assert waiting.status == Charge.Status.REQUIRES_ACTION
    # when a new card is bound
    enrollment = bind_card()
    # then the old payment is cancelled at the provider and its lines are free again
    waiting.refresh_from_db()
    assert waiting.status == Charge.Status.FAILED and waiting.decline_code == "card_replaced"
    intent = provider.get(f"/v1/payment_intents/{waiting.provider_payment_id}")
    assert intent["status"] == "canceled"
    charge = services.charge_pay_now(enrollment=enrollment)
    assert charge.status == Charge.Status.SUCCEEDED and charge.amount == Decimal("544.00")


def test_beat_schedule_names_registered_tasks(settings):
    from portal.celery import app

    names = [
        entry["task"]
        for entry in settings.CELERY_BEAT_SCHEDULE.values()
        if entry["task"].startswith("payments.")
    ]
    assert len(names) == 5  # notices, daily charges, reconciliation, receipts, activation
    assert all(name in app.tasks for name in names)


def test_two_workers_running_the_same_day_at_once_charge_once(bind_card, copay_person, provider):
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connection, connections

    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite has one writer at a time")
    enrollment = bind_card()
    make_lines(copay_person, ["544.00"])

    def run(_):
        try:
            return charge_daily_after_notice(enrollment, today())
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(run, range(4)))
    assert Charge.objects.count() == 1
    assert Charge.objects.get().status == Charge.Status.SUCCEEDED
    assert len(provider.payment_intents(enrollment.provider_customer_id)) == 1


def test_line_disputed_after_the_charge_was_written_is_not_sent(bind_card, copay_person, provider):
    # given a daily charge written (committed) for two lines, not yet sent
    enrollment = bind_card()
    kept, disputed = make_lines(copay_person, ["136.00", "272.00"])
    charge = charge_written(enrollment, today())
    assert charge.amount == Decimal("408.00")

    # when the person reports one service as not provided before the provider is called
    from feedback.services import service_line_dispute

    service_line_dispute(line=disputed)
    services.charge_send(charge_id=charge.pk)

    # then only the other line is charged, and the disputed one stays frozen and out of it
    charge.refresh_from_db()
    assert charge.status == Charge.Status.SUCCEEDED
    assert charge.amount == Decimal("136.00")
    intents = provider.payment_intents(charge.card.provider_customer_id)
    assert [(i["amount"], i["status"]) for i in intents] == [(13600, "succeeded")]
    disputed.refresh_from_db()
    kept.refresh_from_db()
    assert disputed.copay_state == ServiceLine.CopayState.FROZEN
    assert kept.copay_state == ServiceLine.CopayState.PAID
    assert not ChargeLine.objects.filter(service_line=disputed, active=True).exists()


def test_charge_whose_every_line_was_disputed_is_never_sent(bind_card, copay_person, provider):
    enrollment = bind_card()
    (line,) = make_lines(copay_person, ["544.00"])
    charge = charge_written(enrollment, today())

    from feedback.services import service_line_dispute

    service_line_dispute(line=line)
    services.charge_send(charge_id=charge.pk)

    charge.refresh_from_db()
    assert charge.status == Charge.Status.FAILED
    assert charge.decline_code == "lines_disputed"
    assert provider.payment_intents(charge.card.provider_customer_id) == []
    line.refresh_from_db()
    assert line.copay_state == ServiceLine.CopayState.FROZEN


def test_no_notice_no_automatic_charge(bind_card, copay_person, provider):
    # given an unpaid line but no notice sent for today
    enrollment = bind_card()
    make_lines(copay_person, ["136.00"])

    # when the day's charge runs
    charge = services.charge_daily(enrollment_id=enrollment.pk, day=today())

    # then nothing is charged
    assert charge is None
    assert provider.payment_intents(enrollment.cards.get().provider_customer_id) == []


def test_a_line_arriving_after_the_notice_waits_for_the_next_notice(
    bind_card, copay_person, provider
):
    # given the notice announced one line, and another line arrived after it
    enrollment = bind_card()
    (announced,) = make_lines(copay_person, ["136.00"])
    services.copay_notice_send(enrollment_id=enrollment.pk, charge_day=today())
    (late,) = make_lines(copay_person, ["272.00"], days_ago=0)

    # when the day's charge runs
    charge = services.charge_daily(enrollment_id=enrollment.pk, day=today())

    # then only the announced line is charged; the late one stays unpaid for the next notice
    assert charge.amount == Decimal("136.00")
    late.refresh_from_db()
    assert late.copay_state == ServiceLine.CopayState.UNPAID
    assert not ChargeLine.objects.filter(service_line=late).exists()
