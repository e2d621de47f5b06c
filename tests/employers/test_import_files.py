"""Files that are not a readable list are refused before anything is stored; what goes back to
the HR manager (templates, the current list, the errors) cannot run as a formula."""

import csv
import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from openpyxl import load_workbook

from employers.columns import HEADERS
from employers.models import ImportBatch
from employers.services.exports import csv_lines, error_rows, register_rows, xlsx_file
from employers.services.uploads import import_batch_upload
from tests.factories import InsuredPersonFactory

from .conftest import checked_batch, csv_bytes, person_row, today, upload_file, xlsx_bytes


def refused(contract, user, content: bytes, name: str) -> str:
    with pytest.raises(ValidationError) as refusal:
        import_batch_upload(
            contract=contract,
            user=user,
            uploaded=upload_file(content, name),
            effective_date=today(),
        )
    assert not ImportBatch.objects.exists()
    return " ".join(refusal.value.messages)


def zip_with(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_a_renamed_executable_is_refused(contract, hr_user):
    exe = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 200 + b"This program"
    assert "не похож на таблицу CSV или XLSX" in refused(contract, hr_user, exe, "spisok.csv")


def test_an_old_xls_or_a_password_protected_book_is_refused(contract, hr_user):
    ole2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600
    assert "XLS" in refused(contract, hr_user, ole2, "spisok.xlsx")


def test_an_oversize_file_is_refused(contract, hr_user, settings):
    settings.EMPLOYERS_IMPORT_MAX_BYTES = 1024
    big = csv_bytes([person_row(f"Б-{n:04d}") for n in range(30)])
    assert "больше" in refused(contract, hr_user, big, "spisok.csv")


def test_an_empty_file_is_refused(contract, hr_user):
    assert "пуст" in refused(contract, hr_user, b"", "spisok.csv")


def test_a_broken_xlsx_is_refused(contract, hr_user):
    good = xlsx_bytes([person_row("Б-0001")])
    truncated = good[: len(good) // 2]
    assert "повреждён" in refused(contract, hr_user, truncated, "spisok.xlsx")
    not_a_book = zip_with({"readme.txt": b"hello"})
    assert "повреждён" in refused(contract, hr_user, not_a_book, "spisok.xlsx")


def test_a_zip_bomb_is_refused_before_it_is_inflated(contract, hr_user, settings):
    # a member inflating a thousand times, dressed as a workbook
    bomb = zip_with(
        {
            "[Content_Types].xml": b"<Types/>",
            "xl/workbook.xml": b"<workbook/>",
            "xl/worksheets/sheet1.xml": b"\x00" * (8 * 1024 * 1024),
        }
    )
    assert len(bomb) < 100 * 1024
    assert "слишком большой объём" in refused(contract, hr_user, bomb, "spisok.xlsx")
    # and a book whose parts together inflate past the cap
    settings.EMPLOYERS_IMPORT_MAX_UNCOMPRESSED_BYTES = 2048
    book = xlsx_bytes([person_row(f"Б-{n:04d}") for n in range(50)])
    assert "слишком большой объём" in refused(contract, hr_user, book, "spisok.xlsx")


def test_binary_bytes_inside_a_text_file_are_refused(contract, hr_user):
    content = csv_bytes([person_row("Б-0001")]) + b"\x00\x01\x02"
    assert "не похож" in refused(contract, hr_user, content, "spisok.csv")


def test_an_accepted_file_is_stored_privately_under_a_server_made_name(contract, hr_user):
    content = csv_bytes([person_row("Б-0001")])
    batch = checked_batch(contract, hr_user, content, "../../список сотрудников.exe")

    assert batch.original_name == "список сотрудников.exe"  # a label only
    assert batch.file.name.startswith(f"employers/imports/{contract.pk}/")
    assert "список" not in batch.file.name
    assert batch.file.name.endswith(".csv")
    assert len(batch.sha256) == 64


def test_too_many_rows_reject_the_list(contract, hr_user, settings):
    settings.EMPLOYERS_IMPORT_MAX_ROWS = 3
    batch = checked_batch(
        contract, hr_user, csv_bytes([person_row(f"Б-{n:04d}") for n in range(5)])
    )

    assert batch.status == ImportBatch.Status.REJECTED
    assert "больше 3 строк" in batch.message


def read_csv(lines) -> list[list[str]]:
    text = "".join(lines)
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:]), delimiter=";"))


def test_errors_go_back_with_formulas_neutralised(contract, hr_user):
    rows = [
        person_row("Б-0001", **{"Фамилия": "=cmd|' /C calc'!A0"}),
        person_row("Б-0002", **{"Имя": "@SUM(1+1)", "Телефон": "+cmd|x"}),
    ]
    batch = checked_batch(contract, hr_user, csv_bytes(rows))
    assert batch.rows_invalid == 2

    table = read_csv(csv_lines(error_rows(batch)))

    assert table[0] == ["Строка", "Номер полиса", "ФИО", "Столбец", "Значение", "Ошибка"]
    values = [row[4] for row in table[1:]]
    assert "'=cmd|' /C calc'!A0" in values
    assert "'@SUM(1+1)" in values
    assert "'+cmd|x" in values
    for row in table[1:]:
        assert not any(cell.startswith(("=", "+", "-", "@")) for cell in row)


def test_the_current_list_round_trips_and_never_holds_a_formula(contract, hr_user):
    # given: someone whose data looks like formulas (a phone starts with «+»)
    program = contract.programs.get(code="БАЗ")
    InsuredPersonFactory(
        policy_number="Б-0001",
        contract=contract,
        program=program,
        phone="+79161234567",
        last_name="Иванов",
        first_name="Пётр",
        email="p1@example.com",
        starts_on=contract.starts_on,
        ends_on=contract.ends_on,
    )

    # when: the current list is downloaded as CSV and XLSX
    table = read_csv(csv_lines(register_rows(contract)))
    book = load_workbook(xlsx_file("Список", register_rows(contract), notes=True))

    # then
    assert table[0] == HEADERS
    assert table[1][6] == "'+79161234567"
    sheet = book["Список"]
    assert [c.value for c in sheet[1]] == HEADERS
    assert sheet.cell(row=2, column=7).value == "+79161234567"
    assert all(cell.data_type == "s" for row in sheet.iter_rows() for cell in row if cell.value)
    assert "Как заполнять" in book.sheetnames

    # and: uploading either back changes nothing
    for content, name in (("".join(csv_lines(register_rows(contract))).encode(), "a.csv"),):
        batch = checked_batch(contract, hr_user, content, name)
        assert (batch.rows_invalid, batch.to_add, batch.to_change, batch.to_remove) == (0, 0, 0, 0)
    xlsx = xlsx_file("Список", register_rows(contract), notes=True).read()
    batch = checked_batch(contract, hr_user, xlsx, "a.xlsx")
    assert (batch.rows_invalid, batch.to_add, batch.to_change, batch.to_remove) == (0, 0, 0, 0)


def test_a_formula_cell_of_an_xlsx_is_an_error_not_a_value(contract, hr_user):
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADERS)
    row = list(person_row("Б-0001").values())
    row[1] = '=HYPERLINK("http://evil.example","Иванов")'
    sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)

    batch = checked_batch(contract, hr_user, buffer.getvalue(), "spisok.xlsx")

    assert batch.rows_invalid == 1
