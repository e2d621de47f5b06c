"""Live progress of a running check or apply, kept in the cache.

The check and the apply each run in one database transaction, so counters written to the batch row
while they run would be invisible to the page that polls; the cache is outside the transaction.
"""

from dataclasses import dataclass

from django.core.cache import cache

TTL_SECONDS = 6 * 3600


@dataclass(frozen=True)
class Progress:
    phase: str  # "check" or "apply"
    done: int
    total: int

    @property
    def percent(self) -> int:
        if not self.total:
            return 0
        return min(100, round(100 * self.done / self.total))


def _key(batch_id: int) -> str:
    return f"employers:import:{batch_id}:progress"


def progress_set(batch_id: int, *, phase: str, done: int, total: int) -> None:
    cache.set(_key(batch_id), (phase, done, total), TTL_SECONDS)


def progress_get(batch_id: int) -> Progress | None:
    value = cache.get(_key(batch_id))
    if not value:
        return None
    phase, done, total = value
    return Progress(phase, done, total)


def progress_clear(batch_id: int) -> None:
    cache.delete(_key(batch_id))
