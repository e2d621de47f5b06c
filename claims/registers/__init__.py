"""Clinic service registers (реестры услуг): reading a CSV or XLSX file, checking every row, and
loading the lines all-or-nothing.

The co-pay of a line is the program's share of its amount, rounded half up to the kopeck:
    copay = ROUND_HALF_UP(amount × copay_share / 100, 0.01)
e.g. 20 % of 680,00 = 136,00; 20 % of 333,33 = 66,666 → 66,67; 15 % of 0,10 = 0,015 → 0,02.

A line is identified by clinic + register number + line number (unique in the database):
loading the same register twice adds nothing the second time. A file with any bad row loads
nothing, and the operator sees every bad row with its reason.
"""

import csv
import datetime
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.db import transaction
from django.utils.translation import gettext as _

from clinics.models import Clinic
from policies.identity import normalize_policy_number
from policies.models import CareKind, InsuredPerson

from ..models import Icd10Diagnosis, ServiceLine

KOPECK = Decimal("0.01")
MAX_ROWS = 50_000

# (key, Russian header of the template, required)
COLUMNS: tuple[tuple[str, str, bool], ...] = (
    ("clinic", "Клиника (ID или наименование)", True),
    ("register_number", "Номер реестра", True),
    ("line_number", "Номер строки", True),
    ("policy_number", "Номер полиса", True),
    ("service_code", "Код услуги", True),
    ("service_name", "Наименование услуги", True),
    ("care_kind", "Вид помощи (код или наименование)", True),
    ("service_date", "Дата оказания (ДД.ММ.ГГГГ)", True),
    ("quantity", "Количество", True),
    ("price", "Цена, руб.", True),
    ("amount", "Сумма, руб.", True),
    ("icd10_code", "Код МКБ-10", False),
    ("icd10_name", "Диагноз по МКБ-10", False),
)
HEADERS = [header for _key, header, _required in COLUMNS]
EXAMPLE_ROW = [
    "1",
    "Р-2026-03",
    "1",
    "77-00000001",
    "B01.047.002",
    "Повторная консультация в течение 1 месяца от даты первичного приема",
    "outpatient",
    "15.01.2026",
    "1",
    "680,00",
    "680,00",
    "S20.2",
    "Ушиб грудной клетки",
]


def copay_amount(amount: Decimal, share: Decimal) -> Decimal:
    """The person's share of a line, rounded half up to the kopeck (see the module's rule)."""
    return (amount * share / Decimal(100)).quantize(KOPECK, rounding=ROUND_HALF_UP)


class RegisterFileError(ValueError):
    """The file as a whole cannot be read (not CSV/XLSX, no header, wrong columns)."""


@dataclass
class RowError:
    row: int  # the row's number in the file, the header being row 1
    reason: str


@dataclass
class RegisterResult:
    rows: int = 0
    created: int = 0
    already_loaded: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.date().strftime("%d.%m.%Y")
    if isinstance(value, datetime.date):
        return value.strftime("%d.%m.%Y")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_rows(content: bytes, filename: str) -> list[list[str]]:
    """The file's rows as text cells (the header included)."""
    name = filename.lower()
    if name.endswith(".xlsx") or content[:4] == b"PK\x03\x04":
        from openpyxl import load_workbook

        try:
            book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        except Exception as error:  # openpyxl raises many kinds for a damaged file
            raise RegisterFileError(_("Файл XLSX не читается: %(e)s") % {"e": error}) from error
        sheet = book.worksheets[0]
        rows = [[_cell(v) for v in row] for row in sheet.iter_rows(values_only=True)]
        book.close()
        return rows
    for encoding in ("utf-8-sig", "cp1251"):
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise RegisterFileError(_("Файл не в кодировке UTF-8 или Windows-1251"))
    # The delimiter is the one the header uses most (money cells hold commas: «680,00»).
    header = text.split("\n", 1)[0]
    delimiter = max(";,\t", key=header.count)
    return [[c.strip() for c in row] for row in csv.reader(io.StringIO(text), delimiter=delimiter)]


def _decimal(text: str) -> Decimal | None:
    try:
        value = Decimal(text.replace("\u00a0", "").replace(" ", "").replace(",", "."))
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def _date(text: str) -> datetime.date | None:
    for fmt in ("%d.%m.%Y", "%Y-%m-%d"):
        try:
            return datetime.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


class _Lookups:
    """Everything the rows refer to, read in a few queries for the whole file."""

    def __init__(self, records: list[dict[str, str]]):
        clinics = Clinic.objects.only("pk", "name")
        self.clinic_by_id = {str(c.pk): c for c in clinics}
        self.clinic_by_name = {c.name.casefold(): c for c in self.clinic_by_id.values()}
        kinds = list(CareKind.objects.all())
        self.kind = {k.code.casefold(): k for k in kinds} | {k.name.casefold(): k for k in kinds}
        numbers = {normalize_policy_number(r["policy_number"]) for r in records}
        self.person = {
            p.policy_number: p
            for p in InsuredPerson.objects.select_related("program").filter(
                policy_number__in=numbers
            )
        }

    def clinic(self, text: str) -> Clinic | None:
        return self.clinic_by_id.get(text) or self.clinic_by_name.get(text.casefold())


def _records(rows: list[list[str]]) -> list[tuple[int, dict[str, str]]]:
    if not rows:
        raise RegisterFileError(_("Файл пустой"))
    header = [h.strip().casefold() for h in rows[0]]
    index = {}
    for key, title, required in COLUMNS:
        # The header may be the template's full title or its part before the parenthesis.
        names = {title.casefold(), title.split(" (")[0].split(",")[0].casefold()}
        position = next((i for i, h in enumerate(header) if h in names), None)
        if position is None and required:
            raise RegisterFileError(
                _("Нет столбца «%(column)s»: возьмите шаблон реестра") % {"column": title}
            )
        index[key] = position
    records = []
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        cells = {
            key: (row[pos].strip() if pos is not None and pos < len(row) else "")
            for key, pos in index.items()
        }
        records.append((number, cells))
    if len(records) > MAX_ROWS:
        raise RegisterFileError(_("Больше %(n)s строк: разделите реестр") % {"n": MAX_ROWS})
    return records


def _line(number: int, r: dict[str, str], lookups: _Lookups) -> tuple[ServiceLine | None, list]:
    reasons = []
    for key, title, required in COLUMNS:
        if required and not r[key]:
            reasons.append(_("не заполнено «%(column)s»") % {"column": title})
    if reasons:
        return None, reasons
    clinic = lookups.clinic(r["clinic"])
    if clinic is None:
        reasons.append(_("клиника «%(v)s» не найдена в справочнике") % {"v": r["clinic"]})
    person = lookups.person.get(normalize_policy_number(r["policy_number"]))
    if person is None:
        reasons.append(_("полис %(v)s не найден") % {"v": r["policy_number"]})
    kind = lookups.kind.get(r["care_kind"].casefold())
    if kind is None:
        reasons.append(_("вид помощи «%(v)s» неизвестен") % {"v": r["care_kind"]})
    line_number = int(r["line_number"]) if r["line_number"].isdigit() else None
    if not line_number:
        reasons.append(_("номер строки должен быть целым числом больше нуля"))
    quantity = int(r["quantity"]) if r["quantity"].isdigit() else None
    if not quantity:
        reasons.append(_("количество должно быть целым числом больше нуля"))
    service_date = _date(r["service_date"])
    if service_date is None:
        reasons.append(_("дата «%(v)s» не в формате ДД.ММ.ГГГГ") % {"v": r["service_date"]})
    price, amount = _decimal(r["price"]), _decimal(r["amount"])
    if price is None or price < 0 or price != price.quantize(KOPECK):
        reasons.append(_("цена «%(v)s» — не сумма в рублях с копейками") % {"v": r["price"]})
    if amount is None or amount < 0 or amount != amount.quantize(KOPECK):
        reasons.append(_("сумма «%(v)s» — не сумма в рублях с копейками") % {"v": r["amount"]})
    elif price is not None and quantity and (price * quantity).quantize(KOPECK) != amount:
        reasons.append(_("сумма не равна цене, умноженной на количество"))
    if (
        person is not None
        and service_date is not None
        and not (person.starts_on <= service_date <= person.ends_on)
    ):
        reasons.append(_("дата оказания вне срока действия полиса"))
    if len(r["icd10_code"]) > 16 or len(r["service_code"]) > 32:
        reasons.append(_("слишком длинный код"))
    if reasons:
        return None, reasons
    share = person.program.copay_share
    copay = copay_amount(amount, share)
    return (
        ServiceLine(
            clinic=clinic,
            register_number=r["register_number"][:64],
            line_number=line_number,
            insured_person=person,
            service_code=r["service_code"],
            service_name=r["service_name"][:512],
            care_kind=kind,
            service_date=service_date,
            quantity=quantity,
            amount=amount,
            copay_amount=copay,
            copay_state=(
                ServiceLine.CopayState.UNPAID if copay > 0 else ServiceLine.CopayState.NONE
            ),
            icd10_code=r["icd10_code"].upper(),
            icd10_name=r["icd10_name"][:255],
        ),
        [],
    )


def register_import(*, content: bytes, filename: str) -> RegisterResult:
    """Check every row; load the new lines only when no row is wrong (one transaction).
    Raises RegisterFileError when the file itself cannot be read."""
    records = _records(read_rows(content, filename))
    result = RegisterResult(rows=len(records))
    lookups = _Lookups([r for _n, r in records])
    lines: list[tuple[int, ServiceLine]] = []
    seen: dict[tuple, int] = {}
    for number, record in records:
        line, reasons = _line(number, record, lookups)
        if line is not None:
            key = (line.clinic_id, line.register_number, line.line_number)
            if key in seen:
                reasons = [
                    _("строка %(n)s реестра повторяется (см. строку файла %(row)s)")
                    % {"n": line.line_number, "row": seen[key]}
                ]
            else:
                seen[key] = number
                lines.append((number, line))
        result.errors.extend(RowError(row=number, reason=reason) for reason in reasons)
    if result.errors:
        return result
    with transaction.atomic():
        existing = _existing_keys(line for _n, line in lines)
        new = [line for _n, line in lines if _key(line) not in existing]
        result.already_loaded = len(lines) - len(new)
        # ignore_conflicts: a line loaded by a parallel import in the meantime is not an error
        # and not a duplicate either (the unique constraint keeps one).
        ServiceLine.objects.bulk_create(new, batch_size=1000, ignore_conflicts=True)
        result.created = len(new)
        _dictionary_fill(new)
    return result


def _key(line: ServiceLine) -> tuple:
    return (line.clinic_id, line.register_number, line.line_number)


def _existing_keys(lines: Iterable[ServiceLine]) -> set[tuple]:
    lines = list(lines)
    registers = {(line.clinic_id, line.register_number) for line in lines}
    keys: set[tuple] = set()
    for clinic_id, register in registers:
        keys.update(
            (clinic_id, register, n)
            for n in ServiceLine.objects.filter(
                clinic_id=clinic_id, register_number=register
            ).values_list("line_number", flat=True)
        )
    return keys


def _dictionary_fill(lines: list[ServiceLine]) -> None:
    """New ICD-10 codes with their names go into the dictionary; an operator's edit of a name
    already there is kept."""
    names = {
        line.icd10_code: line.icd10_name for line in lines if line.icd10_code and line.icd10_name
    }
    Icd10Diagnosis.objects.bulk_create(
        [Icd10Diagnosis(code=code, name=name) for code, name in names.items()],
        ignore_conflicts=True,
    )


def template_csv() -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(HEADERS)
    writer.writerow(EXAMPLE_ROW)
    return out.getvalue().encode("utf-8-sig")


def template_xlsx() -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "Реестр"
    sheet.append(HEADERS)
    sheet.append(EXAMPLE_ROW)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
