"""The journeys of test_copay and test_shop with PAYMENT_GATEWAY=yookassa, in Chromium against
the ЮKassa emulator of the live server: the demo person binds a Mir card on ЮKassa's page (a
10 ₽ check, cancelled), pays the debt (an autopayment with the saved method) and opens the
fiscal «Чек» with ФН, ФД, ФП and the QR code; then buys an ОСАГО policy by СБП. The card number
is typed on the provider's page only."""

import datetime

import pytest
from django.utils import timezone

from claims.models import ServiceLine
from payments.models import Charge, PaymentCard, Receipt
from policies.models import Policy
from shop.models import Purchase
from tests.payments.gateways import YK_CARD_OK, YooKassaPerson
from tests.payments.test_views import assert_no_card_numbers

from .conftest import DEMO_LOGIN, DESKTOP, PHONE, log_in, screenshot
from .test_shop import tariffs  # noqa: F401  (the fixture)

PIN = "2580"


@pytest.fixture
def yookassa_in_browser(settings, live_server):
    base = f"{live_server.url}/yookassa-emulator"
    settings.PAYMENTS_GATEWAY = "gateways.yookassa.YooKassaGateway"
    settings.YOOKASSA_API_URL = f"{base}/v3"
    settings.YOOKASSA_EMULATOR_NOTIFY_URL = f"{live_server.url}/payments/webhooks/yookassa/"
    person = YooKassaPerson(base)
    person.control("reset")
    yield person
    settings.YOOKASSA_EMULATOR_NOTIFY_URL = ""


def wait_for_registration(page) -> None:
    """The fiscal attributes are read back from ЮKassa after the payment's commit (the outbox):
    until then the «Чек» says it is being registered; the person reloads."""
    for _ in range(30):
        if page.locator("[data-testid=fp]").count():
            return
        assert page.locator("[data-testid=receipt-pending]").count() == 1
        page.wait_for_timeout(500)
        page.reload()
    raise AssertionError("чек не зарегистрирован за 15 с")


def pay_on_yookassas_page(page, number: str, name: str) -> None:
    page.wait_for_url("**/yookassa-emulator/checkout/**")
    page.fill("#yk-number", number)
    page.fill("#yk-expiry", "12/30")
    page.fill("#yk-cvc", "123")
    screenshot(page, name)
    page.click("#yk-pay")


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_bind_a_mir_card_pay_the_debt_and_see_the_fiscal_receipt(
    demo_data, yookassa_in_browser, page_factory, viewport
):
    page = page_factory(viewport)
    log_in(page, *DEMO_LOGIN)
    page.goto("/copay/")
    section = page.locator("section.copay").filter(has=page.locator("form.copay__consent")).first
    person_id = section.get_attribute("data-person")
    section.locator("form.copay__consent input[type=checkbox]").check()
    section.locator("form.copay__consent input[name$='-pin']").fill(PIN)
    # one PIN for the consent and the card: ЮKassa's page opens straight away
    section.get_by_role("button", name="Подключить и привязать карту").click()
    pay_on_yookassas_page(page, YK_CARD_OK, "yookassa-card-check")
    page.wait_for_url("**/copay/")
    assert "привязана" in page.content()
    section = page.locator(f"#copay-{person_id}")
    assert "2987" in section.locator("[data-testid=bound-card]").inner_text()
    screenshot(page, "yookassa-copay-bound")

    section.locator("[data-testid=pay-now]").click()
    page.locator("[data-testid=pay-confirm-button]").click()  # the amount is confirmed first
    page.wait_for_url("**/copay/")
    assert "Задолженность оплачена" in page.content()
    charge = Charge.objects.get(insured_person_id=person_id)
    assert charge.status == Charge.Status.SUCCEEDED
    assert not ServiceLine.objects.filter(
        insured_person_id=person_id, copay_state=ServiceLine.CopayState.UNPAID
    ).exists()
    card = PaymentCard.objects.get(removed_at__isnull=True)
    assert (card.gateway, card.last4) == ("yookassa", "2987")
    assert_no_card_numbers()

    receipt = Receipt.objects.get(source=Receipt.Source.COPAY, source_id=charge.pk)
    page.goto(f"/copay/receipts/{receipt.pk}/")
    wait_for_registration(page)
    text = page.locator("[data-testid=fiscal-receipt]").inner_text()
    assert "Кассовый чек — приход" in text and receipt.seller_inn in text
    assert page.locator("[data-testid=fn]").inner_text() == receipt.fiscal_storage_number
    assert page.locator("[data-testid=receipt-qr]").is_visible()
    assert "&n=1" in page.locator("[data-testid=qr-string]").inner_text()
    screenshot(page, "yookassa-receipt")
    assert page.errors == []


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_buy_osago_by_sbp(tariffs, yookassa_in_browser, page_factory, viewport):  # noqa: F811
    page = page_factory(viewport)
    log_in(page, *DEMO_LOGIN)
    page.goto("/shop/osago/")
    start = timezone.localdate() + datetime.timedelta(days=2)
    page.select_option("#id_region", "77")
    page.fill("#id_power_hp", "110")
    page.fill("#id_starts_on", start.isoformat())
    page.fill("#id_vin", "XTA21099043512345")
    page.fill("#id_plate", "А123ВС77")
    page.fill("#id_make", "Lada")
    page.fill("#id_model", "Vesta")
    page.fill("#id_year", "2020")
    page.fill("#id_registration_document", "99 12 345678")
    values = ("Смирнов", "Алексей", "Петрович", "1986-04-12", "36 16", "123456", "2006-05-20")
    fields = ("last_name", "first_name", "middle_name", "birth_date")
    fields += ("licence_series", "licence_number", "licence_since")
    for field, value in zip(fields, values, strict=True):
        page.fill(f"#id_drivers-0-{field}", value)
    page.get_by_role("button", name="Рассчитать").click()
    page.wait_for_url("**/shop/quotes/*/")
    page.check("#id_rules")
    page.get_by_role("button", name="Перейти к оплате").click()
    page.wait_for_url("**/shop/purchases/*/pay/")

    page.get_by_label("СБП — Система быстрых платежей").check()
    screenshot(page, "yookassa-shop-methods")
    page.click("#checkout-submit")
    page.wait_for_url("**/yookassa-emulator/checkout/**")
    screenshot(page, "yookassa-sbp")
    page.click("#yk-pay")
    page.wait_for_url("**/shop/purchases/*/")
    assert "Полис оформлен" in page.content()

    purchase = Purchase.objects.select_related("policy").get(status=Purchase.Status.PAID)
    assert purchase.policy.status == Policy.Status.ACTIVE
    page.click("[data-testid=receipt-link]")
    page.wait_for_url("**/copay/receipts/*/")
    assert "Страховая премия по полису" in page.content()
    wait_for_registration(page)
    assert page.locator("[data-testid=fp]").inner_text().isdigit()
    screenshot(page, "yookassa-shop-receipt")
    assert page.errors == []
