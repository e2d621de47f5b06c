"""The transactional outbox: every task queued by a write goes through here.

`send(task, *args, **kwargs)` writes an OutboxMessage row in the caller's transaction, so the
task exists exactly when the write does (a rolled-back write queues nothing); `send_each(task,
calls)` writes one row per call with one INSERT (a beat job's fan-out: one task per person).
After commit the rows are handed to the broker at once; when that fails (Redis down or hanging:
the broker's timeouts are a second or so) they stay pending and the request answers as if nothing
happened. The beat job `portal.core.tasks.outbox_deliver` hands over what is due every minute,
with a growing pause after each failure, and hands over again what was handed over but never
acknowledged (a worker killed mid-task, a broker restarted empty).

A row is acknowledged when its task has run through (Celery's task_success signal, matched by the
task id "outbox-<row>-<attempt>"); a task that fails is tried again later, OUTBOX_MAX_ATTEMPTS
times in all. Tasks must therefore be safe to run twice, as with any broker that redelivers.
"""

import datetime
import importlib
import json
import logging
import time
from collections.abc import Iterable, Sequence
from typing import Any

from celery import signals
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import F, Min
from django.utils import timezone

from portal.celery import app as celery_app

from .models import OutboxMessage

logger = logging.getLogger(__name__)

TASK_ID_PREFIX = "outbox-"
BATCH = 500


def _setting(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def _name(task: Any) -> str:
    return task if isinstance(task, str) else task.name


def send(task: Any, /, *args: Any, **kwargs: Any) -> OutboxMessage:
    """Queue `task` (a Celery task or its name) with JSON-able arguments, in the current
    transaction; it is handed to the broker after commit, or by the beat job later."""
    row = OutboxMessage.objects.create(
        task_name=_name(task), args=list(args), kwargs=kwargs, due_at=timezone.now()
    )
    pk = row.pk
    transaction.on_commit(lambda: _deliver_after_commit(pk), robust=True)
    return row


def _as_stored(args: Sequence[Any]) -> str:
    """The arguments as the row's JSON keeps them (a Decimal or a date as a string), for
    comparing a new call with a waiting one."""
    return json.dumps(json.loads(json.dumps(list(args), cls=DjangoJSONEncoder)))


def send_each(task: Any, calls: Iterable[Sequence[Any]], /, *, skip_waiting: bool = False) -> int:
    """Queue `task` once per argument list of `calls`, all in one transaction (one INSERT): the
    fan-out of a beat job or of a chunk's settlement. Nothing touches the broker before the
    commit, so a broker failing halfway loses none of them and sends none twice.

    `skip_waiting`: an argument list whose task still waits in the outbox (not yet run: the
    broker is down, or the worker has not got to it) is not queued again, so a periodic job that
    runs again meanwhile adds nothing. The same list twice in `calls` is queued once. Returns
    how many were queued."""
    name = _name(task)
    with transaction.atomic():
        waiting: set[str] = set()
        if skip_waiting:
            waiting = {
                _as_stored(args)
                for args in _pending().filter(task_name=name).values_list("args", flat=True)
            }
        now = timezone.now()
        rows: dict[str, OutboxMessage] = {}
        for args in calls:
            key = _as_stored(args)
            if key not in waiting and key not in rows:
                rows[key] = OutboxMessage(task_name=name, args=list(args), kwargs={}, due_at=now)
        created = OutboxMessage.objects.bulk_create(rows.values())
        pks = [row.pk for row in created]
        if pks:
            transaction.on_commit(lambda: _deliver_all_after_commit(pks), robust=True)
    return len(pks)


# After a failed hand-over, requests leave their rows to the beat job for this long instead of
# each waiting out the broker's timeouts again (per process).
SKIP_AFTER_FAILURE_SECONDS = 10.0
_broker_failed_at: float | None = None


def _deliver_after_commit(pk: int) -> None:
    if (
        _broker_failed_at is not None
        and not celery_app.conf.task_always_eager
        and time.monotonic() - _broker_failed_at < SKIP_AFTER_FAILURE_SECONDS
    ):
        return  # the broker failed a moment ago: the beat job delivers this row
    deliver(pk)


def _deliver_all_after_commit(pks: list[int]) -> None:
    for pk in pks:
        _deliver_after_commit(pk)


def broker_failure_forget() -> None:
    global _broker_failed_at
    _broker_failed_at = None


def _task(name: str):
    task = celery_app.tasks.get(name)
    if task is None:
        # shared tasks register when their module is imported: "app.tasks.function"
        importlib.import_module(name.rsplit(".", 1)[0])
        task = celery_app.tasks[name]
    return task


def _backoff(attempts: int) -> datetime.timedelta:
    """1, 2, 4 … minutes after each failure, at most an hour."""
    return datetime.timedelta(seconds=min(60 * 2 ** max(attempts - 1, 0), 3600))


def _pending():
    return OutboxMessage.objects.filter(acked_at__isnull=True, given_up_at__isnull=True)


def deliver(pk: int) -> bool:
    """Hand one pending row to the broker (or, with eager Celery, run it); False when it was not
    pending (delivered by someone else) or the hand-over failed (then it waits for its retry)."""
    now = timezone.now()
    claimed = (
        _pending()
        .filter(pk=pk, sent_at__isnull=True)
        .update(sent_at=now, attempts=F("attempts") + 1)
    )
    if not claimed:
        return False
    row = OutboxMessage.objects.get(pk=pk)
    try:
        _task(row.task_name).apply_async(
            args=row.args, kwargs=row.kwargs, task_id=f"{TASK_ID_PREFIX}{pk}-{row.attempts}"
        )
    except Exception as exc:  # noqa: BLE001 — the broker down, or (eager) the task failing
        global _broker_failed_at
        if not celery_app.conf.task_always_eager:
            _broker_failed_at = time.monotonic()
        failed(pk, exc)
        return False
    _broker_failed_at = None
    return True


def failed(pk: int, exc: BaseException) -> None:
    """The hand-over or the task failed: pending again, due after a pause, or given up."""
    row = OutboxMessage.objects.filter(pk=pk).first()
    if row is None or row.acked_at is not None:
        return
    now = timezone.now()
    error = f"{type(exc).__name__}: {exc}"[:2000]
    values: dict[str, Any] = {
        "sent_at": None,
        "last_error": error,
        "due_at": now + _backoff(row.attempts),
    }
    if row.attempts >= _setting("OUTBOX_MAX_ATTEMPTS", 12):
        values["given_up_at"] = now
        logger.error("outbox: %s #%s given up after %s attempts", row.task_name, pk, row.attempts)
    else:
        logger.warning(
            "outbox: %s #%s not delivered (%s), next try at %s",
            row.task_name,
            pk,
            type(exc).__name__,
            values["due_at"].isoformat(),
        )
    OutboxMessage.objects.filter(pk=pk, acked_at__isnull=True).update(**values)


def requeue_unacknowledged() -> int:
    """Rows handed over but not acknowledged within the deadline (a killed worker, a broker that
    restarted empty) are due again now."""
    deadline = timezone.now() - datetime.timedelta(
        seconds=_setting("OUTBOX_ACK_DEADLINE_SECONDS", 30 * 60)
    )
    return (
        _pending()
        .filter(sent_at__lt=deadline)
        .update(sent_at=None, due_at=timezone.now(), last_error="не подтверждено вовремя")
    )


def deliver_due(limit: int = BATCH) -> int:
    """The beat job: re-queue the unacknowledged, then hand over what is due (oldest first);
    stops after three failures in a row (the broker is down: the next run tries again)."""
    requeue_unacknowledged()
    due = list(
        _pending()
        .filter(sent_at__isnull=True, due_at__lte=timezone.now())
        .order_by("due_at")
        .values_list("pk", flat=True)[:limit]
    )
    delivered = failures = 0
    for pk in due:
        if deliver(pk):
            delivered += 1
            failures = 0
        else:
            failures += 1
            if failures >= 3:
                break
    return delivered


def backlog() -> tuple[int, float]:
    """(rows not yet acknowledged, the oldest one's age in seconds) for metrics and alerts."""
    stats = _pending().aggregate(oldest=Min("created_at"))
    count = _pending().count()
    oldest = stats["oldest"]
    age = (timezone.now() - oldest).total_seconds() if oldest else 0.0
    return count, max(age, 0.0)


def purge_acknowledged() -> int:
    """Forget rows acknowledged more than OUTBOX_KEEP_DAYS ago."""
    cutoff = timezone.now() - datetime.timedelta(days=_setting("OUTBOX_KEEP_DAYS", 7))
    deleted, _ = OutboxMessage.objects.filter(acked_at__lt=cutoff).delete()
    return deleted


def _outbox_pk(task_id: str | None) -> int | None:
    if not task_id or not task_id.startswith(TASK_ID_PREFIX):
        return None
    try:
        return int(task_id[len(TASK_ID_PREFIX) :].split("-", 1)[0])
    except ValueError:
        return None


@signals.task_success.connect
def _acknowledge(sender=None, **kwargs) -> None:
    pk = _outbox_pk(getattr(getattr(sender, "request", None), "id", None))
    if pk is not None:
        OutboxMessage.objects.filter(pk=pk, acked_at__isnull=True).update(
            acked_at=timezone.now(), last_error=""
        )


@signals.task_failure.connect
def _task_failed(sender=None, task_id=None, exception=None, **kwargs) -> None:
    pk = _outbox_pk(task_id)
    if pk is not None and exception is not None:
        failed(pk, exception)
