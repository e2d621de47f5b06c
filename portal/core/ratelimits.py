"""The portal's own rate limits, counted by allauth's rate limiter: the one that already limits
logins, signups and password resets (ACCOUNT_RATE_LIMITS), so one mechanism, one notation and
one client address serve the whole portal (ASVS V2.4.1, V6.3.1).

PORTAL_RATE_LIMITS gives each action its rate in allauth's notation without the last part:
"5/15m" is five hits in any fifteen minutes ("s", "m", "h", "d"; several comma-separated). What
is counted is the caller's: a subject (key=: a phone, a user id, a policy number), or the client
address of a request (request=: portal.core.client_ip, through the account adapter, with IPv6
addresses grouped by allauth's prefix). A refused hit is not counted.

allauth keeps, per action and subject, the times of the hits in the cache (Redis in production
and CI, local memory in tests) and forgets those older than the window: the window slides with
the clock, so tests can travel in time whatever the backend. A subject reaches the cache only as
a keyed hash (never a phone, a user id or a policy number in clear). allauth's module is an
internal one: this file is its only user, and tests/core/test_ratelimits.py pins what we rely on.
"""

import time

from allauth.core.internal import ratelimit as allauth_ratelimit
from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

from .fields import blind_index

APP = "portal"


def _rates(action: str) -> str:
    return settings.PORTAL_RATE_LIMITS[action]


def _config(action: str, per: str) -> dict[str, str]:
    """allauth's config of one action, counted per "key" or per "ip"."""
    parts = ("/".join(part.strip().split("/")[:2]) for part in _rates(action).split(","))
    return {action: ",".join(f"{part}/{per}" for part in parts if part)}


def _subject(action: str, key: str | None, request: HttpRequest | None) -> dict:
    if (key is None) == (request is None):
        raise TypeError("rate limit: give either key= or request=")
    if key is not None:
        return {"request": None, "config": _config(action, "key"), "key": blind_index(key)}
    return {"request": request, "config": _config(action, "ip")}


def rate_limit_hit(
    action: str, *, key: str | None = None, request: HttpRequest | None = None
) -> bool:
    """Count one hit; False when the limit is already reached (the hit is not counted then, so a
    blocked caller does not prolong its own block)."""
    usage = allauth_ratelimit.consume(
        app=APP, action=action, limit_get=True, **_subject(action, key, request)
    )
    return usage is not None


def rate_limit_exhausted(action: str, *, key: str) -> bool:
    usage = allauth_ratelimit.consume(
        app=APP, action=action, limit_get=True, dry_run=True, **_subject(action, key, None)
    )
    return usage is None


def rate_limit_remaining(action: str, *, key: str) -> int:
    """Hits left before the limit (the least of the action's rates)."""
    subject = _subject(action, key, None)
    now = time.time()
    left = []
    for rate in allauth_ratelimit.get_rates(app=APP, action=action, config=subject["config"]):
        cache_key = allauth_ratelimit.get_cache_key(
            None, app=APP, action=action, rate=rate, key=subject["key"]
        )
        _allowed, history = allauth_ratelimit.apply_rate(
            list(cache.get(cache_key, [])), now, rate, dry_run=True
        )
        left.append(max(rate.amount - len(history), 0))
    return min(left, default=0)


def rate_limit_clear(action: str, *, key: str) -> None:
    allauth_ratelimit.clear(app=APP, action=action, **_subject(action, key, None))


def rate_limit_minutes(action: str) -> int:
    """The longest window of the action, in minutes (for «попробуйте через … мин»)."""
    rates = allauth_ratelimit.get_rates(app=APP, action=action, config=_config(action, "key"))
    return max(int(max(rate.duration for rate in rates)) // 60, 1)
