"""Prometheus metrics at /metrics/, for the operators' Prometheus only.

- Requests: latency per view (`portal_http_request_duration_seconds`), responses by status and
  unhandled exceptions per view (MetricsMiddleware).
- At each scrape: the Celery queues' lengths (LLEN on the broker, half a second at most, none
  when Redis is down), the outbox's backlog and age (portal.core.outbox, when it exists), and
  what the apps add (settings.METRICS_COLLECTORS: the daily co-pay run, policy PDFs), read from
  the database so that every instance reports the same.
- Counted where the work is done: PDF renders (`portal_pdf_renders_total`).

Who may read it (metrics_allowed): an address in METRICS_ALLOWED_IPS (the client's address as
TRUSTED_PROXIES makes it known: portal.core.client_ip), or a request carrying
`Authorization: Bearer <METRICS_TOKEN>`; anyone else gets a 404. Under gunicorn with several
workers, PROMETHEUS_MULTIPROC_DIR (an empty folder at start) sums the workers' counters.
"""

from __future__ import annotations

import hmac
import importlib
import ipaddress
import logging
import os
import time
from collections.abc import Callable, Iterable
from functools import lru_cache

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.module_loading import import_string
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily, Metric

from .client_ip import client_ip

logger = logging.getLogger(__name__)

REQUEST_SECONDS = Histogram(
    "portal_http_request_duration_seconds",
    "Time to answer a request, per view (the URL pattern's name)",
    ["view", "method"],
    buckets=(0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
RESPONSES = Counter(
    "portal_http_responses_total", "Responses per view and status code", ["view", "status"]
)
EXCEPTIONS = Counter(
    "portal_http_exceptions_total",
    "Unhandled exceptions (500s) per view and exception class",
    ["view", "exception"],
)
PDF_RENDERS = Counter("portal_pdf_renders_total", "Policy PDFs rendered", ["result"])
PDF_RENDER_SECONDS = Histogram(
    "portal_pdf_render_seconds",
    "Time to render one policy PDF",
    buckets=(0.1, 0.25, 0.5, 1, 2, 5, 10, 30),
)

# kombu's Redis transport keeps a queue's messages of priority p in "<queue>\x06\x16<p>"
_PRIORITY_SEPARATOR = "\x06\x16"
_PRIORITY_STEPS = (0, 3, 6, 9)
BROKER_TIMEOUT = 0.5


def _view_name(request: HttpRequest) -> str:
    match = getattr(request, "resolver_match", None)
    return (match.view_name or "unnamed") if match else "unresolved"


class MetricsMiddleware:
    """Times every request and counts its answer, labelled by the view (never by the path, which
    would make one series per policy id)."""

    def __init__(self, get_response: Callable) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        view = _view_name(request)
        REQUEST_SECONDS.labels(view, request.method or "").observe(time.perf_counter() - started)
        RESPONSES.labels(view, str(response.status_code)).inc()
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> None:
        EXCEPTIONS.labels(_view_name(request), type(exception).__name__).inc()


# --- Who may read it ----------------------------------------------------------------------


@lru_cache(maxsize=4)
def _networks(value: str) -> tuple:
    return tuple(
        ipaddress.ip_network(entry.strip(), strict=False)
        for entry in value.split(",")
        if entry.strip()
    )


def metrics_allowed(request: HttpRequest) -> bool:
    token = settings.METRICS_TOKEN
    header = request.META.get("HTTP_AUTHORIZATION", "")
    if token and hmac.compare_digest(header.encode(), f"Bearer {token}".encode()):
        return True
    address = client_ip(request)
    if not address:
        return False
    ip = ipaddress.ip_address(address)
    return any(ip in network for network in _networks(settings.METRICS_ALLOWED_IPS))


# --- Read at each scrape ------------------------------------------------------------------


def celery_queues() -> Iterable[Metric]:
    """The length of each Celery queue on the Redis broker; `portal_celery_broker_up` 0 (and no
    lengths) when it does not answer within BROKER_TIMEOUT."""
    url = settings.CELERY_BROKER_URL
    if not url.startswith(("redis://", "rediss://")):
        return
    import redis

    up = GaugeMetricFamily("portal_celery_broker_up", "The broker answered this scrape")
    lengths = GaugeMetricFamily(
        "portal_celery_queue_length", "Messages waiting in a Celery queue", labels=["queue"]
    )
    try:
        client = redis.Redis.from_url(
            url, socket_timeout=BROKER_TIMEOUT, socket_connect_timeout=BROKER_TIMEOUT
        )
        with client.pipeline(transaction=False) as pipe:
            for queue in settings.METRICS_CELERY_QUEUES:
                for step in _PRIORITY_STEPS:
                    pipe.llen(queue if not step else f"{queue}{_PRIORITY_SEPARATOR}{step}")
            counts = pipe.execute()
        client.close()
    except redis.RedisError as error:
        logger.warning("metrics: the broker did not answer: %s", error)
        up.add_metric([], 0)
        yield up
        return
    up.add_metric([], 1)
    per_queue = len(_PRIORITY_STEPS)
    for index, queue in enumerate(settings.METRICS_CELERY_QUEUES):
        lengths.add_metric([queue], sum(counts[index * per_queue : (index + 1) * per_queue]))
    yield up
    yield lengths


def outbox_backlog() -> Iterable[Metric]:
    """The outbox's rows not yet delivered and the age of the oldest (portal.core.outbox's
    backlog() -> (count, oldest_age_seconds)); nothing while the portal has no outbox."""
    try:
        outbox = importlib.import_module("portal.core.outbox")
    except ModuleNotFoundError:
        return
    backlog = getattr(outbox, "backlog", None)
    if backlog is None:
        return
    count, oldest_age = backlog()
    rows = GaugeMetricFamily("portal_outbox_backlog", "Outbox rows not yet delivered")
    rows.add_metric([], count)
    age = GaugeMetricFamily(
        "portal_outbox_oldest_age_seconds", "Age of the oldest undelivered outbox row (0: none)"
    )
    age.add_metric([], oldest_age or 0)
    yield rows
    yield age


class ScrapeCollector:
    """What is read at each scrape: the broker, the outbox, then settings.METRICS_COLLECTORS.
    One part failing (a query, Redis) costs its own series only."""

    def collect(self) -> Iterable[Metric]:
        parts = [celery_queues, outbox_backlog]
        parts += [import_string(path) for path in settings.METRICS_COLLECTORS]
        for part in parts:
            try:
                yield from part()
            except Exception:
                logger.exception("metrics: %s failed", getattr(part, "__name__", part))


def metrics_text() -> bytes:
    scrape = CollectorRegistry(auto_describe=False)
    scrape.register(ScrapeCollector())
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = REGISTRY
    return generate_latest(registry) + generate_latest(scrape)


@never_cache
@require_GET
def metrics_view(request: HttpRequest) -> HttpResponse:
    if not metrics_allowed(request):
        raise Http404
    return HttpResponse(metrics_text(), content_type=CONTENT_TYPE_LATEST)
