"""Fixed-window counters in the cache (Redis in CI and production) for what allauth does not
limit itself: SMS sends and PIN tries.

A rate is written like allauth's: "5/15m" is five hits per fifteen minutes ("s", "m", "h", "d").
"""

import re
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache

_RATE_RE = re.compile(r"^(\d+)/(\d*)([smhd])$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


@dataclass(frozen=True)
class Rate:
    limit: int
    seconds: int

    @classmethod
    def parse(cls, text: str) -> "Rate":
        match = _RATE_RE.match(text.strip())
        if not match:
            raise ValueError(f"Bad rate {text!r}: expected like '5/15m'")
        count, amount, unit = match.groups()
        return cls(int(count), int(amount or 1) * _UNIT_SECONDS[unit])


def _rate(action: str) -> Rate:
    return Rate.parse(settings.PORTAL_RATE_LIMITS[action])


def _cache_key(action: str, key: str) -> str:
    return f"portal-rl:{action}:{key}"


def rate_limit_hit(action: str, key: str) -> bool:
    """Count one hit; False when the limit of the window is already reached (the hit is not
    counted then, so a blocked caller does not extend its own block)."""
    rate = _rate(action)
    cache_key = _cache_key(action, key)
    if cache.add(cache_key, 1, timeout=rate.seconds):
        return True
    try:
        count = cache.incr(cache_key)
    except ValueError:  # expired between add() and incr()
        cache.add(cache_key, 1, timeout=rate.seconds)
        return True
    if count > rate.limit:
        cache.decr(cache_key)
        return False
    return True


def rate_limit_count(action: str, key: str) -> int:
    return int(cache.get(_cache_key(action, key)) or 0)


def rate_limit_exhausted(action: str, key: str) -> bool:
    return rate_limit_count(action, key) >= _rate(action).limit


def rate_limit_remaining(action: str, key: str) -> int:
    return max(_rate(action).limit - rate_limit_count(action, key), 0)


def rate_limit_clear(action: str, key: str) -> None:
    cache.delete(_cache_key(action, key))


def rate_limit_minutes(action: str) -> int:
    return max(_rate(action).seconds // 60, 1)
