"""Background work of the policies app: tasks take ids, call a service, and are safe to run
twice (a second run finds the work done)."""

from celery import shared_task
from django.utils import timezone

from . import services


@shared_task
def policy_document_render_task(policy_id: int) -> None:
    """Make a policy's PDF (queued by policy_document_request through the outbox)."""
    services.policy_document_render(policy_id=policy_id)


@shared_task
def child_links_end_at_15() -> int:
    """Daily (CELERY_BEAT_SCHEDULE): a child's policy leaves the parent's cabinet on the
    child's 15th birthday, and the parent is told by e-mail."""
    now = timezone.now()
    ended = 0
    for link_id in services.child_links_due_to_end(today=timezone.localdate(now)):
        ended += services.child_link_end(link_id=link_id, now=now)
    return ended


@shared_task
def child_link_ended_notify(link_id: int) -> None:
    services.child_link_ended_notify(link_id=link_id)


@shared_task
def policy_documents_stuck_requeue() -> int:
    """PDFs left "being prepared" by a worker that died: queued again (see services)."""
    return services.policy_documents_stuck_requeue()


@shared_task
def program_document_render_task(program_id: int) -> None:
    """Make «Программа страхования (PDF)» (queued by program_pdf_request through the outbox)."""
    from .program_documents import program_pdf_render

    program_pdf_render(program_id=program_id)
