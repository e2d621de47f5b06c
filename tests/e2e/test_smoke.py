"""Smoke journey: the demo person logs in and sees the dashboard, on a phone and on a desktop."""

import pytest

from .conftest import DEMO_LOGIN, DESKTOP, PHONE, log_in, screenshot


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_demo_person_logs_in_and_sees_dashboard(demo_data, page_factory, viewport):
    # given
    page = page_factory(viewport)

    # when
    log_in(page, *DEMO_LOGIN)

    # then
    heading = page.get_by_role("heading", level=1)
    assert "Здравствуйте, Алексей" in heading.inner_text()
    assert page.get_by_text("ОСАГО").first.is_visible()
    shot = screenshot(page, "dashboard")
    assert shot.stat().st_size > 10_000
    assert page.errors == []


def test_phone_menu_opens_with_keyboard(demo_data, page_factory):
    # given: a 360 px phone, where the sidebar is folded into a menu
    page = page_factory(PHONE)
    log_in(page, *DEMO_LOGIN)
    menu = page.get_by_role("navigation", name="Разделы кабинета")
    assert not menu.is_visible()

    # when: the menu button is reached and pressed from the keyboard
    toggle = page.get_by_role("button", name="Меню")
    toggle.focus()
    page.keyboard.press("Enter")

    # then: the sidebar shows every section and the shop button, and Escape closes it
    assert menu.is_visible()
    assert toggle.get_attribute("aria-expanded") == "true"
    for label in ("Мои полисы", "Личная информация", "Мои страховые случаи", "Мои обращения"):
        assert menu.get_by_role("link", name=label).is_visible()
    assert menu.get_by_role("link", name="КУПИТЬ ПОЛИС ОНЛАЙН").is_visible()
    screenshot(page, "menu-open")
    page.keyboard.press("Escape")
    assert not menu.is_visible()
    assert page.errors == []
