"""Celery tasks of the employee-list import: each takes an id, calls a service, and is safe to run
twice (the services lock the batch and look at its status first)."""

import datetime

from celery import shared_task
from django.utils import timezone

from .services.applying import import_batch_apply, import_batch_fail
from .services.checking import import_batch_check
from .services.invitations import invitations_send
from .services.uploads import import_batches_purge

# A 100,000-row list takes seconds to check or apply (bench.hr_import); the limit only stops a
# runaway.
IMPORT_TIME_LIMIT = 30 * 60


@shared_task(time_limit=IMPORT_TIME_LIMIT)
def import_batch_check_task(batch_id: int) -> str:
    return import_batch_check(batch_id=batch_id).status


@shared_task(time_limit=IMPORT_TIME_LIMIT)
def import_batch_apply_task(batch_id: int) -> str:
    try:
        return import_batch_apply(batch_id=batch_id).status
    except Exception:
        # The transaction is rolled back already; say so on the batch, then let Celery see it.
        import_batch_fail(batch_id=batch_id, reason="внутренняя ошибка при записи")
        raise


@shared_task(time_limit=IMPORT_TIME_LIMIT)
def invitations_send_task(batch_id: int | None = None) -> int:
    return invitations_send(batch_id=batch_id)


@shared_task
def import_batches_purge_task(days: int = 90) -> int:
    """The uploaded files and staged rows of old batches are personal data kept no longer than
    needed; the batch rows (who, when, counters) stay as the history."""
    before = timezone.now() - datetime.timedelta(days=days)
    return import_batches_purge(before=before)
