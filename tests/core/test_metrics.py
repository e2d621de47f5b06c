"""/metrics/: Prometheus finds every series there; a stranger finds nothing."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from payments.models import Charge, CopayEnrollment, PaymentCard
from policies.services import policy_document_render

pytestmark = pytest.mark.django_db
URL = "/metrics/"


def scrape(client, **extra) -> dict[str, dict[tuple, float]]:
    response = client.get(URL, **extra)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    series: dict[str, dict[tuple, float]] = {}
    for family in text_string_to_metric_families(response.content.decode()):
        for sample in family.samples:
            key = tuple(sorted(sample.labels.items()))
            series.setdefault(sample.name, {})[key] = sample.value
    return series


def test_request_latency_and_errors_per_view_are_reported(client, person_client):
    person_client.get(reverse("policies:list"))
    client.get("/no-such-page/")

    found = scrape(client)

    count = found["portal_http_request_duration_seconds_count"]
    assert count[(("method", "GET"), ("view", "policies:list"))] >= 1
    assert found["portal_http_responses_total"][(("status", "200"), ("view", "policies:list"))]
    assert found["portal_http_responses_total"][(("status", "404"), ("view", "unresolved"))]


def test_unhandled_exceptions_are_counted_per_view(client, monkeypatch):
    def broken(request):
        raise RuntimeError("сломано")

    from django.test import Client

    from portal import urls

    monkeypatch.setattr(urls.urlpatterns[1], "callback", broken)
    Client(raise_request_exception=False).get("/healthz/")

    found = scrape(client)

    key = (("exception", "RuntimeError"), ("view", "healthz"))
    assert found["portal_http_exceptions_total"][key] >= 1


def test_celery_queue_lengths_are_read_from_the_broker(client, settings):
    import redis

    settings.CELERY_BROKER_URL = settings.REDIS_URL or "redis://127.0.0.1:6379/3"
    broker = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    broker.delete("celery")
    broker.rpush("celery", "a", "b", "c")
    try:
        found = scrape(client)
    finally:
        broker.delete("celery")

    assert found["portal_celery_broker_up"][()] == 1
    assert found["portal_celery_queue_length"][(("queue", "celery"),)] == 3


def test_a_broker_that_does_not_answer_costs_its_series_only(client, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:9/0"  # discard port: closed

    found = scrape(client)

    assert found["portal_celery_broker_up"][()] == 0
    assert "portal_celery_queue_length" not in found
    assert "portal_pdf_documents" in found


def test_the_outbox_backlog_is_reported_when_the_outbox_exists(client, monkeypatch):
    import sys
    import types

    outbox = types.ModuleType("portal.core.outbox")
    outbox.backlog = lambda: (12, 345.0)
    monkeypatch.setitem(sys.modules, "portal.core.outbox", outbox)

    found = scrape(client)

    assert found["portal_outbox_backlog"][()] == 12
    assert found["portal_outbox_oldest_age_seconds"][()] == 345.0


def test_no_outbox_no_outbox_series(client, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "portal.core.outbox", None)  # import fails

    assert "portal_outbox_backlog" not in scrape(client)


def test_the_daily_copay_run_charges_failures_and_duration(client, user, insured):
    now = timezone.now()
    enrollment = CopayEnrollment.objects.create(
        user=user,
        insured_person=insured,
        program=insured.program,
        consent_at=now,
        terms_version="2026-01",
        card_bound_at=now,
    )
    card = PaymentCard.objects.create(
        user=user,
        enrollment=enrollment,
        provider_customer_id="cus_1",
        provider_payment_method_id="pm_1",
        last4="4242",
        exp_month=12,
        exp_year=2030,
    )
    day = timezone.localdate()
    for n, status in enumerate(["succeeded", "succeeded", "failed", "pending"]):
        Charge.objects.create(
            user=user,
            insured_person=insured,
            card=card,
            day=day,
            kind=Charge.Kind.DAILY,
            idempotency_key=f"copay-test-{n}",
            amount=Decimal("100.00"),
            status=status,
            sent_at=now if status != "pending" else None,
        )
    Charge.objects.filter(idempotency_key="copay-test-0").update(
        created_at=now - datetime.timedelta(minutes=30)
    )

    found = scrape(client)

    charges = found["portal_copay_daily_charges"]
    assert charges[(("status", "succeeded"),)] == 2
    assert charges[(("status", "failed"),)] == 1
    assert charges[(("status", "pending"),)] == 1
    assert found["portal_copay_daily_run_open_charges"][()] == 1
    assert found["portal_copay_daily_run_finished"][()] == 0
    assert found["portal_copay_daily_run_duration_seconds"][()] >= 30 * 60

    Charge.objects.filter(status="pending").update(status="succeeded", sent_at=now)
    found = scrape(client)
    assert found["portal_copay_daily_run_finished"][()] == 1
    assert 29 * 60 <= found["portal_copay_daily_run_duration_seconds"][()] <= 31 * 60


def test_pdf_renders_are_counted(client, dms_policy, settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path), "base_url": None},
        },
    }
    before = scrape(client).get("portal_pdf_renders_total", {}).get((("result", "ok"),), 0)

    policy_document_render(policy_id=dms_policy.pk)

    found = scrape(client)
    assert found["portal_pdf_renders_total"][(("result", "ok"),)] == before + 1
    assert found["portal_pdf_render_seconds_count"][()] >= 1
    assert found["portal_pdf_documents"][(("status", "ready"),)] == 1
    assert found["portal_pdf_rendered_last_hour"][()] == 1


def test_a_stranger_gets_nothing(client):
    response = client.get(URL, REMOTE_ADDR="203.0.113.9")

    assert response.status_code == 404
    assert b"portal_" not in response.content


def test_a_stranger_behind_the_trusted_proxy_gets_nothing(client, settings):
    settings.TRUSTED_PROXIES = "127.0.0.1"

    response = client.get(URL, HTTP_X_FORWARDED_FOR="203.0.113.9")

    assert response.status_code == 404


def test_the_configured_networks_and_the_token_are_let_in(client, settings):
    settings.METRICS_ALLOWED_IPS = "10.20.0.0/16"
    settings.METRICS_TOKEN = "scrape-token-123"

    assert client.get(URL, REMOTE_ADDR="10.20.3.4").status_code == 200
    assert client.get(URL, REMOTE_ADDR="127.0.0.1").status_code == 404
    outside = {"REMOTE_ADDR": "203.0.113.9"}
    assert (
        client.get(URL, HTTP_AUTHORIZATION="Bearer scrape-token-123", **outside).status_code == 200
    )
    assert client.get(URL, HTTP_AUTHORIZATION="Bearer wrong", **outside).status_code == 404
