"""The tariff tables and offers in the admin: each changelist, search and add page opens."""

import pytest
from django.urls import reverse

from shop.models import BaseRate, Purchase

MODELS = [
    "tariffversion",
    "region",
    "baserate",
    "territorycoefficient",
    "bonusmalusclass",
    "ageexperiencecoefficient",
    "driverscoefficient",
    "powercoefficient",
    "seasoncoefficient",
    "violationscoefficient",
    "trailercoefficient",
    "offer",
    "personalrate",
    "personaloption",
    "propertyrate",
    "kaskorate",
    "kaskodeductible",
    "kaskodrivercoefficient",
    "country",
    "currencyrate",
    "travelrate",
    "travelagecoefficient",
    "travelsportoption",
]


@pytest.fixture
def admin_client_(superuser_client, tariffs):
    return superuser_client


@pytest.mark.parametrize("model", [*MODELS, "purchase"])
def test_changelist_and_search(admin_client_, model):
    url = reverse(f"admin:shop_{model}_changelist")
    assert admin_client_.get(url).status_code == 200
    assert admin_client_.get(url, {"q": "7204"}).status_code == 200


@pytest.mark.parametrize("model", MODELS)
def test_add_page(admin_client_, model):
    assert admin_client_.get(reverse(f"admin:shop_{model}_add")).status_code == 200


def test_a_tariff_row_is_editable(admin_client_):
    row = BaseRate.objects.filter(region__code="77").first()
    assert (
        admin_client_.get(reverse("admin:shop_baserate_change", args=[row.pk])).status_code == 200
    )


def test_purchases_are_not_added_by_hand(admin_client_):
    assert admin_client_.get(reverse("admin:shop_purchase_add")).status_code == 403
    assert not Purchase.objects.exists()


def test_the_eur_rate_and_the_schengen_flag_are_edited_in_the_admin(admin_client_):
    from shop.models import Country, CurrencyRate

    rate = CurrencyRate.objects.get()
    url = reverse("admin:shop_currencyrate_change", args=[rate.pk])
    response = admin_client_.post(
        url, {"currency": "EUR", "day": "2025-12-01", "rate": "95.2500", "source": "Банк России"}
    )
    assert response.status_code == 302
    rate.refresh_from_db()
    assert str(rate.rate) == "95.2500"
    cyprus = Country.objects.get(code="CY")
    assert not cyprus.schengen
    assert (
        admin_client_.get(reverse("admin:shop_country_change", args=[cyprus.pk])).status_code == 200
    )
