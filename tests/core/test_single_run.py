"""Many instances, one run; nothing stuck: a second beat waits as a standby, a second daily
co-pay run does nothing, an advisory lock held elsewhere skips the run, PDFs left "being
prepared" by a dead worker are queued again, and one visibility timeout covers every queue."""

import datetime

import psycopg
import pytest
from django.db import connection
from django.utils import timezone

from payments import tasks as payment_tasks
from policies.models import PolicyDocument
from policies.services import policy_documents_stuck_requeue
from portal.celery import app as celery_app
from portal.core import locks
from portal.core.models import JobRun, OutboxMessage
from tests.factories import PolicyFactory

pytestmark = pytest.mark.django_db

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="advisory locks are PostgreSQL's"
)


class other_process_holding:  # noqa: N801 — used like a function
    """A second connection (as another instance would have) holding the advisory lock."""

    def __init__(self, name: str) -> None:
        params = connection.get_connection_params()
        params.pop("pool", None)
        self.lock = locks.lock_id(name)
        self.conn = psycopg.connect(**params, autocommit=True)
        self.conn.execute("SELECT pg_advisory_lock(%s)", [self.lock])

    def close(self) -> None:
        self.conn.execute("SELECT pg_advisory_unlock(%s)", [self.lock])
        self.conn.close()


def test_a_period_runs_once():
    first = locks.run_once("job", "2026-12-07")
    assert first is not None
    assert locks.run_once("job", "2026-12-07") is None
    assert locks.run_once("job", "2026-12-08") is not None
    locks.run_finished(first, "done")
    assert JobRun.objects.get(pk=first.pk).finished_at is not None


@postgres_only
def test_an_advisory_lock_held_elsewhere_is_not_granted():
    other = other_process_holding("the-job")
    try:
        with locks.advisory_lock("the-job") as held:
            assert held is False
    finally:
        other.close()
    with locks.advisory_lock("the-job") as held:
        assert held is True


@postgres_only
def test_a_second_beat_waits_as_a_standby_until_the_first_is_gone():
    first = locks.beat_standby()
    assert first is not None
    try:
        assert locks.beat_standby(poll_seconds=0.05, tries=3) is None  # still standing by
    finally:
        first.close()  # the first beat's process ends: its lock goes with its connection
    second = locks.beat_standby(poll_seconds=0.05, tries=3)
    assert second is not None
    second.close()


def chunks_queued() -> list[list]:
    """The daily run's chunks, as it wrote them to the outbox (this test's transaction never
    commits, so they stay there)."""
    return list(
        OutboxMessage.objects.filter(task_name=payment_tasks.copay_charge_persons.name)
        .order_by("pk")
        .values_list("args", flat=True)
    )


def test_a_second_daily_run_of_the_beat_does_nothing(monkeypatch):
    monkeypatch.setattr(
        payment_tasks.services, "enrollments_due", lambda day: FakeDue([11, 12, 13])
    )
    day = timezone.localdate().isoformat()

    assert payment_tasks.copay_daily_charges() == 3
    assert payment_tasks.copay_daily_charges() == 0  # a second beat, the same day

    assert chunks_queued() == [[[11, 12, 13], day]]
    run = JobRun.objects.get(name="payments.copay_daily_charges")
    assert run.key == day and run.finished_at is not None


def test_the_daily_run_queues_every_chunk_through_the_outbox_at_once(monkeypatch):
    monkeypatch.setattr(payment_tasks.daily, "DAILY_BATCH", 2)
    monkeypatch.setattr(
        payment_tasks.services, "enrollments_due", lambda day: FakeDue([1, 2, 3, 4, 5])
    )
    day = timezone.localdate().isoformat()

    assert payment_tasks.copay_daily_charges(day) == 5

    assert chunks_queued() == [[[1, 2], day], [[3, 4], day], [[5], day]]


@postgres_only
def test_a_daily_run_while_another_instance_runs_it_does_nothing(monkeypatch):
    monkeypatch.setattr(payment_tasks.services, "enrollments_due", lambda day: FakeDue([1]))
    day = timezone.localdate().isoformat()
    other = other_process_holding(f"payments.copay_daily_charges:{day}")
    try:
        assert payment_tasks.copay_daily_charges(day) == 0
    finally:
        other.close()
    assert chunks_queued() == []
    assert payment_tasks.copay_daily_charges(day) == 1


class FakeDue(list):
    def order_by(self, *_args):
        return self

    def values_list(self, *_args, **_kwargs):
        return list(self)


def test_pdfs_left_rendering_by_a_dead_worker_are_queued_again(monkeypatch):
    sent = []
    monkeypatch.setattr("policies.services.outbox.send", lambda task, *args: sent.append(args))
    stuck = PolicyDocument.objects.create(policy=PolicyFactory())
    fresh = PolicyDocument.objects.create(policy=PolicyFactory())
    long_ago = timezone.now() - datetime.timedelta(minutes=30)
    PolicyDocument.objects.filter(pk=stuck.pk).update(updated_at=long_ago)

    assert policy_documents_stuck_requeue() == 1
    assert sent == [(stuck.policy_id,)]
    # queued once per period, not on every run
    assert policy_documents_stuck_requeue() == 0
    assert fresh.status == PolicyDocument.Status.PENDING


def test_outbox_rows_not_acknowledged_past_the_deadline_are_due_again(settings):
    from portal.core import outbox

    row = OutboxMessage.objects.create(
        task_name="portal.core.tasks.sessions_clear_expired",
        due_at=timezone.now(),
        sent_at=timezone.now() - datetime.timedelta(hours=2),
        attempts=1,
    )
    assert outbox.requeue_unacknowledged() == 1
    row.refresh_from_db()
    assert row.sent_at is None and row.due_at <= timezone.now()


def test_one_visibility_timeout_for_every_queue_far_above_each_task(settings):
    transport = celery_app.conf.broker_transport_options
    assert transport["visibility_timeout"] == settings.CELERY_VISIBILITY_TIMEOUT
    assert not celery_app.conf.task_routes  # no queue of its own with other options
    # the outbox hands a task over again only after the broker would have redelivered it
    assert settings.OUTBOX_ACK_DEADLINE_SECONDS >= settings.CELERY_VISIBILITY_TIMEOUT
