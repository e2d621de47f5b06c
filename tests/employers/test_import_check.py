"""The check of an uploaded list: encodings, delimiters, XLSX, every row error, and the diff."""

import datetime

import pytest

from employers.models import ImportBatch, ImportRow
from policies.models import InsuredPerson
from tests.factories import InsuredPersonFactory, ProgramFactory

from .conftest import (
    checked_batch,
    child_row,
    csv_bytes,
    email_for,
    person_row,
    ru,
    today,
    xlsx_bytes,
)


def errors_of(batch: ImportBatch) -> dict[int, list[tuple[str, str]]]:
    """{row number: [(column, message), ...]} of the rows with errors."""
    return {
        row.row_number: [(e["column"], e["message"]) for e in row.errors]
        for row in ImportRow.objects.filter(batch=batch, action=ImportRow.Action.INVALID)
    }


GOOD = [
    person_row("ДМС-1-0001"),
    person_row("ДМС-1-0002", **{"Фамилия": "Смирнова", "Код программы": "ВЗР+"}),
    child_row("ДМС-1-0003", parent="ДМС-1-0002"),
]


@pytest.mark.parametrize(
    ("content", "name", "encoding", "delimiter"),
    [
        (csv_bytes(GOOD, delimiter=";"), "list.csv", "utf-8-sig", ";"),
        (csv_bytes(GOOD, delimiter=",", encoding="cp1251"), "list.csv", "cp1251", ","),
        (csv_bytes(GOOD, delimiter=",", encoding="utf-8"), "без расширения", "utf-8-sig", ","),
        (xlsx_bytes(GOOD), "list.xlsx", "", ""),
        (xlsx_bytes(GOOD, typed=True), "list.dat", "", ""),
    ],
    ids=["utf8-semicolon", "cp1251-comma", "utf8-no-bom-comma", "xlsx", "xlsx-typed-dates"],
)
def test_a_good_list_in_any_accepted_shape_is_read_the_same(
    contract, hr_user, content, name, encoding, delimiter
):
    # when
    batch = checked_batch(contract, hr_user, content, name)

    # then
    assert batch.status == ImportBatch.Status.CHECKED, batch.message
    assert (batch.encoding, batch.delimiter) == (encoding, delimiter)
    assert batch.file_format == ("xlsx" if name.endswith((".xlsx", ".dat")) else "csv")
    assert (batch.rows_total, batch.rows_invalid, batch.to_add) == (3, 0, 3)
    child = ImportRow.objects.get(batch=batch, policy_number="ДМС-1-0003")
    assert child.relation == InsuredPerson.Relation.CHILD
    assert child.parent_number == "ДМС-1-0002"
    first = ImportRow.objects.get(batch=batch, policy_number="ДМС-1-0001")
    assert first.last_name == "Иванов"
    assert first.phone == "+79161234567"
    assert first.birth_date == datetime.date(1988, 4, 12)
    assert (first.starts_on, first.ends_on) == (contract.starts_on, contract.ends_on)
    # nothing is written to the register by a check
    assert not InsuredPerson.objects.filter(contract=contract).exists()


def test_every_row_problem_is_listed_with_row_column_and_reason(contract, other_contract, hr_user):
    # given: someone of another company, and a list with one problem a row
    InsuredPersonFactory(
        policy_number="ЧУЖОЙ-001", contract=other_contract, program=other_contract.programs.first()
    )
    late = ru(contract.ends_on + datetime.timedelta(days=1))
    rows = [
        person_row("П-0002", **{"Дата рождения": "31.02.1990"}),
        person_row("П-0003", **{"Код программы": "НЕТ"}),
        person_row("П-0004"),
        person_row("П-0004", **{"Имя": "Другой"}),
        child_row("П-0006", parent=""),
        child_row("П-0007", parent="П-9999"),
        person_row("П-0008", **{"Электронная почта": "ivan@"}),
        person_row("П-0009", **{"Телефон": "12345"}),
        person_row(
            "П-0010",
            **{
                "Дата начала": ru(today()),
                "Дата окончания": ru(today() - datetime.timedelta(days=1)),
            },
        ),
        person_row("ЧУЖОЙ-001"),
        person_row("П-0012", **{"Фамилия": '=HYPERLINK("http://evil.example","x")'}),
        person_row("П-0013", **{"Дата окончания": late}),
        person_row("П-0014", **{"Кем приходится": "племянник"}),
        child_row("П-0015", parent="П-0006"),
    ]

    # when
    batch = checked_batch(contract, hr_user, csv_bytes(rows))

    # then: row numbers are the file's lines (the header is line 1)
    errors = errors_of(batch)
    assert batch.rows_total == 14
    assert batch.rows_invalid == len(errors) == 13
    assert errors[2] == [("Дата рождения", "неверная дата: нужна дата вида ДД.ММ.ГГГГ")]
    assert errors[3][0][0] == "Код программы"
    assert "программа «НЕТ» не найдена в договоре" in errors[3][0][1]
    assert 4 not in errors  # the first of two rows with one number is kept
    assert errors[5] == [("Номер полиса", "номер полиса повторяется: он уже есть в строке 4")]
    assert errors[6] == [("Номер полиса родителя", "для ребёнка укажите номер полиса родителя")]
    assert errors[7] == [
        (
            "Номер полиса родителя",
            "родитель с этим номером полиса не найден ни в файле, ни в реестре",
        )
    ]
    assert errors[8] == [("Электронная почта", "неверный адрес электронной почты")]
    assert errors[9][0][0] == "Телефон"
    assert errors[10] == [("Дата окончания", "дата окончания раньше даты начала")]
    assert errors[11] == [
        ("Номер полиса", "номер полиса принадлежит застрахованному другого страхователя")
    ]
    assert errors[12][0][0] == "Фамилия"
    assert "формулы и команды в ячейках не принимаются" in errors[12][0][1]
    assert errors[13][0][0] == "Дата окончания"
    assert "позже окончания договора" in errors[13][0][1]
    assert errors[14] == [("Кем приходится", "укажите «сотрудник» или «ребёнок»")]
    assert errors[15] == [("Номер полиса родителя", "в строке родителя (6) есть ошибки")]
    assert batch.to_add == 1


def test_a_child_is_judged_by_the_first_row_of_its_parents_number(contract, hr_user):
    # given: the parent's number twice, its first row wrong and the repeat right; a child of a
    # child; and a valid family
    rows = [
        person_row("Р-0001", **{"Дата рождения": "31.02.1990"}),
        person_row("Р-0001"),
        child_row("Р-0003", parent="Р-0001"),
        person_row("Р-0004"),
        child_row("Р-0005", parent="Р-0004"),
        child_row("Р-0006", parent="Р-0005"),
    ]

    # when
    batch = checked_batch(contract, hr_user, csv_bytes(rows))

    # then
    errors = errors_of(batch)
    assert errors[4] == [("Номер полиса родителя", "в строке родителя (2) есть ошибки")]
    assert errors[7] == [("Номер полиса родителя", "родитель (строка 6) сам указан как ребёнок")]
    assert sorted(errors) == [2, 3, 4, 7]
    assert batch.to_add == 2


def test_a_parent_of_this_contract_left_out_of_the_list_is_an_error(contract, hr_user):
    # given: an employee in the register, whose child is in the new list but who is not
    program = contract.programs.get(code="БАЗ")
    InsuredPersonFactory(policy_number="Р-0001", contract=contract, program=program)

    batch = checked_batch(contract, hr_user, csv_bytes([child_row("Р-0002", parent="Р-0001")]))

    assert errors_of(batch)[2][0][1].startswith("родитель есть в реестре этого договора")


def test_a_parent_on_another_contract_of_the_same_company_is_accepted(contract, hr_user):
    # given: the parent is insured under the company's other contract
    other = ProgramFactory(contract__policyholder=contract.policyholder, code="ДР")
    InsuredPersonFactory(policy_number="Р-0001", contract=other.contract, program=other)

    batch = checked_batch(contract, hr_user, csv_bytes([child_row("Р-0002", parent="Р-0001")]))

    assert (batch.rows_invalid, batch.to_add) == (0, 1)


def test_the_diff_shows_who_is_changed_field_by_field_and_who_is_removed(contract, hr_user):
    # given: three people in the register
    program = contract.programs.get(code="БАЗ")
    common = {
        "contract": contract,
        "program": program,
        "starts_on": contract.starts_on,
        "ends_on": contract.ends_on,
        "birth_date": datetime.date(1988, 4, 12),
        "last_name": "Иванов",
        "first_name": "Пётр",
        "middle_name": "Сергеевич",
        "phone": "+79161234567",
    }
    for number in ("Д-0001", "Д-0002", "Д-0003"):
        InsuredPersonFactory(policy_number=number, email=email_for(number), **common)
    rows = [
        person_row("Д-0001"),  # the same as in the register
        person_row("Д-0002", **{"Фамилия": "Петров", "Код программы": "ВЗР+"}),
        person_row("Д-0004"),
    ]

    # when
    batch = checked_batch(contract, hr_user, csv_bytes(rows), effective=today())

    # then
    assert (batch.to_add, batch.to_change, batch.to_remove, batch.unchanged) == (1, 1, 1, 1)
    changed = ImportRow.objects.get(batch=batch, action=ImportRow.Action.CHANGE)
    assert changed.changes == [["Фамилия", "Иванов", "Петров"], ["Программа", "БАЗ", "ВЗР+"]]
    removed = ImportRow.objects.get(batch=batch, action=ImportRow.Action.REMOVE)
    assert removed.policy_number == "Д-0003"
    yesterday = today() - datetime.timedelta(days=1)
    assert removed.changes == [["Дата окончания", ru(contract.ends_on), ru(yesterday)]]


def test_a_list_without_the_required_columns_is_rejected_with_their_names(contract, hr_user):
    content = csv_bytes([{"Фамилия": "Иванов"}], headers=["Фамилия", "Имя", "Что-то ещё"])

    batch = checked_batch(contract, hr_user, content)

    assert batch.status == ImportBatch.Status.REJECTED
    # A newcomer has no policy number yet: that column is not required.
    assert "«Номер полиса»" not in batch.message
    assert "«Дата рождения»" in batch.message
    assert not ImportRow.objects.filter(batch=batch).exists()


def test_checking_twice_changes_nothing(contract, hr_user):
    from employers.services.checking import import_batch_check

    batch = checked_batch(contract, hr_user, csv_bytes(GOOD))
    rows_before = list(ImportRow.objects.filter(batch=batch).values_list("pk", flat=True))

    again = import_batch_check(batch_id=batch.pk)

    assert again.status == ImportBatch.Status.CHECKED
    assert list(ImportRow.objects.filter(batch=batch).values_list("pk", flat=True)) == rows_before
