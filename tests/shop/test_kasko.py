"""КАСКО: the premium worked by hand from the seeded tables, validation, checkout."""

import datetime
from decimal import Decimal

from django.urls import reverse
from django.utils import timezone

from shop.kasko import kasko_premium
from shop.models import Purchase, Quote

START = datetime.date(2026, 12, 1)


def test_kasko_premium_takes_the_riskiest_driver(tariffs):
    # car 2024 → age 2 → 4.500 %; 2 000 000 × 4.5 % = 90 000; deductible 30 000 → × 0.75 = 67 500;
    # drivers: 40 y / 20 y exp → 1.00, 23 y / 1 y exp → 1.80; the largest 1.80 → 121 500,00 ₽
    breakdown = kasko_premium(
        price=2_000_000,
        year=2024,
        deductible=30_000,
        starts_on=START,
        drivers=[
            (datetime.date(1986, 4, 12), datetime.date(2006, 5, 20)),
            (datetime.date(2003, 1, 5), datetime.date(2025, 6, 1)),
        ],
    )
    assert Decimal(breakdown["premium"]) == Decimal("121500.00")


def form(**overrides):
    data = {
        "make": "Toyota",
        "model": "Camry",
        "year": "2024",
        "vin": "JTNB11HK803123456",
        "price": "2000000",
        "deductible": "0",
        "starts_on": (timezone.localdate() + datetime.timedelta(days=1)).isoformat(),
        "drivers-TOTAL_FORMS": "1",
        "drivers-INITIAL_FORMS": "0",
        "drivers-MIN_NUM_FORMS": "0",
        "drivers-MAX_NUM_FORMS": "5",
        "drivers-0-last_name": "Смирнов",
        "drivers-0-first_name": "Алексей",
        "drivers-0-birth_date": "1986-04-12",
        "drivers-0-licence_number": "77 16 123456",
        "drivers-0-licence_issued_on": "2006-05-20",
    }
    data.update(overrides)
    return data


def test_validation(person_client, tariffs):
    url = reverse("shop_kasko")
    response = person_client.post(url, form(vin="JTNB11HK80312345O"))
    assert "VIN — 17 латинских букв" in str(response.context["form"].errors)
    young = timezone.localdate().replace(year=timezone.localdate().year - 17).isoformat()
    response = person_client.post(url, form(**{"drivers-0-birth_date": young}))
    assert "не меньше 18 лет" in str(response.context["drivers"].errors)
    past = (timezone.localdate() - datetime.timedelta(days=1)).isoformat()
    response = person_client.post(url, form(starts_on=past))
    assert "не может быть в прошлом" in str(response.context["form"].errors)
    response = person_client.post(url, form(year="2010"))
    assert "не старше 10 лет" in str(response.context["form"].errors)
    assert not Quote.objects.exists()


def test_quote_and_checkout(person_client, tariffs):
    assert person_client.get(reverse("shop_kasko")).status_code == 200
    response = person_client.post(reverse("shop_kasko"), form())
    assert response.status_code == 302, response.context["form"].errors
    person_client.post(response["Location"], {"rules": "on"})
    purchase = Purchase.objects.get()
    assert purchase.policy.number.startswith("КС ")
    assert purchase.policy.product == "kasko"
    assert person_client.get(reverse("shop_kasko_rules")).status_code == 200
