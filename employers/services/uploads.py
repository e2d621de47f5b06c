"""Receiving an employee list: checked as a file before anything is stored, stored in private
storage under a name the server makes, and queued for the row check."""

import datetime
import hashlib

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from policies.models import Contract
from portal.accounts.models import User
from portal.core import outbox

from ..models import ImportBatch, ImportRow
from .reading import ListFileError, sniff

HASH_CHUNK = 1024 * 1024


def _sha256(uploaded: UploadedFile) -> str:
    digest = hashlib.sha256()
    uploaded.seek(0)
    for chunk in uploaded.chunks(HASH_CHUNK):
        digest.update(chunk)
    uploaded.seek(0)
    return digest.hexdigest()


def import_batch_upload(
    *,
    contract: Contract,
    user: User,
    uploaded: UploadedFile,
    effective_date: datetime.date,
) -> ImportBatch:
    """Store an uploaded list and queue its check; a file that is not a readable CSV or XLSX list
    within the limits is refused with a ValidationError and nothing is stored."""
    from ..tasks import import_batch_check_task

    if not contract.starts_on <= effective_date <= contract.ends_on:
        raise ValidationError(
            _("Дата вступления в силу должна быть в пределах срока договора (%(start)s — %(end)s).")
            % {
                "start": contract.starts_on.strftime("%d.%m.%Y"),
                "end": contract.ends_on.strftime("%d.%m.%Y"),
            }
        )
    try:
        sniffed = sniff(uploaded.file, size=uploaded.size)
    except ListFileError as exc:
        raise ValidationError(str(exc)) from exc
    batch = ImportBatch(
        contract=contract,
        uploaded_by=user,
        original_name=(uploaded.name or "")[-255:],
        file_format=sniffed.file_format,
        file_size=uploaded.size,
        sha256=_sha256(uploaded),
        encoding=sniffed.encoding,
        delimiter=sniffed.delimiter,
        effective_date=effective_date,
    )
    with transaction.atomic():
        batch.file.save("list", uploaded, save=False)
        batch.save()
        outbox.send(import_batch_check_task, batch.pk)
    return batch


def import_batches_purge(*, before: datetime.datetime) -> int:
    """Delete the stored files and staged rows of batches made before `before`; the batches stay
    as the history (who uploaded what, when, with which counters)."""
    purged = 0
    old = ImportBatch.objects.filter(created_at__lt=before).exclude(
        status__in=[ImportBatch.Status.UPLOADED, ImportBatch.Status.APPLYING]
    )
    for batch in old.exclude(file="").iterator():
        with transaction.atomic():
            ImportRow.objects.filter(batch=batch).delete()
            batch.file.delete(save=False)
            batch.save(update_fields=["file", "updated_at"])
        purged += 1
    return purged
