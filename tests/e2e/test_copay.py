"""Co-pay in Chromium: the demo person consents with the PIN, binds a card in localstripe's fake
Stripe.js (4242 4242 4242 4242), and pays the debt with «Оплатить сейчас», on a phone and on a
desktop; a card the bank declines (4000 0000 0000 0002) is refused with a Russian message and
binds nothing; a card that needs 3-D Secure (4000 0025 0000 3155) binds after the bank's
challenge (localstripe's fake Stripe.js shows it as a modal with «Complete authentication» /
«Fail authentication»), and a failed challenge binds nothing. The card number is typed into the
provider's form only; afterwards no card number is in our database.

localstripe's fake Stripe.js logs to the console with console.log ("localstripe: …"); those are
not errors and are not collected. Nothing is filtered out of page.errors.
"""

import copy

import pytest
from playwright.sync_api import expect

from claims.models import ServiceLine
from payments.models import Charge, PaymentCard
from tests.payments.conftest import localstripe_url  # noqa: F401  (the session fixture)
from tests.payments.test_views import assert_no_card_numbers

from .conftest import DEMO_LOGIN, DESKTOP, PHONE, log_in, screenshot

PIN = "2580"


@pytest.fixture
def stripe_in_browser(settings, localstripe_url):  # noqa: F811
    settings.STRIPE_API_BASE = localstripe_url
    settings.STRIPE_JS_URL = f"{localstripe_url}/js.stripe.com/v3/"
    settings.STRIPE_SECRET_KEY = "sk_test_localstripe"
    policy = copy.deepcopy(settings.CONTENT_SECURITY_POLICY)
    for directive in ("script-src", "connect-src", "frame-src"):
        policy["DIRECTIVES"][directive] = [*policy["DIRECTIVES"][directive], localstripe_url]
    settings.CONTENT_SECURITY_POLICY = policy
    return localstripe_url


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_bind_card_and_pay_the_debt(demo_data, stripe_in_browser, page_factory, viewport):
    page = page_factory(viewport)
    person_id = consent_and_open_card_form(page, before_consent=check_debt_shown)
    type_card(page, "4242424242424242")
    screenshot(page, "copay-card-form")
    page.click("#card-submit")
    page.wait_for_url("**/copay/")

    section = page.locator(f"#copay-{person_id}")
    card_text = section.locator("[data-testid=bound-card]").inner_text()
    assert "4242" in card_text
    assert "+7\u00a0(800)\u00a0302-44-19" in card_text
    screenshot(page, "copay-bound")

    # pay now: the amount is confirmed first
    section.locator("[data-testid=pay-now]").click()
    confirm = page.locator("[data-testid=pay-confirm]")
    assert "Списать 544\u00a0руб." in confirm.inner_text()
    screenshot(page, "copay-pay-confirm")
    page.locator("[data-testid=pay-confirm-button]").click()
    page.wait_for_url("**/copay/")
    assert "Задолженность оплачена" in page.content()
    assert "0\u00a0руб." in page.locator(f"#copay-{person_id} [data-testid=debt]").inner_text()
    screenshot(page, "copay-paid")

    assert page.errors == []
    charge = Charge.objects.get(insured_person_id=person_id)
    assert charge.status == Charge.Status.SUCCEEDED and charge.amount == 544
    assert not ServiceLine.objects.filter(
        insured_person_id=person_id, copay_state=ServiceLine.CopayState.UNPAID
    ).exists()
    assert PaymentCard.objects.get(removed_at__isnull=True).last4 == "4242"
    assert_no_card_numbers()

    # the debt paid, the person may leave the program: what happens is said before the PIN
    section = page.locator(f"#copay-{person_id}")
    section.locator("[data-testid=copay-withdraw] summary").click()
    withdraw = section.locator("[data-testid=copay-withdraw]")
    assert "карта отвязана" in withdraw.inner_text()
    screenshot(page, "copay-withdraw")
    withdraw.locator("input[name$='-pin']").fill(PIN)
    withdraw.get_by_role("button", name="Выйти из программы").click()
    page.wait_for_url("**/copay/")
    assert "Вы вышли из со-оплатной программы" in page.content()
    assert not PaymentCard.objects.filter(removed_at__isnull=True).exists()
    page.goto("/profile/")
    history = page.locator("ul.history").inner_text()
    assert "банковская карта привязана" in history and "банковская карта отвязана" in history
    assert page.errors == []


def check_debt_shown(page, section) -> None:
    assert "544\u00a0руб." in section.locator("[data-testid=debt]").inner_text()
    screenshot(page, "copay-consent")


def consent_and_open_card_form(page, before_consent=None) -> str:
    """Log in as the demo person, consent with the tick and the PIN, open the provider's card
    form with the PIN; returns the person's id."""
    log_in(page, *DEMO_LOGIN)
    page.goto("/copay/")
    section = page.locator("section.copay").filter(has=page.locator("form.copay__consent")).first
    person_id = section.get_attribute("data-person")
    if before_consent:
        before_consent(page, section)
    section.locator("form.copay__consent input[type=checkbox]").check()
    section.locator("form.copay__consent input[name$='-pin']").fill(PIN)
    # one PIN for the consent and the card: the provider's form opens straight away
    section.get_by_role("button", name="Подключить и привязать карту").click()
    page.wait_for_selector("#card-element input[placeholder=number]")
    return person_id


def type_card(page, number: str) -> None:
    page.fill("#card-element input[placeholder=number]", number)
    page.fill("#card-element input[placeholder=exp_month]", "12")
    page.fill("#card-element input[placeholder=exp_year]", "31")
    page.fill("#card-element input[placeholder=cvc]", "123")
    page.fill("#card-element input[placeholder=postal_code]", "101000")


def card_error_shown(page) -> str:
    """Wait for the provider's answer to come back as a message on the form (a new submit
    clears the line, and keeps the button disabled until the answer)."""
    expect(page.locator("#card-submit")).to_be_enabled()
    errors = page.locator("#card-errors")
    expect(errors).not_to_be_empty()
    return errors.inner_text()


def provider_refusals_only(errors) -> list[str]:
    """Console errors other than the browser's note of the provider's 402 answer (a declined
    card is an HTTP 402 from the provider: expected here)."""
    return [e for e in errors if "status of 402" not in e]


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_declined_card_and_3ds_challenge_when_binding(
    demo_data, stripe_in_browser, page_factory, viewport
):
    page = page_factory(viewport)
    person_id = consent_and_open_card_form(page)

    # a card the bank declines: a Russian message, nothing bound, the form usable again
    type_card(page, "4000000000000002")
    page.click("#card-submit")
    message = card_error_shown(page)
    assert message.startswith("Карта не привязана.") and "Банк отклонил карту" in message
    assert "declined" not in message.lower()
    # still the provider's form (since the one-PIN flow of issue 23 it is the consent's answer,
    # /copay/<id>/consent/, not /card/), not the ledger
    assert not page.url.endswith("/copay/")
    expect(page.locator("#card-element input[placeholder=number]")).to_be_visible()
    assert not PaymentCard.objects.filter(enrollment__insured_person_id=person_id).exists()
    screenshot(page, "copay-card-declined")

    # a 3-D Secure card whose challenge the person fails: nothing bound
    type_card(page, "4000002500003155")
    page.click("#card-submit")
    page.get_by_role("button", name="Fail authentication").click()
    message = card_error_shown(page)
    assert message.startswith("Карта не привязана.")
    assert not PaymentCard.objects.filter(enrollment__insured_person_id=person_id).exists()

    # the same card, the challenge passed: bound
    page.click("#card-submit")
    challenge = page.get_by_role("button", name="Complete authentication")
    challenge.wait_for()
    assert page.locator("#card-errors").inner_text() == ""  # the last attempt's message is gone
    screenshot(page, "copay-card-3ds-challenge")
    challenge.click()
    page.wait_for_url("**/copay/")
    card_text = page.locator(f"#copay-{person_id} [data-testid=bound-card]").inner_text()
    assert "3155" in card_text
    screenshot(page, "copay-card-3ds-bound")

    card = PaymentCard.objects.get(enrollment__insured_person_id=person_id, removed_at=None)
    assert (card.last4, card.provider_payment_method_id[:3]) == ("3155", "pm_")
    assert provider_refusals_only(page.errors) == []
    assert_no_card_numbers()
