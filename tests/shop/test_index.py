"""/shop/: each product's card says what it covers and «от N руб.», the smallest premium the
tariff in force allows, priced by the product's own premium function (shop.selectors
.lowest_premiums). The expected prices are worked out here by hand from the seeded tables."""

import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from shop.models import Country, CurrencyRate, PropertyRate, TravelRate
from shop.tariff_version import tariffs_changed
from tests.ruwords import problems, visible_text

NBSP = "\u00a0"


@pytest.fixture
def eur_rate(tariffs):
    return CurrencyRate.objects.create(day=timezone.localdate(), rate=Decimal("100.0000"))


def cards(client) -> dict[str, str]:
    """The visible text of each product card, by its title."""
    page = client.get("/shop/")
    assert page.status_code == 200
    html = page.content.decode()
    found = re.findall(r'<li class="card shop-product">(.*?)</li>', html, re.S)
    texts = [visible_text(card)[0] for card in found]
    return {text.strip().split("\n")[0]: text for text in texts}


def test_each_card_says_what_it_covers_and_its_lowest_price(person_client, eur_rate):
    shown = cards(person_client)

    osago = shown["ОСАГО — обязательное страхование автогражданской ответственности"]
    # ТБ 5 500 × КТ 0,68 (Крым, the lowest of the КТ table) × КБМ 0,46 (class 13) × КВС 0,83
    # (60+, 15+ years) × КО 1 × КМ 0,6 (up to 50 hp) × КС 0,5 (3 months) = 428,3796
    assert f"от 428,38{NBSP}руб." in osago
    assert "других участников дорожного движения" in osago
    # 100 000 × 4,5 % (a car up to 2 years old) × 0,65 (deductible 50 000) × 1,00 (35+, 3+ years)
    kasko = shown["КАСКО — добровольное страхование автомобиля"]
    assert f"от 2{NBSP}925{NBSP}руб." in kasko and "угон" in kasko
    # 100 000 × 0,15 % (an apartment's structure) for a year
    property_ = shown["Страхование имущества"]
    assert f"от 150{NBSP}руб." in property_ and "залива" in property_
    assert f"страховая сумма 100{NBSP}000{NBSP}руб." in property_
    # 100 000 / 1 000 × 3,00 (18–59) × 3/12
    accident = shown["Страхование от несчастного случая"]
    assert f"от 75{NBSP}руб." in accident and "несчастного случая" in accident
    # 500 000 / 1 000 × 1,50 (18–39) × 3/12 = 187,50
    oncology = shown["Онкострахование"]
    assert f"от 187,50{NBSP}руб." in oncology
    # 0,55 EUR a day (15 000 EUR) × 1,00 (3–64) × 1,00 (no sport) × 1 day × 100 руб.
    travel = shown["Международный страховой полис"]
    assert f"от 55{NBSP}руб." in travel and "за день поездки" in travel
    # the words a Russian reader expects, the amounts in the one money format
    assert not problems("\n".join(shown.values()))


def test_the_price_follows_the_tariff_in_force(person_client, eur_rate):
    PropertyRate.objects.filter(kind="apartment", component="structure").update(
        rate_percent=Decimal("0.120")
    )
    TravelRate.objects.filter(sum_insured=15_000).update(daily_rate=Decimal("0.500"))
    tariffs_changed()  # a bulk write sends no signal: the tariff load bumps the version itself

    shown = cards(person_client)

    assert f"от 120{NBSP}руб." in shown["Страхование имущества"]
    assert f"от 50{NBSP}руб." in shown["Международный страховой полис"]


def test_a_product_its_tariff_cannot_price_shows_no_price_but_its_card(person_client, tariffs):
    # no EUR rate yet: the travel premium cannot be put in roubles
    CurrencyRate.objects.all().delete()

    shown = cards(person_client)

    travel = shown["Международный страховой полис"]
    assert "Медицинская помощь в поездке" in travel
    assert "от " not in travel
    assert "Рассчитать стоимость" in travel


def test_the_prices_take_a_fixed_number_of_queries(person_client, eur_rate):
    # Each product's cheapest row is picked in the database: more rows, no more queries.
    # (priced anew each time: the tariffs' version bumped, as a change of the tables does)
    person_client.get("/shop/")  # the session and the like, read once
    tariffs_changed()
    before = queries(person_client)
    for n in range(5):
        Country.objects.create(code=f"Q{n}", name=f"Страна {n}", name_en=f"Country {n}")
        larger = TravelRate.objects.order_by("-sum_insured").first()
        larger.pk = None
        larger.sum_insured += 100_000
        larger.daily_rate += 1
        larger.save()

    tariffs_changed()
    assert queries(person_client) == before <= 40


def queries(client) -> int:
    with CaptureQueriesContext(connection) as context:
        assert client.get("/shop/").status_code == 200
    return len(context.captured_queries)


def test_a_tariff_edited_in_the_admin_moves_the_price_at_once(person_client, eur_rate):
    before = cards(person_client)["Страхование имущества"]
    rate = PropertyRate.objects.filter(kind="apartment", component="structure").first()
    rate.rate_percent = Decimal("0.120")
    rate.save()  # as the admin saves it: the signal bumps the tariffs' version

    after = cards(person_client)["Страхование имущества"]

    assert after != before and f"от 120{NBSP}руб." in after


def test_the_prices_are_read_once_then_served_from_the_cache(person_client, eur_rate):
    cards(person_client)
    with CaptureQueriesContext(connection) as first_again:
        cards(person_client)

    assert len(first_again) <= 12
