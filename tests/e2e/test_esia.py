"""Browser journey: a new person logs in through Госуслуги (the ESIA emulator on the live server),
picks a test person, gives an e-mail and a PIN and lands in the cabinet; on a phone and a desktop.
"""

import pytest

from portal.accounts.models import User
from tests.esia.conftest import PIN, esia, esia_keys  # noqa: F401 - fixtures

from .conftest import DESKTOP, PHONE, screenshot


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_new_person_logs_in_through_esia(
    transactional_db,
    live_server,
    esia,  # noqa: F811 - the fixture imported above
    page_factory,
    viewport,
):
    # given
    page = page_factory(viewport)

    # when: through Госуслуги (the emulator) to the last step of the signup
    esia_to_the_signup_step(page)

    # then: the last step shows what ESIA gave and asks for an e-mail and a PIN
    assert page.get_by_text("Соколова Мария Игоревна").is_visible()
    assert page.get_by_label("Электронная почта").input_value() == "m.sokolova@example.ru"
    screenshot(page, "esia-signup")
    page.locator("input[name=pin1]").fill(PIN)
    page.locator("input[name=pin2]").fill(PIN)
    page.get_by_role("button", name="Создать кабинет").click()

    # and the person is in the cabinet, with an account filled from ESIA
    page.wait_for_url(f"{live_server.url}/")
    assert "Здравствуйте, Мария" in page.get_by_role("heading", level=1).inner_text()
    screenshot(page, "esia-dashboard")
    user = User.objects.get(email="m.sokolova@example.ru")
    assert user.passport == "4512345678" and user.birth_date.isoformat() == "1989-03-14"

    # when: they log out
    page.get_by_role("button", name="Выйти", exact=True).click()

    # then: through ESIA's logout back to the portal, out of both
    page.wait_for_url(f"{live_server.url}/")
    page.goto("/profile/")
    page.wait_for_url("**/accounts/login/**")
    page.get_by_role("link", name="Войти через Госуслуги").click()
    page.get_by_role("button", name="Продолжить на Госуслугах").click()
    page.wait_for_url("**/esia-emulator/aas/oauth2/v2/ac?**")
    assert page.get_by_text("Вы уже вошли в ЕСИА").count() == 0
    assert page.errors == []


def esia_to_the_signup_step(page) -> None:
    """«Войти через Госуслуги» on the login page, the emulator's person «Соколова Мария Игоревна»,
    and back to the portal's last signup step (ESIA's answer pending in the session)."""
    page.goto("/accounts/login/")
    page.get_by_role("link", name="Войти через Госуслуги").click()
    screenshot(page, "esia-start")
    page.get_by_role("button", name="Продолжить на Госуслугах").click()
    page.wait_for_url("**/esia-emulator/aas/oauth2/v2/ac?**")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Вход в «")
    screenshot(page, "esia-emulator")
    page.get_by_text("Соколова Мария Игоревна").click()
    page.get_by_role("button", name="Предоставить доступ и войти").click()
    page.wait_for_url("**/accounts/3rdparty/signup/")
