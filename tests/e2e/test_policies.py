"""«Мои полисы» in Chromium: a newcomer adds her DMS policy by number (is asked for the health-data
consent and leaves it for later) and downloads its PDF, then adds her son's policy (is asked
again and gives it) and downloads his; on a phone and on a desktop; the card folds with
«Скрыть»."""

import datetime

import pytest
from allauth.account.models import EmailAddress

from tests.factories import DEFAULT_PASSWORD, InsuredPersonFactory, UserFactory

from .conftest import DESKTOP, PHONE, log_in, screenshot

NUMBER = "ДМС-0147-000900"
PIN = "2580"
CHILD_NUMBER = "ДМС-0147-000901"


@pytest.fixture
def newcomer(transactional_db):
    """Кузнецова of the demo register: her register row, and a fresh account with her data."""
    mother = InsuredPersonFactory(
        policy_number=NUMBER,
        last_name="Кузнецова",
        first_name="Ольга",
        middle_name="Игоревна",
        birth_date=datetime.date(1990, 2, 15),
    )
    InsuredPersonFactory(
        child=True,
        parent=mother,
        contract=mother.contract,
        program=mother.program,
        policy_number=CHILD_NUMBER,
        last_name="Кузнецов",
        first_name="Артём",
        middle_name="Сергеевич",
        birth_date=datetime.date(2018, 3, 10),
    )
    user = UserFactory(
        email="o.kuznetsova@example.com",
        last_name="Кузнецова",
        first_name="Ольга",
        middle_name="Игоревна",
        birth_date=datetime.date(1990, 2, 15),
    )
    user.set_pin(PIN)
    user.save()
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_newcomer_adds_her_policy_and_downloads_its_pdf(newcomer, page_factory, viewport):
    # given: logged in through the login form
    page = page_factory(viewport)
    log_in(page, newcomer.email, DEFAULT_PASSWORD)

    # when: «Мои полисы» → «Добавить полис», the number, «Отправить»
    page.goto("/policies/")
    page.get_by_role("link", name="Добавить полис", exact=True).first.click()
    page.wait_for_url("**/policies/add/")
    assert page.get_by_text("Кузнецова Ольга Игоревна").is_visible()
    assert page.get_by_text("15.02.1990").is_visible()
    page.get_by_label("Номер полиса").fill(NUMBER)
    page.get_by_role("button", name="Отправить").click()

    # then: the number found, to confirm
    assert page.get_by_text(f"№ {NUMBER}").is_visible()
    screenshot(page, "policy-found")
    page.get_by_role("button", name="Добавить в личный кабинет").click()

    # then: linked, and asked for the separate health-data consent (152-FZ art. 9), which she
    # leaves for later
    page.wait_for_url("**/profile/consents/health/**")
    assert page.get_by_text(f"Полис № {NUMBER} добавлен").is_visible()
    screenshot(page, "policy-health-consent")
    page.get_by_role("link", name="Не сейчас").click()
    page.wait_for_url("**/policies/**")
    card = page.locator("article.policy-card").first
    assert card.get_by_role("heading", name="Добровольное медицинское страхование").is_visible()
    assert card.get_by_role("link", name="Просмотреть список ЛПУ").is_visible()
    screenshot(page, "policies")

    # when: the PDF is downloaded (made inline: eager Celery), then
    assert_downloads_pdf(page, card, NUMBER)

    # and the card folds and unfolds
    toggle = card.locator("[data-card-toggle]")
    assert toggle.inner_text().startswith("Скрыть")
    toggle.click()
    assert toggle.get_attribute("aria-expanded") == "false"
    assert toggle.inner_text().startswith("Показать")
    assert not card.get_by_role("link", name="Скачать полис ДМС").is_visible()
    toggle.click()
    assert card.get_by_role("link", name="Скачать полис ДМС").is_visible()

    # when: «Добавить полис ребёнка», the child's data as on his policy
    page.get_by_role("link", name="Добавить полис ребёнка").first.click()
    page.wait_for_url("**/policies/add-child/")
    page.get_by_label("Номер полиса ребёнка").fill(CHILD_NUMBER)
    page.get_by_label("Фамилия ребёнка").fill("Кузнецов")
    page.get_by_label("Имя ребёнка").fill("Артём")
    page.get_by_label("Отчество ребёнка").fill("Сергеевич")
    page.get_by_label("Дата рождения ребёнка").fill("2018-03-10")
    screenshot(page, "policy-child-form")
    page.get_by_role("button", name="Отправить").click()

    # then: the health-data consent is asked for again (his service history is health data too);
    # this time she gives it
    page.wait_for_url("**/profile/consents/health/**")
    assert page.get_by_text(f"Полис ребёнка № {CHILD_NUMBER} добавлен").is_visible()
    page.get_by_label("Даю согласие").check()
    page.get_by_label("PIN-код").fill(PIN)
    page.get_by_role("button", name="Дать согласие").click()

    # and his policy is in «Мои полисы», and its PDF downloads too
    page.wait_for_url("**/policies/")
    assert page.get_by_text("Согласие дано").is_visible()
    child_card = page.locator("article.policy-card").filter(has_text=CHILD_NUMBER).first
    assert child_card.get_by_text("Кузнецов Артём Сергеевич").first.is_visible()
    screenshot(page, "policies-with-child")
    assert_downloads_pdf(page, child_card, CHILD_NUMBER)
    assert page.errors == []


def assert_downloads_pdf(page, card, number: str) -> None:
    with page.expect_download() as download_info:
        card.get_by_role("link", name="Скачать полис ДМС").click()
    download = download_info.value
    assert download.suggested_filename == f"Полис ДМС {number}.pdf"
    with open(download.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"
