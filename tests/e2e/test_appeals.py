"""Journeys of «Мои страховые случаи» and «Мои обращения»: a complaint about a service answered
by an operator in the admin, and "service not provided" freezing the co-pay; on a phone and on a
desktop."""

import pytest
from django.core.cache import cache

from claims.models import ServiceLine
from feedback.models import Appeal
from portal.accounts.models import User

from .conftest import DEMO_LOGIN, DESKTOP, PHONE, log_in, screenshot
from .test_hr import staff_groups, staff_log_in  # noqa: F401  (the fixture)

OPERATOR_LOGIN = ("operator@example.com", "operator-pass-2026")


def demo_unpaid_line() -> ServiceLine:
    user = User.objects.get(email=DEMO_LOGIN[0])
    return (
        ServiceLine.objects.filter(
            insured_person__links__user=user, copay_state=ServiceLine.CopayState.UNPAID
        )
        .order_by("-service_date")
        .first()
    )


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_complaint_on_a_service_gets_the_operators_answer(
    staff_groups,  # noqa: F811
    page_factory,
    viewport,
):
    # given: the demo person on «Мои страховые случаи»
    cache.clear()  # a TOTP code is accepted once per period: forget the other test's login
    page = page_factory(viewport)
    log_in(page, *DEMO_LOGIN)
    page.goto("/cases/")
    assert page.get_by_role("heading", name="Мои страховые случаи ДМС").is_visible()
    screenshot(page, "cases")

    # when: they leave a complaint from the first service's card
    card = page.locator(".case-card").first
    card.get_by_role("link", name="Оставить отзыв").click()
    page.get_by_label("Жалоба").check()
    page.get_by_label("Текст обращения").fill("Приём начался на 40 минут позже записи")
    screenshot(page, "appeal-new")
    page.get_by_role("button", name="Отправить").click()
    page.wait_for_url("**/appeals/*/")
    assert page.get_by_text("зарегистрировано").first.is_visible()

    # and an operator answers it in the admin, from the appeals queue
    appeal = Appeal.objects.get(kind=Appeal.Kind.COMPLAINT, user__email=DEMO_LOGIN[0])
    admin = page_factory(viewport)
    staff_log_in(admin, *OPERATOR_LOGIN)
    admin.goto("/admin/feedback/appeal/")
    row = admin.locator("tr").filter(has_text=appeal.number)
    row.get_by_role("link", name="Ответить").click()
    assert admin.get_by_text("Приём начался на 40 минут позже записи").is_visible()
    admin.get_by_role("textbox", name="Ответ").fill("Приносим извинения, врач предупреждён.")
    screenshot(admin, "appeal-admin-answer")
    admin.get_by_role("button", name="Отправить").click()
    admin.get_by_text(f"Ответ на обращение № {appeal.number} отправлен").wait_for()
    assert admin.errors == []

    # then: the answer and the status show in the thread
    page.reload()
    assert page.get_by_text("Приносим извинения, врач предупреждён.").is_visible()
    assert page.get_by_text("дан ответ").first.is_visible()
    screenshot(page, "appeal-answered")
    page.goto("/appeals/")
    assert page.get_by_text(appeal.number).first.is_visible()
    screenshot(page, "appeals")
    assert page.errors == []


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_service_not_provided_freezes_the_copay(demo_data, page_factory, viewport):
    # given: a service with an unpaid co-pay, shown by filtering on its day
    line = demo_unpaid_line()
    day = line.service_date.isoformat()
    page = page_factory(viewport)
    log_in(page, *DEMO_LOGIN)
    page.goto(f"/cases/?date_from={day}&date_to={day}")
    card = page.locator(f"#line-{line.pk}")
    assert "(не оплачено)" in card.inner_text()

    # when: the person reports that the service was not provided
    card.get_by_role("link", name="Услуга не оказана").click()
    page.get_by_label("Текст обращения").fill("В этот день я не был в клинике")
    page.get_by_role("button", name="Отправить").click()
    page.wait_for_url("**/appeals/*/")

    # then: the co-pay is frozen, on the appeal and on the service's card
    assert page.get_by_text("заморожено до решения по обращению").first.is_visible()
    page.goto(f"/cases/?date_from={day}&date_to={day}")
    card = page.locator(f"#line-{line.pk}")
    assert "(заморожено до решения по обращению)" in card.inner_text()
    assert card.get_by_role("link", name="Услуга не оказана").count() == 0
    screenshot(page, "cases-frozen")
    line.refresh_from_db()
    assert line.copay_state == ServiceLine.CopayState.FROZEN
    assert page.errors == []


def test_guarantee_letters_page(demo_data, page_factory):
    for viewport in (PHONE, DESKTOP):
        page = page_factory(viewport)
        log_in(page, *DEMO_LOGIN)
        page.goto("/guarantee-letters/")
        assert page.get_by_role("heading", name="Гарантийные письма").is_visible()
        screenshot(page, "guarantee-letters")
        assert page.errors == []
