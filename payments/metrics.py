"""The daily co-pay run as Prometheus sees it (settings.METRICS_COLLECTORS; portal.core.metrics):
read from today's daily charges at each scrape, so every instance reports the same run."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Count, Max, Min
from django.utils import timezone
from prometheus_client.core import GaugeMetricFamily, Metric

from .models import Charge


def copay_daily_run() -> Iterable[Metric]:
    day = timezone.localdate()
    charges = Charge.objects.filter(kind=Charge.Kind.DAILY, day=day)
    by_status = dict(charges.values_list("status").annotate(n=Count("pk")).order_by())
    span = charges.aggregate(
        started=Min("created_at"), last_sent=Max("sent_at"), last_change=Max("updated_at")
    )
    counts = GaugeMetricFamily(
        "portal_copay_daily_charges",
        "Today's daily co-pay charges by state (failed: declined by the bank)",
        labels=["status"],
    )
    for status in Charge.Status.values:
        counts.add_metric([status], by_status.get(status, 0))
    yield counts

    open_charges = sum(by_status.get(status, 0) for status in Charge.OPEN)
    still_open = GaugeMetricFamily(
        "portal_copay_daily_run_open_charges",
        "Today's charges written but not yet answered by the provider (pending, in doubt)",
    )
    still_open.add_metric([], open_charges)
    yield still_open

    started = span["started"]
    if started is None:
        return
    finished = not open_charges
    end = (span["last_sent"] or span["last_change"]) if finished else timezone.now()
    start_metric = GaugeMetricFamily(
        "portal_copay_daily_run_started_timestamp_seconds",
        "When today's run wrote its first charge",
    )
    start_metric.add_metric([], started.timestamp())
    yield start_metric
    done = GaugeMetricFamily(
        "portal_copay_daily_run_finished", "1 when every charge of today's run has an answer"
    )
    done.add_metric([], 1 if finished else 0)
    yield done
    duration = GaugeMetricFamily(
        "portal_copay_daily_run_duration_seconds",
        "From today's first charge to the last answer (so far, while the run goes on)",
    )
    duration.add_metric([], max(0.0, (end - started).total_seconds()))
    yield duration
