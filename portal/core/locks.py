"""Many instances, one run: what must happen once is guarded by the database.

- `run_once(name, key)`: a JobRun row per job and period (the daily co-pay run of a day); a second
  run of the same period, from a second beat or a repeated trigger, finds the row and does nothing.
- `advisory_lock(name)`: PostgreSQL's advisory lock for the length of a block (nothing to do when
  another process holds it); on SQLite (one process in development) always granted.
- `beat_standby`: a second `celery beat` waits, holding no schedule, until the first one's lock
  (kept on its own connection for the life of the process) is released.
"""

import hashlib
import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager

from celery import signals
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from .models import JobRun

logger = logging.getLogger(__name__)

BEAT_LOCK = "celery-beat"
BEAT_STANDBY_POLL_SECONDS = 15


def lock_id(name: str) -> int:
    """A stable signed 64-bit number for the name (advisory locks take a bigint)."""
    return int.from_bytes(
        hashlib.blake2b(name.encode(), digest_size=8).digest(), "big", signed=True
    )


@contextmanager
def advisory_lock(name: str) -> Iterator[bool]:
    """True inside when this process holds the lock, False when another one does."""
    if connection.vendor != "postgresql":
        yield True
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [lock_id(name)])
        held = cursor.fetchone()[0]
    try:
        yield held
    finally:
        if held:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [lock_id(name)])


def run_once(name: str, key: str) -> JobRun | None:
    """The period's run row, new; None when this period already has one (started elsewhere)."""
    try:
        with transaction.atomic():
            return JobRun.objects.create(name=name, key=key)
    except IntegrityError:
        logger.info("%s %s: already run, nothing to do", name, key)
        return None


def run_finished(run: JobRun, result: str = "") -> None:
    JobRun.objects.filter(pk=run.pk).update(finished_at=timezone.now(), result=result[:255])


def _own_connection():
    """A connection outside Django's pool, held for the life of the beat process."""
    import psycopg

    params = connection.get_connection_params()
    params.pop("pool", None)
    return psycopg.connect(**params, autocommit=True)


def beat_standby(*, poll_seconds: float = BEAT_STANDBY_POLL_SECONDS, tries: int | None = None):
    """Block until this process holds the beat lock (a connection kept open, so that the lock
    lasts as long as the process); returns that connection, or None on SQLite."""
    if connection.vendor != "postgresql":
        return None
    own = _own_connection()
    attempt = 0
    while True:
        if own.execute("SELECT pg_try_advisory_lock(%s)", [lock_id(BEAT_LOCK)]).fetchone()[0]:
            return own
        attempt += 1
        if attempt == 1:
            logger.warning("beat: another beat runs the schedule; waiting as a standby")
        if tries is not None and attempt >= tries:
            own.close()
            return None
        time.sleep(poll_seconds)


_beat_connection = None


@signals.beat_init.connect
def _beat_takes_the_lock(sender=None, **kwargs) -> None:
    global _beat_connection
    _beat_connection = beat_standby()
