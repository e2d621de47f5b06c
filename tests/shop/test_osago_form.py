"""The ОСАГО quote form: bad input gets a clear message and makes no quote."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from shop.models import Quote

from .conftest import osago_inputs


@pytest.fixture
def quote_page(person_client, tariffs):
    def post(**overrides):
        return person_client.post(reverse("shop_osago"), osago_inputs(**overrides))

    return post


def errors(response) -> str:
    form = response.context["form"]
    drivers = response.context["drivers"]
    return str(form.errors) + str(drivers.errors)


def test_the_form_page_opens(person_client, tariffs):
    response = person_client.get(reverse("shop_osago"))
    assert response.status_code == 200
    assert "Москва" in response.content.decode()


@pytest.mark.parametrize(
    "vin",
    ["XTA21099043512", "XTA2109904351234O", "ITA21099043512345", "XTA21099043512Q45"],
)
def test_bad_vin_is_refused(quote_page, vin):
    response = quote_page(vin=vin)
    assert response.status_code == 200
    assert "VIN — 17 латинских букв" in errors(response)
    assert not Quote.objects.exists()


def test_vin_or_body_number_is_needed(quote_page):
    response = quote_page(vin="", body_number="")
    assert "Укажите VIN или номер кузова" in errors(response)
    assert quote_page(vin="", body_number="GX110-1234567").status_code == 302


def test_a_driver_younger_than_18_is_refused(quote_page):
    birth = timezone.localdate().replace(year=timezone.localdate().year - 17)
    response = quote_page(**{"drivers-0-birth_date": birth.isoformat()})
    assert "не меньше 18 лет" in errors(response)
    assert not Quote.objects.exists()


def test_start_in_the_past_is_refused(quote_page):
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    response = quote_page(starts_on=yesterday.isoformat())
    assert "не может быть в прошлом" in errors(response)


def test_start_today_is_refused_tomorrow_is_the_earliest(quote_page):
    today = timezone.localdate()
    assert "не раньше завтрашнего дня" in errors(quote_page(starts_on=today.isoformat()))
    tomorrow = today + datetime.timedelta(days=1)
    assert quote_page(starts_on=tomorrow.isoformat()).status_code == 302


def test_licence_date_in_the_future_is_refused(quote_page):
    later = timezone.localdate() + datetime.timedelta(days=5)
    response = quote_page(**{"drivers-0-licence_issued_on": later.isoformat()})
    assert "не может быть в будущем" in errors(response)


def test_price_page_shows_the_breakdown_and_the_profile(quote_page, person_client, user):
    response = quote_page()
    page = person_client.get(response["Location"]).content.decode()
    for code in ("ТБ", "КТ", "КБМ", "КВС", "КО", "КМ", "КС"):
        assert f">{code}<" in page
    assert user.last_name in page
    assert reverse("shop_osago_rules") in page
    quote = Quote.objects.get()
    assert quote.inputs["vin"] == "XTA21099043512345"
    assert str(quote.premium) == quote.breakdown["premium"]


def test_checkout_needs_the_rules_consent(quote_page, person_client):
    quote_url = quote_page()["Location"]
    response = person_client.post(quote_url, {})
    assert response.status_code == 200
    assert "согласие с правилами" in response.content.decode()


def test_unlimited_drivers_need_no_driver(quote_page):
    response = quote_page(
        unlimited="on",
        **{
            f"drivers-0-{name}": ""
            for name in (
                "last_name",
                "first_name",
                "birth_date",
                "licence_number",
                "licence_issued_on",
            )
        },
    )
    assert response.status_code == 302
    assert Quote.objects.get().breakdown["coefficients"][4]["value"] == "2.32"


def test_shop_and_rules_pages(person_client, tariffs):
    assert person_client.get("/shop/").status_code == 200
    assert person_client.get(reverse("shop_osago_rules")).status_code == 200
