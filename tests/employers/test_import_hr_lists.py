"""Lists as employers really send them (issue 27): newcomers without policy numbers, people
found by personnel number or by name and birth date, 1С exports with a title, «ФИО» in one
column and Excel dates."""

import datetime
import io

import pytest
from openpyxl import Workbook

from employers.columns import HEADERS
from employers.models import ImportBatch, ImportRow
from employers.services.applying import import_batch_apply, import_batch_apply_request
from employers.services.validation import split_full_name
from policies.models import InsuredPerson, Policy
from tests.factories import InsuredPersonFactory

from .conftest import checked_batch, csv_bytes, person_row, ru, today


def applied(batch: ImportBatch, user) -> ImportBatch:
    import_batch_apply_request(batch=batch, user=user, skip_invalid=False)
    return import_batch_apply(batch_id=batch.pk)


def one_c_xlsx(rows: list[list], *, headers: list[str]) -> bytes:
    """A payroll export: a title and the company above the table, dates as Excel dates."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Список сотрудников организации"])
    sheet.append(["ООО «Ромашка»", None, "на 01.12.2026"])
    sheet.append([])
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def errors_of(batch) -> dict[int, list[tuple[str, str, str]]]:
    return {
        row.row_number: [(e["column"], e["value"], e["message"]) for e in row.errors]
        for row in ImportRow.objects.filter(batch=batch, action=ImportRow.Action.INVALID)
    }


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        ("Иванов Пётр Сергеевич", ("Иванов", "Пётр", "Сергеевич")),
        ("Петрова-Водкина Анна Ивановна", ("Петрова-Водкина", "Анна", "Ивановна")),
        ("Мамедов Эльчин Рашид оглы", ("Мамедов", "Эльчин", "Рашид оглы")),
        ("Алиева Лейла Гасан кызы", ("Алиева", "Лейла", "Гасан кызы")),
        ("Smith John", ("Smith", "John", "")),
        ("Иванов", None),
        ("Иванов Пётр Сергеевич Младший", None),
    ],
)
def test_a_full_name_is_split_or_refused(text, parts):
    assert split_full_name(text) == parts


def test_newcomers_without_numbers_get_the_contracts_next_numbers_on_apply(contract, hr_user):
    content = csv_bytes(
        [
            person_row("", **{"Фамилия": "Новикова", "Электронная почта": "n1@example.com"}),
            person_row("", **{"Фамилия": "Новиков", "Электронная почта": "n2@example.com"}),
        ]
    )
    batch = checked_batch(contract, hr_user, content)
    assert (batch.status, batch.to_add, batch.rows_invalid) == (ImportBatch.Status.CHECKED, 2, 0)
    assert list(ImportRow.objects.filter(batch=batch).values_list("policy_number", flat=True)) == [
        "",
        "",
    ]

    batch = applied(batch, hr_user)

    assert batch.status == ImportBatch.Status.APPLIED, batch.message
    assert batch.result["numbers_assigned"] == 2
    prefix = contract.number
    people = dict(
        InsuredPerson.objects.filter(contract=contract).values_list("last_name", "policy_number")
    )
    assert people == {"Новикова": f"{prefix}-000001", "Новиков": f"{prefix}-000002"}
    assert Policy.objects.filter(number=f"{prefix}-000002", product=Policy.Product.DMS).exists()
    # The staged rows carry the numbers now: the list HR downloads after the apply.
    assert list(
        ImportRow.objects.filter(batch=batch)
        .order_by("row_number")
        .values_list("policy_number", flat=True)
    ) == [f"{prefix}-000001", f"{prefix}-000002"]

    # The next list's newcomer continues the numbering; nobody's number is given again.
    again = csv_bytes(
        [
            person_row(
                f"{prefix}-000001", **{"Фамилия": "Новикова", "Электронная почта": "n1@example.com"}
            ),
            person_row(
                f"{prefix}-000002", **{"Фамилия": "Новиков", "Электронная почта": "n2@example.com"}
            ),
            person_row("", **{"Фамилия": "Третьякова", "Электронная почта": "n3@example.com"}),
        ]
    )
    second = applied(checked_batch(contract, hr_user, again), hr_user)
    assert second.status == ImportBatch.Status.APPLIED, second.message
    assert InsuredPerson.objects.get(last_name="Третьякова").policy_number == f"{prefix}-000003"
    contract.refresh_from_db()
    assert contract.policy_serial == 3


def test_a_number_typed_in_by_hand_is_never_assigned_again(contract, hr_user):
    InsuredPersonFactory(
        contract=contract,
        policy_number=f"{contract.number}-000001",
        program=contract.programs.get(code="БАЗ"),
        last_name="Старый",
    )
    content = csv_bytes(
        [
            person_row(f"{contract.number}-000001", **{"Фамилия": "Старый"}),
            person_row("", **{"Фамилия": "Новый", "Электронная почта": "new@example.com"}),
        ]
    )
    batch = applied(checked_batch(contract, hr_user, content), hr_user)
    assert batch.status == ImportBatch.Status.APPLIED, batch.message
    assert InsuredPerson.objects.get(last_name="Новый").policy_number == f"{contract.number}-000002"


def test_a_1c_export_with_a_title_full_names_and_excel_dates_is_matched(contract, hr_user):
    program = contract.programs.get(code="БАЗ")
    bride = InsuredPersonFactory(
        contract=contract,
        program=program,
        policy_number="Д-0100",
        personnel_number="00017",
        last_name="Смирнова",
        first_name="Анна",
        middle_name="Петровна",
        birth_date=datetime.date(1990, 5, 1),
        email="anna@example.com",
        phone="",
        starts_on=contract.starts_on,
        ends_on=contract.ends_on,
    )
    headers = [
        "Таб. №",
        "Сотрудник",
        "Дата рождения",
        "Подразделение",
        "Электронная почта",
        "Код программы",
    ]
    content = one_c_xlsx(
        [
            [
                "00017",
                "Кузнецова Анна Петровна",
                datetime.datetime(1990, 5, 1),
                "Бухгалтерия",
                "anna@example.com",
                "БАЗ",
            ],
            ["00031", "Мамедов Эльчин Рашид оглы", 32874, "Склад", "", "БАЗ"],
            ["00032", "Петрова-Водкина Ольга", "03.03.1995", "Склад", "", "БАЗ"],
        ],
        headers=headers,
    )
    batch = checked_batch(contract, hr_user, content, name="1c.xlsx")

    assert batch.status == ImportBatch.Status.CHECKED, batch.message
    assert (batch.to_add, batch.to_change, batch.to_remove, batch.rows_invalid) == (2, 1, 0, 0)
    changed = ImportRow.objects.get(batch=batch, action=ImportRow.Action.CHANGE)
    assert changed.row_number == 5 and changed.person_id == bride.pk
    assert ["Фамилия", "Смирнова", "Кузнецова"] in changed.changes
    assert ["Подразделение", "", "Бухгалтерия"] in changed.changes
    added = {r.last_name: r for r in ImportRow.objects.filter(batch=batch, action="add")}
    assert added["Мамедов"].middle_name == "Рашид оглы"
    assert added["Мамедов"].birth_date == datetime.date(1990, 1, 1)  # Excel's serial 32874
    assert added["Петрова-Водкина"].middle_name == ""

    batch = applied(batch, hr_user)
    assert batch.status == ImportBatch.Status.APPLIED, batch.message
    bride.refresh_from_db()
    assert (bride.last_name, bride.policy_number, bride.department) == (
        "Кузнецова",
        "Д-0100",
        "Бухгалтерия",
    )
    newcomer = InsuredPerson.objects.get(last_name="Мамедов")
    assert (newcomer.personnel_number, newcomer.department) == ("00031", "Склад")
    assert newcomer.policy_number.startswith(contract.number + "-")


def test_a_row_without_numbers_is_found_by_name_and_birth_date(contract, hr_user):
    person = InsuredPersonFactory(
        contract=contract,
        program=contract.programs.get(code="БАЗ"),
        policy_number="Д-0200",
        last_name="Иванов",
        first_name="Пётр",
        middle_name="Сергеевич",
        birth_date=datetime.date(1988, 4, 12),
        starts_on=contract.starts_on,
        ends_on=contract.ends_on,
    )
    content = csv_bytes([person_row("", **{"Телефон": ""})])
    batch = checked_batch(contract, hr_user, content)
    row = ImportRow.objects.get(batch=batch, row_number=2)
    assert row.person_id == person.pk and row.action in (
        ImportRow.Action.CHANGE,
        ImportRow.Action.SAME,
    )
    assert batch.to_add == 0 and batch.to_remove == 0


def test_two_register_people_matching_a_row_make_it_an_error_naming_them(contract, hr_user):
    program = contract.programs.get(code="БАЗ")
    for number in ("Д-0301", "Д-0302"):
        InsuredPersonFactory(
            contract=contract,
            program=program,
            policy_number=number,
            last_name="Иванов",
            first_name="Пётр",
            middle_name="Сергеевич",
            birth_date=datetime.date(1988, 4, 12),
            starts_on=contract.starts_on,
            ends_on=contract.ends_on,
        )
    batch = checked_batch(contract, hr_user, csv_bytes([person_row("")]))
    (error,) = errors_of(batch)[2]
    assert "Д-0301" in error[2] and "Д-0302" in error[2]
    assert batch.to_add == 0


def test_bad_rows_of_a_1c_list_name_the_column_and_value(contract, hr_user):
    headers = ["Табельный номер", "ФИО", "Дата рождения", "Код программы"]
    rows = [
        ["001", "Иванов Пётр Сергеевич", "12.04.1988", "БАЗ"],
        ["001", "Петров Иван Ильич", "12.04.1981", "БАЗ"],
        ["002", "Сидоров", "12.04.1982", "БАЗ"],
        ["003", "Козлов Пётр Ильич", "31.02.1990", "БАЗ"],
        ["004", "Иванов Пётр Сергеевич", "12.04.1988", "БАЗ"],
    ]
    buffer = io.StringIO()
    buffer.write(";".join(headers) + "\n")
    for row in rows:
        buffer.write(";".join(row) + "\n")
    batch = checked_batch(contract, hr_user, buffer.getvalue().encode("utf-8"))

    errors = errors_of(batch)
    assert errors[3][0][:2] == ("Табельный номер", "001")
    assert "строке 2" in errors[3][0][2]
    assert errors[4][0][:2] == ("ФИО", "Сидоров")
    assert errors[5][0][:2] == ("Дата рождения", "31.02.1990")
    assert errors[6][0][0] == "ФИО" and "строке 2" in errors[6][0][2]
    # Nothing is applied until HR fixes or skips them.
    with pytest.raises(Exception, match="ошибками"):
        import_batch_apply_request(batch=batch, user=hr_user, skip_invalid=False)
    assert not InsuredPerson.objects.filter(contract=contract).exists()


def test_the_portal_template_keeps_the_personnel_number_it_does_not_carry(contract, hr_user):
    person = InsuredPersonFactory(
        contract=contract,
        program=contract.programs.get(code="БАЗ"),
        policy_number="Д-0400",
        personnel_number="777",
        department="Склад",
        starts_on=contract.starts_on,
        ends_on=contract.ends_on,
    )
    headers = [h for h in HEADERS if h not in ("Табельный номер", "Подразделение")]
    row = person_row(
        "Д-0400",
        **{
            "Фамилия": person.last_name,
            "Имя": person.first_name,
            "Отчество": person.middle_name,
            "Дата рождения": ru(person.birth_date),
            "Электронная почта": person.email,
            "Телефон": person.phone,
            "Дата начала": ru(person.starts_on),
            "Дата окончания": ru(person.ends_on),
        },
    )
    batch = checked_batch(contract, hr_user, csv_bytes([row], headers=headers))
    assert batch.unchanged == 1, list(
        ImportRow.objects.filter(batch=batch).values("changes", "errors")
    )
    assert today()  # the contract is in force


def test_a_list_of_employees_only_keeps_the_children_of_the_employees_it_names(contract, hr_user):
    program = contract.programs.get(code="БАЗ")
    term = {"starts_on": contract.starts_on, "ends_on": contract.ends_on, "program": program}
    staying = InsuredPersonFactory(contract=contract, policy_number="Д-0601", **term)
    leaving = InsuredPersonFactory(contract=contract, policy_number="Д-0602", **term)
    kept = InsuredPersonFactory(
        contract=contract, policy_number="Д-0603", relation="child", parent=staying, **term
    )
    orphan = InsuredPersonFactory(
        contract=contract, policy_number="Д-0604", relation="child", parent=leaving, **term
    )
    headers = ["Номер полиса", "ФИО", "Дата рождения", "Код программы"]
    line = f"Д-0601;{staying.last_name} {staying.first_name};{ru(staying.birth_date)};БАЗ"
    content = (";".join(headers) + "\n" + line + "\n").encode("utf-8")

    batch = checked_batch(contract, hr_user, content)

    removed = set(
        ImportRow.objects.filter(batch=batch, action="remove").values_list("person_id", flat=True)
    )
    assert removed == {leaving.pk, orphan.pk}
    assert kept.pk not in removed
