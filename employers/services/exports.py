"""Files given back to the HR manager: the list template (empty or filled with the contract's
current register) and the rows with errors.

Every value that a spreadsheet program would run as a formula (starting with = + - @, a tab or a
carriage return) is neutralised: in CSV it gets a leading apostrophe (which the import takes off
again), in XLSX every cell is written as a string cell, never as a formula.
"""

import csv
import tempfile
from collections.abc import Iterable, Iterator

from django.db.models import QuerySet
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from policies.models import Contract, InsuredPerson

from ..columns import COLUMNS, HEADERS, ONE_C_HEADERS, ONE_C_TITLE
from ..models import ImportBatch, ImportRow
from .validation import FORMULA_STARTS, ru_date

CSV_DELIMITER = ";"  # what Excel with Russian regional settings opens by double-click
RELATION_WORDS = {
    InsuredPerson.Relation.EMPLOYEE: "сотрудник",
    InsuredPerson.Relation.CHILD: "ребёнок",
}
ERROR_HEADERS = ["Строка", "Номер полиса", "ФИО", "Столбец", "Значение", "Ошибка"]


def neutralise(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_lines(rows: Iterable[list[object]]) -> Iterator[str]:
    """CSV text line by line (for a streaming response), UTF-8 BOM first so that Excel reads it."""
    writer = csv.writer(_Echo(), delimiter=CSV_DELIMITER)
    yield "\ufeff"
    for row in rows:
        yield writer.writerow([neutralise(value) for value in row])


def xlsx_file(sheet_title: str, rows: Iterable[list[object]], *, notes: bool = False):
    """An XLSX workbook in a temporary file (streamed through openpyxl's write-only mode)."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(sheet_title)
    bold = Font(bold=True)
    for index, row in enumerate(rows):
        cells = []
        for value in row:
            cell = WriteOnlyCell(sheet, value="" if value is None else str(value))
            cell.data_type = "s"  # a string, even when it looks like a formula
            if index == 0:
                cell.font = bold
            cells.append(cell)
        sheet.append(cells)
    if notes:
        help_sheet = workbook.create_sheet("Как заполнять")
        help_sheet.append(["Столбец", "Обязательный", "Как заполнять"])
        for column in COLUMNS:
            help_sheet.append([column.header, "да" if column.required else "нет", column.hint])
    spooled = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115
    workbook.save(spooled)
    spooled.seek(0)
    return spooled


def register_rows(contract: Contract | None) -> Iterator[list[object]]:
    """The header, then (for a contract) everyone covered today or later, employees first."""
    yield list(HEADERS)
    if contract is None:
        return
    people: QuerySet = (
        InsuredPerson.objects.filter(contract=contract, ends_on__gte=timezone.localdate())
        .select_related("program", "parent")
        .order_by("-relation", "last_name", "first_name", "policy_number")
    )
    for person in people.iterator(chunk_size=2000):
        yield [
            person.policy_number,
            person.last_name,
            person.first_name,
            person.middle_name,
            ru_date(person.birth_date),
            person.email,
            person.phone,
            person.program.code,
            ru_date(person.starts_on),
            ru_date(person.ends_on),
            RELATION_WORDS.get(person.relation, person.relation),
            person.parent.policy_number if person.parent else "",
            person.personnel_number,
            person.department,
        ]


def one_c_template_rows() -> Iterator[list[object]]:
    """The «как в 1С» template: a title above the table, as a payroll export has it, then the
    header (the import finds it below the title)."""
    yield [ONE_C_TITLE]
    yield []
    yield list(ONE_C_HEADERS)


# The rows of an applied list given back to HR: everyone it names, with their policy numbers.
LISTED_ACTIONS = (ImportRow.Action.ADD, ImportRow.Action.CHANGE, ImportRow.Action.SAME)


def batch_list_rows(batch: ImportBatch) -> Iterator[list[object]]:
    """The applied list in the portal's layout, in the file's order, with the policy numbers the
    insurer assigned to its newcomers filled in (ready to be uploaded again)."""
    yield list(HEADERS)
    rows = (
        ImportRow.objects.filter(batch=batch, action__in=LISTED_ACTIONS)
        .select_related("program")
        .order_by("row_number")
    )
    for row in rows.iterator(chunk_size=2000):
        yield [
            row.policy_number,
            row.last_name,
            row.first_name,
            row.middle_name,
            ru_date(row.birth_date),
            row.email,
            row.phone,
            row.program.code if row.program else "",
            ru_date(row.starts_on),
            ru_date(row.ends_on),
            RELATION_WORDS.get(row.relation, row.relation),
            row.parent_number,
            row.personnel_number,
            row.department,
        ]


def error_rows(batch: ImportBatch) -> Iterator[list[object]]:
    yield list(ERROR_HEADERS)
    rows = ImportRow.objects.filter(batch=batch, action=ImportRow.Action.INVALID).order_by("id")
    for row in rows.iterator(chunk_size=2000):
        for error in row.errors:
            yield [
                row.row_number,
                row.policy_number,
                row.full_name,
                error.get("column", ""),
                error.get("value", ""),
                error.get("message", ""),
            ]
