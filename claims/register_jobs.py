"""A clinic register uploaded in the admin is loaded by a Celery worker, not in the web request
(100,000 lines take seconds): the file waits in the private storage, the worker reports its
progress and the outcome in the cache, and the admin page polls them (like the HR import's).

The load itself is `registers.register_import`, one transaction: its progress could not be read
from the database while it runs, hence the cache.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import asdict, dataclass, field

from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from portal.core import outbox

from .registers import RegisterFileError, register_import

logger = logging.getLogger(__name__)

TTL_SECONDS = 6 * 3600
FOLDER = "registers/uploads"
PROGRESS_EVERY = 1000  # rows between two progress reports
SHOWN_ERRORS = 500  # the page lists at most this many wrong rows


@dataclass
class RegisterJob:
    id: str
    filename: str
    status: str = "queued"  # queued → running → done | failed
    done: int = 0
    total: int = 0
    created: int = 0
    already_loaded: int = 0
    icd10_flagged: int = 0
    errors: list[dict] = field(default_factory=list)
    errors_total: int = 0
    message: str = ""

    @property
    def finished(self) -> bool:
        return self.status in ("done", "failed")

    @property
    def ok(self) -> bool:
        return self.status == "done" and not self.errors_total

    @property
    def percent(self) -> int:
        if self.status == "done":
            return 100
        return min(99, round(100 * self.done / self.total)) if self.total else 0


def _key(job_id: str) -> str:
    return f"claims:register-job:{job_id}"


def _save(job: RegisterJob) -> None:
    cache.set(_key(job.id), asdict(job), TTL_SECONDS)


def register_job_get(job_id: str) -> RegisterJob | None:
    value = cache.get(_key(job_id))
    return RegisterJob(**value) if value else None


def _path(job: RegisterJob) -> str:
    extension = ".xlsx" if job.filename.lower().endswith(".xlsx") else ".csv"
    return f"{FOLDER}/{job.id}{extension}"


def register_job_start(*, content: bytes, filename: str) -> RegisterJob:
    """Keep the file and queue its load; the returned job is what the page polls."""
    job = RegisterJob(id=uuid.uuid4().hex, filename=filename[:200])
    default_storage.save(_path(job), ContentFile(content))
    _save(job)
    from .tasks import register_job_run_task

    # the outbox row survives a broker that is down: the beat job hands it over later
    outbox.send(register_job_run_task, job.id)
    return job


def register_job_run(job_id: str) -> RegisterJob | None:
    """Load the job's file (the worker's part). Safe to run twice: a finished job is left."""
    job = register_job_get(job_id)
    if job is None or job.finished:
        return job
    path = _path(job)
    job.status = "running"
    _save(job)

    def progress(done: int, total: int) -> None:
        job.done, job.total = done, total
        _save(job)

    try:
        with default_storage.open(path, "rb") as stored:
            content = stored.read()
        result = register_import(content=content, filename=job.filename, progress=progress)
    except RegisterFileError as error:
        job.status, job.message = "failed", str(error)
    except OSError:
        logger.exception("register job %s: the file is gone", job_id)
        job.status, job.message = "failed", "Файл реестра не найден: загрузите его снова."
    else:
        job.status = "done"
        job.done = job.total = result.rows
        job.created, job.already_loaded = result.created, result.already_loaded
        job.icd10_flagged = result.icd10_flagged
        job.errors_total = len(result.errors)
        job.errors = [{"row": e.row, "reason": str(e.reason)} for e in result.errors][:SHOWN_ERRORS]
    _save(job)
    default_storage.delete(path)
    return job
