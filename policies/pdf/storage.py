"""Stored PDFs made from data (PolicyDocument, ProgramDocument): a row says whether its file shows
the data's current hash; a request queues the making once (`queue` sends the Celery task through
portal.core.outbox, in the request's transaction: it survives the broker being down; a pending row
is queued again after a while); the task stores the file under a name of the hash and drops the
old file."""

import datetime
import logging
from collections.abc import Callable

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from portal.core.metrics import PDF_RENDER_SECONDS, PDF_RENDERS

logger = logging.getLogger(__name__)

# A render queued longer ago than this is queued again (the worker may have lost it).
PENDING_RETRY_AFTER = datetime.timedelta(minutes=5)


def is_served(document, digest: str) -> bool:
    """The stored file shows the data of this hash."""
    return document.is_current(digest) and _file_present(document)


def _file_present(document) -> bool:
    return bool(document.file.name) and default_storage.exists(document.file.name)


def _lost_again(document, digest: str) -> bool:
    """A row whose file shows this hash but is missing from the storage: made again once (the
    row remembers the hash in lost_hash); missing again, it is marked failed instead of being
    queued on every poll of the waiting page — the storage must be shared by every instance."""
    if not hasattr(document, "lost_hash"):
        return False
    if document.lost_hash == digest:
        document.status = document.Status.FAILED
        document.save(update_fields=["status", "updated_at"])
        logger.error(
            "PDF %s %s: the stored file %s is missing again after it was made again; "
            "is the file storage shared by every web and worker instance?",
            type(document).__name__,
            document.pk,
            document.file.name,
        )
        return True
    logger.warning(
        "PDF %s %s: the stored file %s is missing; making it again once",
        type(document).__name__,
        document.pk,
        document.file.name,
    )
    document.lost_hash = digest
    document.save(update_fields=["lost_hash", "updated_at"])
    return False


def queue_once(document, digest: str, *, created: bool, queue: Callable[[], None]):
    """Queue the making of a locked row's file unless it is served or was queued lately (`queue`
    runs in the caller's transaction: an outbox.send)."""
    if document.is_current(digest):
        if _file_present(document):
            return document
        if _lost_again(document, digest):
            return document
    lost_once = getattr(document, "lost_hash", None) == digest
    recently_queued = (
        not created
        and (
            document.status == document.Status.PENDING
            or (document.status == document.Status.FAILED and lost_once)
        )
        and document.requested_hash == digest
        and document.updated_at > timezone.now() - PENDING_RETRY_AFTER
    )
    if recently_queued:
        return document
    document.status = document.Status.PENDING
    document.requested_hash = digest
    document.save(update_fields=["status", "requested_hash", "updated_at"])
    queue()
    return document


def mark_failed(document, digest: str) -> None:
    PDF_RENDERS.labels("failed").inc()
    type(document).objects.filter(pk=document.pk, requested_hash=digest).update(
        status=document.Status.FAILED, updated_at=timezone.now()
    )


def store(document, digest: str, pdf: bytes, *, path: Callable, **fields):
    """Save the made file as the row's (under its data's hash) and mark it ready."""
    PDF_RENDERS.labels("ok").inc()
    if "render_ms" in fields:
        PDF_RENDER_SECONDS.observe(fields["render_ms"] / 1000)
    model = type(document)
    with transaction.atomic():
        document = model.objects.select_for_update().get(pk=document.pk)
        old_name = document.file.name
        document.data_hash = digest
        name = path(document, "document.pdf")
        if default_storage.exists(name):
            default_storage.delete(name)  # the same data rendered again: same name, fresh file
        document.file.name = default_storage.save(name, ContentFile(pdf))
        document.status = model.Status.READY
        document.requested_hash = digest
        document.generated_at = timezone.now()
        document.size = len(pdf)
        for field, value in fields.items():
            setattr(document, field, value)
        document.full_clean()
        document.save()
        if old_name and old_name != document.file.name:
            transaction.on_commit(lambda: default_storage.delete(old_name), robust=True)
    return document
