"""The Redis cache, made to degrade instead of fail or hang (settings.CACHES["default"]).

Redis is asked with a socket timeout of about a second (OPTIONS in settings). When it refuses or
does not answer, the failure is logged and, for the next few seconds, Redis is not asked at all:
- what is only a cache (pages' fragments, the map's GeoJSON...) is a miss: the caller builds it
  from the database, and nothing is stored;
- what must not be forgotten, the counters of rate limits (allauth's, portal.core.ratelimits) and
  of wrong SMS codes, goes to a table of the database instead (DURABLE_PREFIXES), so that a limit
  holds while Redis is down; it is never simply allowed.
"""

import logging
import time
from typing import Any

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.db import DatabaseCache
from django.core.cache.backends.redis import RedisCache
from django.db import connections, router, transaction

logger = logging.getLogger(__name__)

# Keys (before the KEY_PREFIX) that are counted in the database while Redis is down.
DURABLE_PREFIXES = ("allauth:rl:", "portal:sms-tries:")
FALLBACK_TABLE = "portal_cache_fallback"
# After a failure, Redis is left alone for this long (each request then pays no timeout).
RETRY_AFTER_SECONDS = 5.0


class FallbackDatabaseCache(DatabaseCache):
    """Django's database cache with an atomic incr (a row lock), for counters."""

    def incr(self, key, delta=1, version=None):
        db = router.db_for_write(self.cache_model_class)
        table = connections[db].ops.quote_name(self._table)
        with transaction.atomic(using=db), connections[db].cursor() as cursor:
            cache_key = self.make_and_validate_key(key, version=version)
            if connections[db].features.has_select_for_update:
                cursor.execute(
                    f"SELECT cache_key FROM {table} WHERE cache_key = %s FOR UPDATE",  # noqa: S608
                    [cache_key],
                )
            value = self.get(key, version=version)
            if value is None:
                raise ValueError(f"Key '{key}' not found")
            self.set(key, value + delta, version=version)
            return value + delta


def _errors() -> tuple[type[BaseException], ...]:
    import redis

    return (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError, OSError)


class ResilientRedisCache(RedisCache):
    """RedisCache that turns Redis being down into misses (or the database, for counters)."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._down_until = 0.0
        self._fallback_used = False  # counters went to the database table in this process
        self._fallback = FallbackDatabaseCache(
            FALLBACK_TABLE, {"TIMEOUT": params.get("TIMEOUT", 300), "KEY_PREFIX": self.key_prefix}
        )

    # --- the switch ------------------------------------------------------------------------

    def _redis_down(self) -> bool:
        return time.monotonic() < self._down_until

    def _failed(self, operation: str, exc: BaseException) -> None:
        if not self._redis_down():
            logger.warning(
                "cache: Redis unavailable (%s on %s); skipped for %ss",
                type(exc).__name__,
                operation,
                RETRY_AFTER_SECONDS,
            )
        self._down_until = time.monotonic() + RETRY_AFTER_SECONDS

    @staticmethod
    def _durable(key: Any) -> bool:
        return isinstance(key, str) and key.startswith(DURABLE_PREFIXES)

    def _call(self, operation: str, key: Any, miss: Any, *args: Any, **kwargs: Any) -> Any:
        durable = self._durable(key)
        if not self._redis_down():
            try:
                return getattr(super(), operation)(key, *args, **kwargs)
            except _errors() as exc:
                self._failed(operation, exc)
        if durable:
            self._fallback_used = True
            return getattr(self._fallback, operation)(key, *args, **kwargs)
        if isinstance(miss, type) and issubclass(miss, BaseException):
            raise miss(f"cache unavailable: {operation}")
        return miss

    def check(self) -> None:
        """Ask Redis itself (for /healthz/): raises when it refuses or does not answer."""
        self._cache.get_client(None, write=True).ping()

    # --- one key ---------------------------------------------------------------------------

    def get(self, key, default=None, version=None):
        return self._call("get", key, default, default, version=version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set", key, None, value, timeout, version=version)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        # a miss stores nothing: False, so a lock made with add is never thought taken
        return self._call("add", key, False, value, timeout, version=version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("touch", key, False, timeout, version=version)

    def delete(self, key, version=None):
        return self._call("delete", key, False, version=version)

    def has_key(self, key, version=None):
        return self._call("has_key", key, False, version=version)

    def incr(self, key, delta=1, version=None):
        return self._call("incr", key, ValueError, delta, version=version)

    def decr(self, key, delta=1, version=None):
        return self._call("incr", key, ValueError, -delta, version=version)

    # --- many keys: only caches use them (never counters) ------------------------------------

    def _many(self, operation: str, miss: Any, *args: Any, **kwargs: Any) -> Any:
        if not self._redis_down():
            try:
                return getattr(super(), operation)(*args, **kwargs)
            except _errors() as exc:
                self._failed(operation, exc)
        return miss

    def get_many(self, keys, version=None):
        return self._many("get_many", {}, keys, version=version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._many("set_many", list(data), data, timeout, version=version)

    def delete_many(self, keys, version=None):
        return self._many("delete_many", None, keys, version=version)

    def clear(self):
        """Empty Redis, and the database table of counters if this process wrote any there (a
        process that never met Redis down has nothing in it: no query, so clearing needs no
        database, as RedisCache's own clear does not)."""
        if self._fallback_used:
            self._fallback.clear()
            self._fallback_used = False
        return self._many("clear", False)
