"""/healthz/ answers 200 with each part's state, or 503 naming the part that really failed.

Failures are real: a database connection to an unopenable place, a Redis cache and a broker on a
closed loopback port. Nothing of our own checks is replaced.
"""

import copy
import json

import pytest
from django.conf import settings
from django.db import connections
from django.db.utils import load_backend

from portal.celery import app as celery_app

CLOSED_REDIS = "redis://127.0.0.1:1/0"
LEAKS = ("postgres", "redis://", "sqlite", "127.0.0.1", "password", str(settings.BASE_DIR))


def unreachable_database():
    """A connection wrapper of the project's own backend, pointed where nothing answers."""
    settings_dict = copy.deepcopy(connections["default"].settings_dict)
    if settings_dict["ENGINE"] == "django.db.backends.sqlite3":
        settings_dict["NAME"] = "/nonexistent-dir/healthz/portal.sqlite3"
    else:
        settings_dict["HOST"], settings_dict["PORT"] = "127.0.0.1", "1"
        options = settings_dict.setdefault("OPTIONS", {})
        options.pop("pool", None)  # a pool would wait out its timeout; one direct try is enough
        options["connect_timeout"] = 2
    backend = load_backend(settings_dict["ENGINE"])
    return backend.DatabaseWrapper(settings_dict, alias="healthz_unreachable")


def get_health(client) -> tuple[int, dict, str]:
    response = client.get("/healthz/")
    body = response.content.decode()
    assert response["Content-Type"] == "application/json"
    return response.status_code, json.loads(body), body


def assert_no_connection_strings(body: str) -> None:
    for fragment in LEAKS:
        assert fragment not in body


@pytest.mark.django_db
def test_all_parts_up_answers_200_with_each_state(client):
    # when
    status, payload, body = get_health(client)

    # then
    assert status == 200
    assert payload["status"] == "ok"
    assert payload["checks"]["database"] == {"status": "ok"}
    assert payload["checks"]["cache"] == {"status": "ok"}
    # the test settings run Celery eagerly: there is no broker to reach
    assert payload["checks"]["broker"] == {"status": "eager"}
    assert_no_connection_strings(body)


@pytest.mark.django_db
def test_a_reachable_broker_is_ok_when_celery_is_not_eager(client, settings, monkeypatch):
    # given: the Redis of this run when there is one, else kombu's in-process transport
    settings.CELERY_TASK_ALWAYS_EAGER = False
    monkeypatch.setattr(celery_app.conf, "broker_url", settings.REDIS_URL or "memory://")

    # when
    status, payload, _body = get_health(client)

    # then
    assert status == 200
    assert payload["checks"]["broker"] == {"status": "ok"}


@pytest.mark.django_db
def test_database_down_answers_503_naming_the_database(client, monkeypatch):
    # given
    broken = unreachable_database()
    monkeypatch.setattr("portal.core.health.connection", broken)

    # when
    status, payload, body = get_health(client)

    # then
    assert status == 503
    assert payload["status"] == "down"
    assert payload["checks"]["database"]["status"] == "down"
    assert payload["checks"]["database"]["error"] == "OperationalError"
    assert payload["checks"]["cache"] == {"status": "ok"}
    assert_no_connection_strings(body)
    broken.close()


@pytest.mark.django_db
def test_cache_down_answers_503_naming_the_cache(client, settings):
    # given
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CLOSED_REDIS,
        }
    }

    # when
    status, payload, body = get_health(client)

    # then
    assert status == 503
    assert payload["status"] == "down"
    assert payload["checks"]["cache"]["status"] == "down"
    assert payload["checks"]["cache"]["error"] == "ConnectionError"
    assert payload["checks"]["database"] == {"status": "ok"}
    assert_no_connection_strings(body)


@pytest.mark.django_db
def test_broker_down_answers_503_naming_the_broker(client, settings, monkeypatch):
    # given
    settings.CELERY_TASK_ALWAYS_EAGER = False
    monkeypatch.setattr(celery_app.conf, "broker_url", CLOSED_REDIS)

    # when
    status, payload, body = get_health(client)

    # then
    assert status == 503
    assert payload["status"] == "down"
    assert payload["checks"]["broker"]["status"] == "down"
    assert payload["checks"]["database"] == {"status": "ok"}
    assert payload["checks"]["cache"] == {"status": "ok"}
    assert_no_connection_strings(body)


@pytest.mark.django_db
def test_healthz_is_never_cached_and_only_answers_get(client):
    response = client.get("/healthz/")
    assert "no-cache" in response["Cache-Control"]

    assert client.post("/healthz/").status_code == 405
