"""Buying ОСАГО and a travel policy (ВЗР) in Chromium: the quote form, the price with its
breakdown, the checkout with the rules consent, the card typed into localstripe's fake Stripe.js,
and the issued policy in «Мои полисы» — on a phone and on a desktop."""

import datetime
import importlib
import io
import re

import pytest
from django.apps import apps
from django.utils import timezone
from pypdf import PdfReader

from policies.models import Policy
from shop.models import Purchase, TariffVersion
from tests.payments.conftest import localstripe_url  # noqa: F401  (the session fixture)

from .conftest import ARTIFACTS, DEMO_LOGIN, DESKTOP, PHONE, log_in, screenshot
from .test_copay import stripe_in_browser  # noqa: F401  (the fixture)

FAMILY = (
    ("IVANOV", "ALEKSEI", "1988-04-12", "75 1234567"),
    ("IVANOVA", "MARIIA", "1990-06-01", "75 1234568"),
    ("IVANOVA", "SOFIIA", "2016-03-15", "75 1234569"),
)
SEEDS = [
    importlib.import_module(f"shop.migrations.{name}")
    for name in (
        "0002_seed_osago_tariffs",
        "0010_seed_travel_tariffs",
        "0013_seed_osago_territories",
    )
]


@pytest.fixture
def tariffs(demo_data):
    # the transactional database lost the migration's rows: seed them again
    if not TariffVersion.objects.exists():
        for seed in SEEDS:
            seed.seed(apps, None)


def shop_page(page_factory, viewport):
    page = page_factory(viewport)
    log_in(page, *DEMO_LOGIN)
    page.goto("/shop/")
    return page


def check_out_and_pay(page, name: str) -> Purchase:
    """From the price page: accept the rules, pay with a card on the provider's form, see the
    issued policy, then find it in «Мои полисы»."""
    page.check("#id_rules")
    page.get_by_role("button", name="Перейти к оплате").click()
    page.wait_for_url("**/shop/purchases/*/pay/")

    page.wait_for_selector("#card-element input[placeholder=number]")
    page.fill("#card-element input[placeholder=number]", "4242424242424242")
    page.fill("#card-element input[placeholder=exp_month]", "12")
    page.fill("#card-element input[placeholder=exp_year]", "31")
    page.fill("#card-element input[placeholder=cvc]", "123")
    page.fill("#card-element input[placeholder=postal_code]", "101000")
    screenshot(page, f"{name}-pay")
    page.click("#card-submit")
    page.wait_for_url("**/shop/purchases/*/")
    assert "Полис оформлен" in page.content()
    screenshot(page, f"{name}-issued")

    purchase = Purchase.objects.select_related("policy").get(status=Purchase.Status.PAID)
    assert purchase.policy.status == Policy.Status.ACTIVE
    page.goto("/policies/")
    assert purchase.policy.number in page.content()
    return purchase


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_buy_osago_and_see_it_in_my_policies(
    tariffs,
    stripe_in_browser,  # noqa: F811
    page_factory,
    viewport,
    settings,
    live_server,
):
    # the drivers' КБМ classes come from the РСА emulator of the live server
    settings.RSA_KBM_URL = f"{live_server.url}/rsa-emulator"
    page = shop_page(page_factory, viewport)
    screenshot(page, "shop-index")
    page.get_by_role("link", name="Рассчитать стоимость").first.click()
    page.wait_for_url("**/shop/osago/")

    start = timezone.localdate() + datetime.timedelta(days=2)
    page.select_option("#id_region", "36")
    # the town suggestions follow the subject (htmx)
    page.wait_for_selector("#osago-towns option[value='Лиски']", state="attached")
    page.fill("#id_town", "Лиски")
    page.fill("#id_power_hp", "110")
    page.fill("#id_starts_on", start.isoformat())
    page.fill("#id_vin", "XTA21099043512345")
    page.fill("#id_plate", "А123ВС36")
    page.fill("#id_make", "Lada")
    page.fill("#id_model", "Vesta")
    page.fill("#id_year", "2020")
    page.fill("#id_registration_document", "99 12 345678")
    drivers = [
        ("Смирнов", "Алексей", "Петрович", "1986-04-12", "36 16", "123456", "2006-05-20"),
        ("Смирнова", "Ольга", "Ивановна", "1990-11-02", "36 19", "654321", "2008-12-01"),
    ]
    for n, values in enumerate(drivers):
        if n:
            page.get_by_role("button", name="Добавить водителя").click()
        fields = ("last_name", "first_name", "middle_name", "birth_date")
        fields += ("licence_series", "licence_number", "licence_since")
        for field, value in zip(fields, values, strict=True):
            page.fill(f"#id_drivers-{n}-{field}", value)
    screenshot(page, "shop-osago-form")
    page.get_by_role("button", name="Рассчитать").click()
    page.wait_for_url("**/shop/quotes/*/")

    # Лиски 1.08; the РСА's classes 13 (0.46) and 10 (0.63): the larger КВС × КБМ is
    # 0.93 × 0.63; 5500 × 1.08 × 0.63 × 0.93 × 1 × 1.2 × 1 × 1 × 1 = 4 176,30 ₽
    assert "4 176,30" in page.locator(".shop-premium").inner_text().replace("\xa0", " ")
    assert "АИС ОСАГО РСА, проверено" in page.content()
    screenshot(page, "shop-osago-price")
    check_out_and_pay(page, "shop-osago")
    screenshot(page, "shop-osago-my-policies")
    assert page.errors == []


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_buy_travel_policy_and_see_it_in_my_policies(
    tariffs,
    stripe_in_browser,  # noqa: F811
    page_factory,
    viewport,
):
    page = shop_page(page_factory, viewport)
    page.locator('a[href="/shop/travel/"]').click()
    page.wait_for_url("**/shop/travel/")

    start = timezone.localdate() + datetime.timedelta(days=5)
    end = start + datetime.timedelta(days=9)
    for country in ("Италия", "Франция", "Турция"):
        page.get_by_label(country, exact=True).check()
    page.fill("#id_starts_on", start.isoformat())
    page.fill("#id_ends_on", end.isoformat())
    # a family of three, as their foreign passports name them; the second and the third rows
    # wait behind «Добавить путешественника»
    assert not page.locator("#id_travellers-1-last_name_latin").is_visible()
    for index, (last, first, born, passport) in enumerate(FAMILY):
        if index:
            page.get_by_role("button", name="Добавить путешественника").click()
        page.fill(f"#id_travellers-{index}-last_name_latin", last)
        page.fill(f"#id_travellers-{index}-first_name_latin", first)
        page.fill(f"#id_travellers-{index}-birth_date", born)
        page.fill(f"#id_travellers-{index}-passport_number", passport)
    page.select_option("#id_sum_insured", "15000")
    page.check("input[name=sport][value=active]")
    screenshot(page, "shop-travel-form")
    page.get_by_role("button", name="Рассчитать").click()
    # Schengen needs 30 000 EUR at least: refused in Russian, the choices and travellers kept
    error = page.locator(".field--invalid .field__error").first
    error.wait_for()
    assert "Шенгенской зоны (Италия, Франция)" in error.inner_text()
    assert "консульство не устроит" in page.content()
    assert page.get_by_label("Турция", exact=True).is_checked()
    assert page.input_value("#id_travellers-2-first_name_latin") == "SOFIIA"
    screenshot(page, "shop-travel-schengen-refused")
    # a Cyrillic name is refused at its field
    page.fill("#id_travellers-1-first_name_latin", "Мария")
    page.select_option("#id_sum_insured", "50000")
    page.get_by_role("button", name="Рассчитать").click()
    assert (
        "русские буквы здесь не подходят"
        in page.locator(
            "#id_travellers-1-first_name_latin_error, .field--invalid"
        ).first.inner_text()
        or "русские буквы здесь не подходят" in page.content()
    )
    page.fill("#id_travellers-1-first_name_latin", "MARIIA")
    page.get_by_role("button", name="Рассчитать").click()
    page.wait_for_load_state()
    errors = page.locator(".field__error, .form-errors").all_inner_texts()
    assert "/shop/quotes/" in page.url or not errors, errors
    page.wait_for_url("**/shop/quotes/*/", timeout=30_000)

    # 1.100 EUR × (1.00 + 1.00 + 1.00) × 1.50 × 10 days = 49.50 EUR × 91.5000 = 4 529,25 ₽
    assert "4 529,25" in page.locator(".shop-premium").inner_text().replace("\xa0", " ")
    screenshot(page, "shop-travel-price")
    purchase = check_out_and_pay(page, "shop-travel")
    card = page.locator(f"#policy-{purchase.policy.pk}")
    text = card.inner_text().replace("\xa0", " ")
    assert "Италия, Турция, Франция" in text and "50 000 EUR" in text
    assert "IVANOV ALEKSEI, IVANOVA MARIIA, IVANOVA SOFIIA" in text
    link = card.get_by_role("link", name="Скачать полис (PDF)")
    assert link.is_visible()
    # the bilingual PDF names all three in Latin (made by the worker when the payment completed)
    response = page.request.get(link.get_attribute("href"))
    assert response.headers["content-type"] == "application/pdf"
    pdf = PdfReader(io.BytesIO(response.body()))
    pdf_text = " ".join(" ".join(p.extract_text() for p in pdf.pages).split())
    for part in (
        "IVANOV ALEKSEI",
        "IVANOVA MARIIA",
        "IVANOVA SOFIIA",
        "Travel medical insurance",
        "Insured persons",
        "Застрахованные лица",
        "France, Italy, Türkiye",
        "/verify/",
    ):
        assert part in pdf_text, part
    if viewport == DESKTOP:
        (ARTIFACTS / "shop-travel-policy.pdf").write_bytes(response.body())
    # its QR code leads to the public check, in Russian and English
    # (pypdf may break the printed token where the line's glyphs are spaced: spaces removed)
    verify = re.search(r"/verify/[\w\- ]+/", pdf_text).group(0).replace(" ", "")
    page.goto(verify)
    assert "The policy is" in page.content() and "IVANOVA SOFIIA" in page.content()
    screenshot(page, "shop-travel-verify")
    page.goto("/policies/")
    screenshot(page, "shop-travel-my-policies")
    assert page.errors == []
