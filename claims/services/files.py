"""Storing a claim's checked files: all of them with their rows, or none."""

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from django.core.files.storage import default_storage

from portal.accounts.models import User
from portal.core.uploads import CheckedFile

from ..models import Claim, ClaimDocument


@contextmanager
def files_removed_on_failure() -> Iterator[list[str]]:
    """Names written to the storage inside the block are deleted again if the block fails, so
    a failed upload leaves no orphan file (the database rows are rolled back by the caller's
    transaction, which must sit inside this block)."""
    written: list[str] = []
    try:
        yield written
    except BaseException:
        for name in written:
            default_storage.delete(name)
        raise


def documents_store(
    *,
    claim: Claim,
    files: Sequence[tuple[str, CheckedFile]],
    user: User | None,
    written: list[str],
) -> list[ClaimDocument]:
    """Write each (document kind, checked file) under a server-made name and save its row."""
    documents = []
    for kind, checked in files:
        document = ClaimDocument(
            claim=claim,
            kind=kind,
            original_name=checked.original_name,
            content_type=checked.kind.content_type,
            size=checked.size,
            uploaded_by=user,
        )
        document.file.save(checked.server_name(), checked.file, save=False)
        written.append(document.file.name)
        document.full_clean()
        document.save()
        documents.append(document)
    return documents
