"""The transactional outbox: a write saved while the broker is down answers success, its task waits
in the database and runs once the broker is back; nothing is queued by a write that rolled back.

The broker is made unreachable for real (tests/broker.py: a Redis on a closed loopback port).
"""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.core import mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from claims.models import Claim
from claims.services.status import claim_set_status
from clinics.models import Appointment
from clinics.services.booking import appointment_book, appointment_cancel
from clinics.tasks import appointment_remind, appointment_reminders_send
from feedback import services as feedback_services
from feedback.models import Appeal
from portal.core import outbox
from portal.core.models import OutboxMessage
from tests.broker import assert_waiting, deliver_after_return, later
from tests.claims.conftest import bought_policy, submit
from tests.clinics.conftest import slot_at, tomorrow_at
from tests.factories import StaffUserFactory

pytestmark = pytest.mark.django_db


# --- the write answers success and its notification arrives later --------------------------------


@pytest.fixture
def slot(insured, dms_policy):
    from tests.factories import CareKindFactory, ClinicFactory, DoctorFactory, ProgramClinicFactory

    kind = CareKindFactory(code="outpatient")
    clinic = ClinicFactory(online_booking=True)
    ProgramClinicFactory(program=insured.program, clinic=clinic, care_kind=kind)
    return slot_at(DoctorFactory(clinic=clinic, care_kind=kind), tomorrow_at(10))


def test_a_booking_with_the_broker_down_succeeds_and_its_confirmation_comes_later(
    person_client, insured, slot, broker, django_capture_on_commit_callbacks
):
    # given
    broker.down()

    # when: the person books through the page
    with django_capture_on_commit_callbacks(execute=True):
        response = person_client.post(
            reverse("clinic_book", args=[slot.doctor.clinic_id, slot.pk]),
            {"patient": str(insured.pk)},
        )

    # then: saved, answered, nothing sent yet
    assert response.status_code == 302 and response.url == reverse("appointments")
    assert Appointment.objects.filter(slot=slot, status=Appointment.Status.BOOKED).exists()
    assert mail.outbox == []
    assert_waiting("appointment_notify")

    # when: the broker is back and the beat job runs
    deliver_after_return(broker)

    # then
    assert len(mail.outbox) == 1 and mail.outbox[0].subject.startswith("Вы записаны к врачу")
    row = OutboxMessage.objects.get()
    assert row.acked_at is not None and row.attempts == 2 and row.last_error == ""


def test_a_cancellation_with_the_broker_down_succeeds_and_is_told_later(
    user, insured, slot, broker, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        appointment = appointment_book(user=user, insured_person=insured, slot=slot)
    mail.outbox.clear()
    broker.down()

    with django_capture_on_commit_callbacks(execute=True):
        appointment_cancel(user=user, appointment=appointment)

    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.CANCELLED
    assert mail.outbox == []
    waiting = OutboxMessage.objects.filter(acked_at__isnull=True).get()
    assert waiting.sent_at is None and waiting.last_error

    deliver_after_return(broker)

    assert len(mail.outbox) == 1 and "отмен" in mail.outbox[0].subject.lower()


def test_an_appeal_answer_with_the_broker_down_is_mailed_later(
    user, broker, django_capture_on_commit_callbacks
):
    appeal = feedback_services.appeal_create(
        user=user, kind=Appeal.Kind.COMPLAINT, body="Врач опоздал на 40 минут"
    )
    mail.outbox.clear()
    OutboxMessage.objects.all().delete()
    broker.down()

    with django_capture_on_commit_callbacks(execute=True):
        feedback_services.appeal_answer(
            appeal=appeal, staff=StaffUserFactory(), body="Приносим извинения."
        )

    appeal.refresh_from_db()
    assert appeal.status == Appeal.Status.ANSWERED
    assert mail.outbox == []
    assert_waiting("appeal_answer_notify")

    deliver_after_return(broker)

    assert len(mail.outbox) == 1 and appeal.number in mail.outbox[0].subject


def test_a_claim_step_with_the_broker_down_is_told_later(
    user, broker, django_capture_on_commit_callbacks
):
    claim = submit(user, bought_policy(user))
    mail.outbox.clear()
    OutboxMessage.objects.all().delete()
    broker.down()

    with django_capture_on_commit_callbacks(execute=True):
        claim_set_status(claim=claim, status=Claim.Status.UNDER_REVIEW, by=StaffUserFactory())

    claim.refresh_from_db()
    assert claim.status == Claim.Status.UNDER_REVIEW
    assert mail.outbox == []
    assert_waiting("claim_event_notify")

    deliver_after_return(broker)

    assert len(mail.outbox) == 1 and claim.number in mail.outbox[0].subject


# --- a beat job's fan-out: one task per row, none lost, none twice ------------------------------


def test_the_reminders_fan_out_with_the_broker_down_loses_nothing_and_repeats_nothing(
    user, insured, slot, broker, django_capture_on_commit_callbacks
):
    # given: two bookings of tomorrow, the broker down
    other = slot_at(slot.doctor, tomorrow_at(11))
    with django_capture_on_commit_callbacks(execute=True):
        booked = [
            appointment_book(user=user, insured_person=insured, slot=s) for s in (slot, other)
        ]
    mail.outbox.clear()
    OutboxMessage.objects.all().delete()
    broker.down()

    # when: the beat's job runs in the worker, and again before the broker is back
    with django_capture_on_commit_callbacks(execute=True):
        assert appointment_reminders_send() == 2
    with django_capture_on_commit_callbacks(execute=True):
        assert appointment_reminders_send() == 0

    # then: one row per booking, waiting; nothing sent
    rows = OutboxMessage.objects.filter(task_name=appointment_remind.name)
    assert sorted(row.args for row in rows) == sorted([a.pk] for a in booked)
    assert not rows.filter(acked_at__isnull=False).exists()
    assert mail.outbox == []

    # when: the broker is back
    deliver_after_return(broker)

    # then: each reminder once, and a later run of the job finds nothing to do
    assert len(mail.outbox) == 2
    assert all(m.subject.startswith("Напоминание: приём у врача") for m in mail.outbox)
    assert not OutboxMessage.objects.filter(acked_at__isnull=True).exists()
    assert appointment_reminders_send() == 0


def test_send_each_writes_one_row_per_call_and_skips_what_still_waits(broker):
    broker.down()
    name = "portal.core.tasks.sessions_clear_expired"

    assert outbox.send_each(name, [(1,), (2,), (2,)]) == 2
    assert outbox.send_each(name, [(1,), (3,)], skip_waiting=True) == 1
    assert outbox.send_each(name, [(1,)]) == 1  # asked for: queued again

    assert sorted(OutboxMessage.objects.values_list("args", flat=True)) == [[1], [1], [2], [3]]


# --- the outbox itself ---------------------------------------------------------------------------


def test_a_write_that_rolls_back_queues_nothing(django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        outbox.send("portal.core.tasks.sessions_clear_expired")
        raise RuntimeError("the write failed")

    assert not OutboxMessage.objects.exists()
    assert callbacks == []


def test_with_eager_celery_the_task_runs_after_commit_and_is_acknowledged(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        row = outbox.send("portal.core.tasks.sessions_clear_expired")

    row.refresh_from_db()
    assert row.sent_at is not None and row.acked_at is not None and row.attempts == 1


def test_a_live_broker_receives_the_message_and_an_unacknowledged_one_is_sent_again(
    broker, settings, django_capture_on_commit_callbacks
):
    import redis

    if not settings.REDIS_URL:
        pytest.skip("needs the Redis of this run (REDIS_URL)")
    broker.down(settings.REDIS_URL)  # a real broker, no worker: nothing acknowledges
    queue = redis.Redis.from_url(settings.REDIS_URL)
    queue.delete("celery")
    try:
        with django_capture_on_commit_callbacks(execute=True):
            row = outbox.send("portal.core.tasks.sessions_clear_expired")
        row.refresh_from_db()
        assert row.sent_at is not None and row.acked_at is None
        assert queue.llen("celery") == 1

        # not acknowledged within the deadline: handed over again by the beat job
        with later(settings.OUTBOX_ACK_DEADLINE_SECONDS // 60 + 1):
            assert outbox.deliver_due() == 1
        row.refresh_from_db()
        assert row.attempts == 2 and row.acked_at is None
        assert queue.llen("celery") == 2
    finally:
        queue.delete("celery")


def test_a_failing_task_is_retried_later_and_given_up_after_the_limit(
    settings, django_capture_on_commit_callbacks
):
    settings.OUTBOX_MAX_ATTEMPTS = 3
    with django_capture_on_commit_callbacks(execute=True):
        row = outbox.send("portal.core.tasks.no_such_task")

    row.refresh_from_db()
    assert row.acked_at is None and row.sent_at is None and row.attempts == 1
    assert "no_such_task" in row.last_error
    first_due = row.due_at
    assert first_due > timezone.now()  # a pause before the next try
    assert outbox.deliver_due() == 0  # not due yet

    for minutes in (2, 10):
        with later(minutes):
            outbox.deliver_due()
    row.refresh_from_db()
    assert row.attempts == 3
    assert row.given_up_at is not None
    assert row.due_at - first_due >= datetime.timedelta(minutes=2)  # the pause grew


def test_backlog_counts_the_unacknowledged_and_the_oldest_age(broker):
    assert outbox.backlog() == (0, 0.0)
    broker.down()
    with time_machine.travel(timezone.now() - datetime.timedelta(minutes=7)):
        outbox.send("portal.core.tasks.sessions_clear_expired")
    outbox.send("portal.core.tasks.sessions_clear_expired")

    count, age = outbox.backlog()

    assert count == 2
    assert 6 * 60 < age < 8 * 60


def test_arguments_go_through_json(django_capture_on_commit_callbacks, broker):
    broker.down()
    with django_capture_on_commit_callbacks(execute=True):
        row = outbox.send("x.tasks.y", 1, Decimal("2.50"), day=datetime.date(2026, 1, 2))
    row.refresh_from_db()
    assert row.args == [1, "2.50"] and row.kwargs == {"day": "2026-01-02"}
