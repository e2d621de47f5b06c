"""Property: the premium worked by hand from the seeded rates, validation, checkout."""

import datetime
from decimal import Decimal

from django.urls import reverse
from django.utils import timezone

from shop.models import Purchase, Quote
from shop.property import property_premium


def test_apartment_premium(tariffs):
    # конструктив 3 000 000 × 0.150 % = 4 500; отделка 1 000 000 × 0.300 % = 3 000;
    # имущество 500 000 × 0.400 % = 2 000; итого 9 500,00 ₽
    breakdown = property_premium(
        kind="apartment",
        starts_on=datetime.date(2026, 12, 1),
        sums={"structure": 3_000_000, "finish": 1_000_000, "belongings": 500_000},
    )
    assert Decimal(breakdown["premium"]) == Decimal("9500.00")


def form(**overrides):
    data = {
        "kind": "house",
        "address": "Московская обл., д. Лесная, ул. Садовая, 5",
        "area": "120",
        "sum_structure": "",
        "sum_finish": "800000",
        "sum_belongings": "",
        "starts_on": (timezone.localdate() + datetime.timedelta(days=1)).isoformat(),
    }
    data.update(overrides)
    return data


def test_validation(person_client, tariffs):
    url = reverse("shop_property")
    response = person_client.post(url, form(sum_finish=""))
    assert "хотя бы одну страховую сумму" in str(response.context["form"].errors)
    past = (timezone.localdate() - datetime.timedelta(days=3)).isoformat()
    response = person_client.post(url, form(starts_on=past))
    assert "не может быть в прошлом" in str(response.context["form"].errors)
    assert not Quote.objects.exists()


def test_house_quote_and_checkout(person_client, tariffs):
    assert person_client.get(reverse("shop_property")).status_code == 200
    # отделка дома 800 000 × 0.450 % = 3 600,00 ₽
    response = person_client.post(reverse("shop_property"), form())
    assert response.status_code == 302, response.context["form"].errors
    page = person_client.get(response["Location"]).content.decode()
    assert "3 600 руб." in page.replace("\xa0", " ")
    person_client.post(response["Location"], {"rules": "on"})
    purchase = Purchase.objects.get()
    assert purchase.policy.number.startswith("ИМ ") and purchase.amount == Decimal("3600.00")
    assert person_client.get(reverse("shop_property_rules")).status_code == 200
