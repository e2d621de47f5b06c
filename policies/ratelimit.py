"""Attempt counters in the cache (Redis in production and CI), against guessing policy numbers
and activation codes (ASVS V2.4.1, V6.3.1).

A sliding window approximated by two fixed ones (the current window's count plus the previous
window's, weighted by how much of it is still within the last `window_seconds`): no burst of
twice the limit across a window's edge, two cache keys per subject, and the windows follow the
clock, so that tests can travel in time whatever the cache backend. Refused attempts count too.
Keys carry a keyed hash of the subject, never a policy number or a user id in clear.
"""

import time
from dataclasses import dataclass

from django.core.cache import cache

from portal.core.fields import blind_index


@dataclass(frozen=True)
class Limit:
    scope: str
    attempts: int
    window_seconds: int

    def key(self, subject: str, window: int) -> str:
        return f"ratelimit:{self.scope}:{blind_index(f'{self.scope}:{subject}')[:32]}:{window}"


# «Добавить полис» and «Добавить полис ребёнка» share one counter per person.
POLICY_SEARCH = Limit("policy-search", attempts=10, window_seconds=3600)
ACTIVATION_PER_USER = Limit("activation-user", attempts=10, window_seconds=3600)
ACTIVATION_PER_NUMBER = Limit("activation-number", attempts=5, window_seconds=3600)


def _windows(limit: Limit) -> tuple[int, float]:
    now = time.time()
    return int(now // limit.window_seconds), (now % limit.window_seconds) / limit.window_seconds


def _weighted(limit: Limit, subject: str, current: int, window: int, elapsed: float) -> float:
    previous = cache.get(limit.key(subject, window - 1)) or 0
    return previous * (1 - elapsed) + current


def attempt_take(limit: Limit, subject: str) -> bool:
    """Count one attempt; False when it is over the limit (the attempt must then not be made)."""
    window, elapsed = _windows(limit)
    key = limit.key(subject, window)
    cache.add(key, 0, timeout=2 * limit.window_seconds)
    try:
        current = cache.incr(key)
    except ValueError:  # evicted between add() and incr()
        cache.set(key, 1, timeout=2 * limit.window_seconds)
        current = 1
    return _weighted(limit, subject, current, window, elapsed) <= limit.attempts


def attempts_left(limit: Limit, subject: str) -> int:
    window, elapsed = _windows(limit)
    current = cache.get(limit.key(subject, window)) or 0
    return max(0, int(limit.attempts - _weighted(limit, subject, current, window, elapsed)))
