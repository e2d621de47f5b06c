"""The HR manager in the admin: logs in with the code from the authenticator app, uploads the
company's employee list, sees the diff and applies it — on a phone and on a desktop."""

import time

import pytest
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.core.cache import cache

from devtools.demo.logins import DEMO_STAFF_TOTP_SECRET
from employers.models import ImportBatch
from policies.models import Contract, InsuredPerson

from .conftest import DESKTOP, PHONE, screenshot

HR_LOGIN = ("hr@example.com", "hr-pass-2026")
TECHNOSFERA = "ООО «ТехноСфера»"


@pytest.fixture
def staff_groups(demo_data) -> None:
    """The staff groups as their data migration makes them: a transactional test's flush empties
    the tables the migration filled (seed_demo then makes the groups without permissions)."""
    from django.apps import apps

    from portal.core.roles import groups_sync

    groups_sync(apps)


def totp_now() -> str:
    """The code of the authenticator app now. allauth accepts only the current 30 s period's code
    (MFA_TOTP_TOLERANCE 0): a code read in the last seconds of a period could reach the server in
    the next one on a busy machine, so a code about to expire is waited out."""
    left = 30 - time.time() % 30
    if left < 5:
        time.sleep(left + 0.1)
    return format_hotp_value(hotp_value(DEMO_STAFF_TOTP_SECRET, int(time.time()) // 30))


def staff_log_in(page, email: str, password: str) -> None:
    """The admin's login: the admin sends staff to the cabinet's login form, then asks for the
    code from the authenticator app (the demo staff share a published TOTP key)."""
    page.goto("/admin/")
    page.get_by_label("Электронная почта").fill(email)
    page.get_by_label("Пароль").fill(password)
    page.get_by_role("button", name="Войти").click()
    page.get_by_label("Код").fill(totp_now())
    page.get_by_role("button", name="Войти").click()
    page.wait_for_url("**/admin/")


def employee_list(tmp_path, contract: Contract) -> tuple[str, str]:
    """The company's current list as the HR manager would edit it: one person left out, one
    renamed, a new employee with a child."""
    from employers.services.exports import csv_lines, register_rows

    header, *rows = register_rows(contract)
    left_out = rows.pop()
    rows[0][1] = rows[0][1] + "-Новикова"
    rows.append(["ДМС-0147-000950", "Новиков", "Андрей", "Павлович", "05.05.1991",
                 "a.novikov@tehnosfera.example", "+7 903 555-12-34", "СТД", "", "", "сотрудник",
                 ""])  # fmt: skip
    rows.append(["ДМС-0147-000951", "Новикова", "Алиса", "Андреевна", "01.02.2019", "", "",
                 "СТД", "", "", "ребёнок", "ДМС-0147-000950"])  # fmt: skip
    path = tmp_path / "spisok-tehnosfera.csv"
    path.write_text("".join(csv_lines([header, *rows])), encoding="utf-8")
    return str(path), left_out[0]


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_hr_uploads_a_list_sees_the_diff_and_applies_it(
    staff_groups, page_factory, viewport, tmp_path
):
    # given: the HR manager of ООО «ТехноСфера», and the edited list of the company
    cache.clear()  # a TOTP code is accepted once per period: forget the other test's login
    contract = Contract.objects.get(policyholder__name=TECHNOSFERA)
    path, left_out = employee_list(tmp_path, contract)
    page = page_factory(viewport)
    staff_log_in(page, *HR_LOGIN)

    # when: the list is uploaded from the contract's page
    page.goto(f"/admin/policies/contract/{contract.pk}/change/")
    page.get_by_role("link", name="Загрузить список застрахованных").click()
    page.get_by_text("активировали кабинет").wait_for()
    screenshot(page, "hr-upload")
    page.get_by_label("Файл со списком").set_input_files(path)
    page.get_by_role("button", name="Загрузить и проверить").click()

    # then: the diff (the check runs as an eager task in the request's commit)
    page.get_by_role("heading", name="Итог сравнения с реестром").wait_for()
    assert page.get_by_role("heading", name="Добавить (2)").is_visible()
    assert page.get_by_role("heading", name="Изменить (1)").is_visible()
    assert page.get_by_role("heading", name="Исключить (1)").is_visible()
    assert page.get_by_text("Новиков Андрей Павлович").is_visible()
    screenshot(page, "hr-diff")
    assert not InsuredPerson.objects.filter(policy_number="ДМС-0147-000950").exists()

    # when: applied
    page.get_by_role("button", name="Применить изменения").click()

    # then
    page.get_by_text("Применено: добавлено 2, изменено 1, исключено 1.").wait_for()
    screenshot(page, "hr-applied")
    batch = ImportBatch.objects.get()
    assert batch.status == ImportBatch.Status.APPLIED
    assert InsuredPerson.objects.get(policy_number="ДМС-0147-000951").parent.policy_number == (
        "ДМС-0147-000950"
    )
    assert InsuredPerson.objects.get(policy_number=left_out).ends_on < contract.ends_on
    assert page.errors == []


def test_hr_does_not_reach_another_companys_contract(staff_groups, page_factory):
    cache.clear()
    other = Contract.objects.exclude(policyholder__name=TECHNOSFERA).get()
    page = page_factory(DESKTOP)
    staff_log_in(page, *HR_LOGIN)

    page.goto("/admin/policies/contract/")
    assert page.get_by_role("link", name=other.number).count() == 0
    response = page.goto(f"/admin/policies/contract/{other.pk}/import/")

    assert response.status == 404


def one_c_list(tmp_path, contract: Contract) -> tuple[str, InsuredPerson]:
    """The company's employees as a 1С:ЗУП export: a title above the table, «ФИО» in one
    column, «Табельный номер», Excel dates; one employee married (a new surname), two newcomers
    without policy numbers."""
    import datetime

    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Список сотрудников организации ООО «ТехноСфера»"])
    sheet.append([])
    sheet.append(
        [
            "Табельный номер",
            "ФИО",
            "Дата рождения",
            "Подразделение",
            "Код программы",
            "Номер полиса",
        ]
    )
    employees = list(
        InsuredPerson.objects.filter(
            contract=contract, relation=InsuredPerson.Relation.EMPLOYEE
        ).order_by("policy_number")
    )
    married = employees[0]
    for serial, person in enumerate(employees, start=1):
        # The personnel numbers a previous upload of the export recorded.
        InsuredPerson.objects.filter(pk=person.pk).update(personnel_number=f"{serial:05d}")
        last = "Волкова" if person == married else person.last_name
        name = " ".join(p for p in (last, person.first_name, person.middle_name) if p)
        birth = datetime.datetime.combine(person.birth_date, datetime.time())
        code = person.program.code
        # The married employee's row has no policy number: found by the personnel number.
        number = "" if person == married else person.policy_number
        sheet.append([f"{serial:05d}", name, birth, "", code, number])
    newcomer_birth = datetime.datetime(1990, 1, 1)
    sheet.append(["00900", "Мамедов Эльчин Рашид оглы", newcomer_birth, "Склад", "СТД", ""])
    sheet.append(["00901", "Орлова Ольга Ивановна", "03.03.1995", "Склад", "СТД", ""])
    path = tmp_path / "zup-export.xlsx"
    workbook.save(path)
    return str(path), married


def test_hr_uploads_a_1c_export_with_newcomers_and_downloads_their_numbers(
    staff_groups, page_factory, tmp_path
):
    # given: the HR manager of ООО «ТехноСфера» with the company's payroll export
    cache.clear()
    contract = Contract.objects.get(policyholder__name=TECHNOSFERA)
    path, married = one_c_list(tmp_path, contract)
    page = page_factory(DESKTOP)
    staff_log_in(page, *HR_LOGIN)

    # when: uploaded
    page.goto(f"/admin/policies/contract/{contract.pk}/import/")
    assert page.get_by_text("Шаблон «как в 1С»:").is_visible()
    page.get_by_label("Файл со списком").set_input_files(path)
    page.get_by_role("button", name="Загрузить и проверить").click()

    # then: two newcomers whose numbers the insurer assigns, and the married employee changed
    page.get_by_role("heading", name="Итог сравнения с реестром").wait_for()
    assert page.get_by_role("heading", name="Добавить (2)").is_visible()
    assert page.get_by_role("heading", name="Изменить (1)").is_visible()
    assert page.get_by_role("heading", name="Исключить (0)").count() == 0
    assert page.get_by_text("будет присвоен").count() == 2
    assert page.get_by_text("Мамедов Эльчин Рашид оглы").is_visible()
    screenshot(page, "hr-1c-diff")

    # when: applied, and the list downloaded back
    page.get_by_role("button", name="Применить изменения").click()
    page.get_by_text("Присвоено номеров полисов: 2.").wait_for()
    with page.expect_download() as download:
        page.get_by_role("link", name="CSV").last.click()
    text = open(download.value.path(), encoding="utf-8-sig").read()  # noqa: PTH123, SIM115

    # then: the newcomers' numbers are in the register and in the list
    newcomer = InsuredPerson.objects.get(last_name="Мамедов")
    assert newcomer.policy_number.startswith(contract.number)
    assert f"{newcomer.policy_number};Мамедов;Эльчин;Рашид оглы" in text
    married.refresh_from_db()
    assert married.last_name == "Волкова"
    assert page.errors == []
