"""Liveness and readiness checks of the parts the portal runs on.

The checks run side by side, each in its own thread, and the answer waits for them at most
HEALTHZ_TIMEOUT_SECONDS (the parts' own timeouts are shorter: a second for Redis, a few for
PostgreSQL): a part that has not answered by then is named "down" with the error "Timeout".
"""

import uuid
from concurrent.futures import ThreadPoolExecutor, wait

from django.conf import settings
from django.core.cache import caches
from django.db import connection

from portal.celery import app as celery_app

TIMEOUT_ERROR = "Timeout"


def database_state() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    connection.close()  # this thread's own connection (back to the pool)
    return "ok"


def cache_state() -> str:
    cache = caches["default"]
    direct = getattr(cache, "check", None)  # ResilientRedisCache: ask Redis itself, no fallback
    if direct is not None:
        direct()
        return "ok"
    key = f"healthz:{uuid.uuid4().hex}"
    cache.set(key, "1", timeout=5)
    if cache.get(key) != "1":
        raise RuntimeError("значение не прочиталось из кэша")
    cache.delete(key)
    return "ok"


def broker_state() -> str:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return "eager"  # the embedded default runs tasks in-process: no broker to reach
    with celery_app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=2)
        client = getattr(conn.default_channel, "client", None)
        if client is not None and hasattr(client, "ping"):
            client.ping()  # Redis: a socket that accepts but never answers times out here
    return "ok"


CHECKS = {"database": database_state, "cache": cache_state, "broker": broker_state}


def _run(check):
    try:
        return {"status": check()}
    except Exception as exc:  # noqa: BLE001 — any failure of a part means "down", and is named
        return {"status": "down", "error": type(exc).__name__}


def health_report() -> tuple[bool, dict[str, dict[str, str]]]:
    """Run every check in parallel; a failing part is named with its error's class, never its
    message (no secrets or connection strings in a public answer)."""
    executor = ThreadPoolExecutor(max_workers=len(CHECKS), thread_name_prefix="healthz")
    futures = {name: executor.submit(_run, check) for name, check in CHECKS.items()}
    wait(futures.values(), timeout=getattr(settings, "HEALTHZ_TIMEOUT_SECONDS", 2.5))
    executor.shutdown(wait=False, cancel_futures=True)  # a hung part is left to its own timeout
    report = {
        name: future.result() if future.done() else {"status": "down", "error": TIMEOUT_ERROR}
        for name, future in futures.items()
    }
    healthy = all(part["status"] != "down" for part in report.values())
    return healthy, report
