"""Liveness and readiness checks of the parts the portal runs on."""

import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import connection

from portal.celery import app as celery_app


def database_state() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return "ok"


def cache_state() -> str:
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
    return "ok"


CHECKS = {"database": database_state, "cache": cache_state, "broker": broker_state}


def health_report() -> tuple[bool, dict[str, dict[str, str]]]:
    """Run every check; a failing part is named with its error's class, never its message (no
    secrets or connection strings in a public answer)."""
    report: dict[str, dict[str, str]] = {}
    healthy = True
    for name, check in CHECKS.items():
        try:
            report[name] = {"status": check()}
        except Exception as exc:  # noqa: BLE001 — any failure of a part means "down", and is named
            healthy = False
            report[name] = {"status": "down", "error": type(exc).__name__}
    return healthy, report
