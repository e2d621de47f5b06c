from celery import shared_task
from django.core.management import call_command


@shared_task
def sessions_clear_expired() -> None:
    """Remove expired sessions (safe to run twice)."""
    call_command("clearsessions")


@shared_task
def outbox_deliver() -> int:
    """Hand the outbox's due rows to the broker (portal.core.outbox); safe to run twice."""
    from . import outbox

    return outbox.deliver_due()


@shared_task
def outbox_purge() -> int:
    from . import outbox

    return outbox.purge_acknowledged()
