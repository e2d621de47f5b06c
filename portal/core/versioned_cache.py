"""Values cached under a key that names their version (`clinics.geojson.network_version` and the
like), kept in the process too.

Such a key never holds two different values: a change of the data makes a new key. So a process
may keep what it read from the shared cache and skip the shared cache (a round trip, the unpickling
of a large string) the next time. The process keeps a few of the last keys it used, each no longer
than the shared cache keeps it, and forgets them all on `forget_all` (the data changed here).
"""

import time
from collections import OrderedDict
from collections.abc import Callable
from typing import TypeVar

from django.core.cache import cache

T = TypeVar("T")

KEPT = 16
_kept: "OrderedDict[str, tuple[float, object]]" = OrderedDict()


def versioned_get(key: str, build: Callable[[], T], seconds: int) -> T:
    """The value of `key`: from this process, else from the shared cache, else built (and
    stored in both)."""
    now = time.monotonic()
    kept = _kept.get(key)
    if kept is not None and kept[0] > now:
        _kept.move_to_end(key)
        return kept[1]  # type: ignore[return-value]
    value = cache.get(key)
    if value is None:
        value = build()
        cache.set(key, value, seconds)
    _kept[key] = (now + seconds, value)
    while len(_kept) > KEPT:
        _kept.popitem(last=False)
    return value


def forget_all() -> None:
    """Drop what this process keeps (other processes see the change by the new version)."""
    _kept.clear()
