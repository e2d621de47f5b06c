"""The broker made unreachable for real, for the tests of "saved while Redis is down".

Celery stops running tasks in-process and publishes to a Redis on a closed loopback port: the
write's hand-over after commit fails as it does in production, and its outbox row waits. "The
broker returns" is Celery running tasks in-process again (the test settings' eager mode), so the
beat job's delivery runs each waiting task and a delivered e-mail shows in the test outbox.
The `broker` fixture (tests/conftest.py) restores Celery after each test.
"""

import datetime

import time_machine
from django.utils import timezone
from kombu import pools

from portal.celery import app as celery_app
from portal.core import outbox
from portal.core.models import OutboxMessage

CLOSED_REDIS = "redis://127.0.0.1:1/0"


class Broker:
    """Points Celery at a broker (or back at running tasks in-process) for one test."""

    def __init__(self, settings) -> None:
        self.settings = settings
        self.saved = {key: celery_app.conf[key] for key in ("task_always_eager", "broker_url")}

    @staticmethod
    def _fresh_pools() -> None:
        # the connection and producer pools are made on first use from broker_url: start anew
        pools.reset()  # kombu's registry of producer pools, keyed by connection
        celery_app._pool = None
        celery_app.amqp._producer_pool = None

    def down(self, url: str = CLOSED_REDIS) -> None:
        self._fresh_pools()
        outbox.broker_failure_forget()
        celery_app.conf["task_always_eager"] = False
        celery_app.conf["broker_url"] = url
        self.settings.CELERY_TASK_ALWAYS_EAGER = False

    def back(self) -> None:
        self._fresh_pools()
        celery_app.conf["task_always_eager"] = True
        self.settings.CELERY_TASK_ALWAYS_EAGER = True

    def restore(self) -> None:
        self._fresh_pools()
        outbox.broker_failure_forget()
        for key, value in self.saved.items():
            celery_app.conf[key] = value


def later(minutes: int = 2):
    return time_machine.travel(timezone.now() + datetime.timedelta(minutes=minutes), tick=True)


def assert_waiting(task_suffix: str) -> OutboxMessage:
    """The one row of the task waits: handed over once, refused, not yet run."""
    row = OutboxMessage.objects.get(task_name__endswith=task_suffix)
    assert row.acked_at is None and row.sent_at is None
    assert row.attempts == 1
    assert row.last_error  # why it waits
    return row


def deliver_after_return(broker) -> None:
    """The broker is back and the beat job runs (a little later: the rows' pause is over)."""
    from portal.core.tasks import outbox_deliver

    broker.back()
    with later():
        outbox_deliver.delay()
