"""Celery tasks of claims: they take ids and call a service; each is safe to run twice."""

import datetime

from celery import shared_task
from django.utils import timezone

from portal.core import outbox

from .selectors import claim_events_unnotified
from .services.notifications import claim_event_email_send

# The resend sweep looks at events of the last day that are older than a few minutes (the
# normal path, queued on commit, has had its chance by then).
RESEND_AFTER = datetime.timedelta(minutes=10)
RESEND_WINDOW = datetime.timedelta(days=1)


@shared_task
def claim_event_notify(event_id: int) -> bool:
    """The e-mail about one step of a payout case (queued by claim_set_status on commit)."""
    return claim_event_email_send(event_id=event_id)


@shared_task
def claim_notifications_resend() -> int:
    """Periodic: queue again the e-mails of recent steps that did not go out."""
    now = timezone.now()
    pending = claim_events_unnotified(since=now - RESEND_WINDOW, until=now - RESEND_AFTER)
    return outbox.send_each(claim_event_notify, [(pk,) for pk in pending], skip_waiting=True)


@shared_task
def service_line_partitions_ahead() -> int:
    """Daily: the monthly partitions of the service lines for the coming year (partitions.py)."""
    from . import partitions

    return len(partitions.partitions_ahead_ensure(today=timezone.localdate()))


@shared_task
def register_job_run_task(job_id: str) -> str:
    """Load a clinic register uploaded in the admin (claims.register_jobs)."""
    from .register_jobs import register_job_run

    job = register_job_run(job_id)
    return job.status if job else "gone"
