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


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_copay_and_appeal_pages_name_no_service_without_the_consent(
    demo_data, page_factory, viewport
):
    """The second demo person's unpaid co-pay line: «Со-оплата», its receipt-to-be and the appeal
    about it show the date, the clinic and the amount, never the service's name."""
    from decimal import Decimal

    from policies.models import Program

    line = newest_line()
    person = line.insured_person
    copay = Program.objects.filter(contract=person.contract, copay_share__gt=0).first()
    copay = copay or Program.objects.filter(copay_share__gt=0).first()
    type(person).objects.filter(pk=person.pk).update(program=copay, contract=copay.contract)
    ServiceLine.objects.filter(pk=line.pk).update(
        copay_amount=Decimal("544.00"), copay_state=ServiceLine.CopayState.UNPAID
    )
    page = page_factory(viewport)
    log_in(page, SECOND_DEMO_EMAIL, DEMO_PASSWORD)

    page.goto("/copay/")
    ledger = page.locator("table.copay__lines").first
    assert "544\u00a0руб." in ledger.inner_text()
    assert line.clinic.name in ledger.inner_text()
    assert "наименование скрыто" in ledger.inner_text()
    assert page.get_by_text(line.service_name).count() == 0
    screenshot(page, "copay-without-health-consent")

    page.goto(f"/appeals/new/?service_line={line.pk}&kind=not_provided")
    assert page.get_by_text(line.clinic.name).first.is_visible()
    assert page.get_by_text(line.service_name).count() == 0
    page.get_by_label("Текст обращения").fill("В этот день я не был в клинике")
    page.get_by_role("button", name="Отправить").click()
    page.wait_for_url("**/appeals/*/")
    assert page.get_by_text(line.service_name).count() == 0
    assert page.get_by_text(f"({line.clinic.name})").first.is_visible()
    screenshot(page, "appeal-without-health-consent")
    assert page.errors == []


def test_retention_dry_run_lists_and_a_real_run_leaves_an_act_read_in_the_admin(
    staff_groups,  # noqa: F811
    page_factory,
):
    import datetime
    from io import StringIO

    from axes.models import AccessLog
    from django.core.management import call_command
    from django.utils import timezone

    from portal.core.models import DestructionAct

    cache.clear()
    # a login record past its year
    login = AccessLog.objects.create(username="old@example.com", ip_address="10.0.0.1")
    AccessLog.objects.filter(pk=login.pk).update(
        attempt_time=timezone.now() - datetime.timedelta(days=400)
    )

    # the dry run lists what would go and changes nothing
    out = StringIO()
    call_command("personal_data_retention", "--dry-run", stdout=out)
    assert "ничего не изменено" in out.getvalue()
    assert AccessLog.objects.filter(pk=login.pk).exists()
    assert not DestructionAct.objects.exists()

    # the real run destroys it and leaves an act
    call_command("personal_data_retention", stdout=StringIO())
    assert not AccessLog.objects.filter(pk=login.pk).exists()
    act = DestructionAct.objects.get()

    # which the administrator reads in the admin, and cannot edit
    admin = page_factory(DESKTOP)
    staff_log_in(admin, "admin@example.com", "admin-pass-2026")
    admin.goto("/admin/core/destructionact/")
    assert admin.locator("#result_list tbody tr").count() == 1
    admin.goto(f"/admin/core/destructionact/{act.pk}/change/")
    assert admin.get_by_text("manage.py personal_data_retention").first.is_visible()
    assert admin.get_by_role("button", name="Сохранить").count() == 0
    screenshot(admin, "destruction-act")
    assert admin.errors == []
