"""The health-data consent in a browser, on a phone and on a desktop: the second demo person sees
no diagnosis on «Мои страховые случаи» until giving the consent there (checkbox and PIN), the
withdrawal on «Мои согласия» hides them again, and an operator's view of a service line in the
admin shows on the person's «Журнал доступа»."""

import pytest
from django.core.cache import cache

from claims.models import ServiceLine
from devtools.demo.logins import DEMO_PASSWORD, DEMO_PIN, SECOND_DEMO_EMAIL

from .conftest import DESKTOP, PHONE, log_in, screenshot
from .test_hr import staff_groups, staff_log_in  # noqa: F401  (the fixture)

OPERATOR_LOGIN = ("operator@example.com", "operator-pass-2026")


def newest_line() -> ServiceLine:
    return (
        ServiceLine.objects.filter(insured_person__links__user__email=SECOND_DEMO_EMAIL)
        .order_by("-service_date", "-pk")
        .first()
    )


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_diagnoses_appear_with_the_consent_and_go_with_its_withdrawal(
    staff_groups,  # noqa: F811
    page_factory,
    viewport,
):
    cache.clear()  # a TOTP code is accepted once per period: forget the other test's login
    line = newest_line()
    page = page_factory(viewport)
    log_in(page, SECOND_DEMO_EMAIL, DEMO_PASSWORD)

    # no consent: dates, clinics, amounts; no service names
    page.goto("/cases/")
    assert page.get_by_role("heading", name="Диагнозы и наименования услуг скрыты").is_visible()
    first_card = page.locator(".case-card").first
    assert line.clinic.name in first_card.inner_text()
    assert page.get_by_text(line.service_name).count() == 0
    screenshot(page, "cases-without-health-consent")

    # a wrong PIN: a Russian message, nothing changes
    page.get_by_label("Даю согласие").check()
    page.get_by_label("PIN-код").fill("0000")
    page.get_by_role("button", name="Дать согласие").click()
    assert page.get_by_text("Неверный PIN-код").is_visible()

    page.get_by_label("Даю согласие").check()
    page.get_by_label("PIN-код").fill(DEMO_PIN)
    page.get_by_role("button", name="Дать согласие").click()
    page.wait_for_url("**/cases/")
    assert line.service_name in page.locator(".case-card").first.inner_text()
    screenshot(page, "cases-with-health-consent")

    # the withdrawal hides them again at once
    page.goto("/profile/consents/")
    consent = page.locator(".consent").filter(has_text="сведений о состоянии здоровья")
    consent.get_by_label("PIN-код").fill(DEMO_PIN)
    screenshot(page, "consents")
    consent.get_by_role("button", name="Отозвать").click()
    page.wait_for_url("**/profile/consents/")
    page.goto("/cases/")
    assert page.get_by_text(line.service_name).count() == 0

    # an operator opens the service line in the admin: the person sees it in the access log
    admin = page_factory(viewport)
    staff_log_in(admin, *OPERATOR_LOGIN)
    admin.goto(f"/admin/claims/serviceline/{line.pk}/change/")
    page.goto("/profile/access-log/")
    assert page.get_by_role("cell", name="услуга ДМС с диагнозом по МКБ-10").first.is_visible()
    assert page.get_by_text("Оператор, №").first.is_visible()
    assert page.get_by_text("Григорьева").count() == 0
    screenshot(page, "access-log")
