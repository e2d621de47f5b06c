"""Policy PDFs as Prometheus sees them (settings.METRICS_COLLECTORS; portal.core.metrics): the
documents by state and the renders of the last hour, read from the database at each scrape.
Each render is also counted where it runs (portal.core.metrics.PDF_RENDERS)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.db.models import Count
from django.utils import timezone
from prometheus_client.core import GaugeMetricFamily, Metric

from .models import PolicyDocument


def pdf_documents() -> Iterable[Metric]:
    by_status = dict(
        PolicyDocument.objects.values_list("status").annotate(n=Count("pk")).order_by()
    )
    documents = GaugeMetricFamily("portal_pdf_documents", "Policy PDFs by state", labels=["status"])
    for status in PolicyDocument.Status.values:
        documents.add_metric([status], by_status.get(status, 0))
    yield documents
    recent = GaugeMetricFamily(
        "portal_pdf_rendered_last_hour", "Policy PDFs whose file was made in the last hour"
    )
    hour_ago = timezone.now() - datetime.timedelta(hours=1)
    recent.add_metric([], PolicyDocument.objects.filter(generated_at__gte=hour_ago).count())
    yield recent
