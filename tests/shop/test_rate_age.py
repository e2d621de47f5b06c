"""The travel quote says when the EUR rate it used is older than 3 days."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from shop.models import CurrencyRate

from .test_travel import URL, form

pytestmark = pytest.mark.django_db


def quote_page(person_client) -> str:
    response = person_client.post(URL, form(), follow=True)
    assert response.status_code == 200
    return response.content.decode()


def test_an_old_rate_is_warned_about(person_client, tariffs):
    old = timezone.localdate() - datetime.timedelta(days=5)
    CurrencyRate.objects.create(day=old, rate=Decimal("95.0000"))

    page = quote_page(person_client)

    assert "Расчёт сделан по курсу евро на" in page
    assert f"{old:%d.%m.%Y}: ему уже 5 дней" in page


def test_a_fresh_rate_is_not(person_client, tariffs):
    CurrencyRate.objects.create(
        day=timezone.localdate() - datetime.timedelta(days=3), rate=Decimal("95.0000")
    )

    assert "Расчёт сделан по курсу евро" not in quote_page(person_client)
