"""Journeys of issue 23's rules, on a phone and a desktop: home set by typing an address and
picking a suggestion (DaData's API answered by its emulator on the live server), the clinic list
then sorted by the distance from it; «Мои страховые случаи» for the last 12 months with
«Показать ещё»; a person without a password told so on the profile."""

import pytest

from .conftest import ARTIFACTS, DEMO_LOGIN, DESKTOP, PHONE, log_in
from .conftest import screenshot as full_screenshot


def screenshot(page, name: str) -> None:
    """The whole page (checked by axe-core), and what the first screen shows, to look at."""
    full_screenshot(page, name)
    page.screenshot(path=str(ARTIFACTS / f"{name}-{page.viewport_size['width']}-screen.png"))


@pytest.fixture
def dadata_emulator(live_server, settings):
    settings.DADATA_SUGGESTIONS_URL = f"{live_server.url}/dadata-emulator/suggestions/api/4_1/rs"
    settings.DADATA_API_KEY = "test-token"


def no_sideways_scroll(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"{page.url} scrolls sideways: {width}px"


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_home_by_address_sorts_the_clinics_by_distance(
    demo_data, dadata_emulator, page_factory, viewport
):
    page = page_factory(viewport)
    log_in(page, *DEMO_LOGIN)
    page.goto("/clinics/")
    page.locator("#places summary").click()
    form = page.locator("[data-place-form]")
    form.get_by_label("Адрес").press_sequentially("тверская 1", delay=40)
    suggestion = page.locator("[data-address-value]").first
    suggestion.wait_for()
    assert "Тверская" in suggestion.inner_text()
    suggestion.scroll_into_view_if_needed()
    screenshot(page, "place-address-suggestions-list")
    suggestion.click()
    assert form.locator("input[name=latitude]").input_value().startswith("55.")
    form.get_by_role("button", name="Сохранить точку").click()
    page.wait_for_url("**/clinics/**")

    sorted_by = page.locator("[data-testid=sorted-by-distance]").inner_text()
    assert "по расстоянию от дома" in sorted_by and "Тверская" in sorted_by
    assert page.locator(".clinic-card__distance").count() > 0
    assert "км" in page.locator(".clinic-card__distance").first.inner_text()
    no_sideways_scroll(page)
    screenshot(page, "clinics-by-distance")
    assert page.errors == []


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_cases_show_the_last_12_months_and_more_on_request(demo_data, page_factory, viewport):
    page = page_factory(viewport)
    log_in(page, *DEMO_LOGIN)
    page.goto("/cases/")

    assert "за последние 12 месяцев" in page.locator("[data-testid=cases-period]").inner_text()
    cards = page.locator("li.case-card")
    first = cards.count()
    assert 0 < first <= 20
    screenshot(page, "cases-12-months")
    more = page.locator("[data-testid=cases-more]")
    if more.count():
        more.click()
        page.locator("li.case-card").nth(first).wait_for()
        assert page.url.endswith("/cases/")  # htmx added the cards, the page stayed
        screenshot(page, "cases-more")
    assert page.errors == []
