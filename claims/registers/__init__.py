"""Clinic service registers (реестры услуг): reading a CSV or XLSX file, checking every row, and
loading the lines all-or-nothing.

The co-pay of a line is the program's share of its amount, rounded half up to the kopeck:
    copay = ROUND_HALF_UP(amount × copay_share / 100, 0.01)
e.g. 20 % of 680,00 = 136,00; 20 % of 333,33 = 66,666 → 66,67; 15 % of 0,10 = 0,015 → 0,02.

A line is identified by clinic + register number + line number (unique in the database):
loading the same register twice adds nothing the second time. A file with any bad row loads
nothing, and the operator sees every bad row with its reason. The file is read twice, never held
as rows, and its lines are COPY'd in chunks in one transaction (register_import).
"""

import csv
import datetime
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.db import transaction
from django.utils.translation import gettext as _

from clinics.models import Clinic
from policies.identity import normalize_policy_number
from policies.models import CareKind, InsuredPerson
from portal.core.bulk import copy_rows

from ..history_version import service_history_changed
from ..icd10 import icd10_is_valid, icd10_normalize
from ..models import Icd10Flag, ServiceLine
from ..services.icd10 import icd10_codes

KOPECK = Decimal("0.01")
MAX_ROWS = 100_000
DAY_RE = re.compile(r"[0-9]{2}\.[0-9]{2}\.[0-9]{4}\Z")

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
    # New lines whose МКБ-10 code the dictionary does not have: loaded, and marked for the
    # register specialist (ServiceLine.icd10_flag).
    icd10_flagged: int = 0
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


def read_rows(content: bytes, filename: str) -> Iterator[list[str]]:
    """The file's rows as text cells (the header included), one at a time: the file is read again
    for each pass over it, never held as a list of rows."""
    name = filename.lower()
    if name.endswith(".xlsx") or content[:4] == b"PK\x03\x04":
        from openpyxl import load_workbook

        try:
            book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        except Exception as error:  # openpyxl raises many kinds for a damaged file
            raise RegisterFileError(_("Файл XLSX не читается: %(e)s") % {"e": error}) from error
        try:
            for row in book.worksheets[0].iter_rows(values_only=True):
                yield [_cell(v) for v in row]
        finally:
            book.close()
        return
    encoding = _encoding(content)
    # Decoded as it is read (the file's bytes are in memory already; its text need not be too).
    text = io.TextIOWrapper(io.BytesIO(content), encoding=encoding, newline="")
    # The delimiter is the one the header uses most (money cells hold commas: «680,00»).
    header = text.readline()
    delimiter = max(";,\t", key=header.count)
    text.seek(0)
    for row in csv.reader(text, delimiter=delimiter):
        yield [c.strip() for c in row]


def _encoding(content: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1251"):
        try:
            content.decode(encoding)
        except UnicodeDecodeError:
            continue
        return encoding
    raise RegisterFileError(_("Файл не в кодировке UTF-8 или Windows-1251"))


def _decimal(text: str) -> Decimal | None:
    try:
        value = Decimal(text.replace("\u00a0", "").replace(" ", "").replace(",", "."))
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def _date(text: str) -> datetime.date | None:
    if DAY_RE.match(text):
        # ДД.ММ.ГГГГ without strptime (ten times slower); an impossible day goes the long way.
        try:
            return datetime.date(int(text[6:]), int(text[3:5]), int(text[:2]))
        except ValueError:
            pass
    for fmt in ("%d.%m.%Y", "%Y-%m-%d"):
        try:
            return datetime.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


@dataclass(frozen=True)
class _Person:
    pk: int
    starts_on: datetime.date
    ends_on: datetime.date
    copay_share: Decimal


class _Lookups:
    """Everything the rows refer to, read in a few queries for the whole file."""

    def __init__(self, numbers: set[str]):
        clinics = list(Clinic.objects.values_list("pk", "name"))
        self.clinic_by_id = {str(pk): pk for pk, _name in clinics}
        self.clinic_by_name = {name.casefold(): pk for pk, name in clinics}
        kinds = list(CareKind.objects.values_list("pk", "code", "name"))
        self.kind = {code.casefold(): pk for pk, code, _n in kinds} | {
            name.casefold(): pk for pk, _c, name in kinds
        }
        # One query for every number of the file: the database scans the register once instead
        # of being asked a thousand numbers at a time.
        self.person = {
            number: _Person(pk, starts, ends, share)
            for pk, number, starts, ends, share in InsuredPerson.objects.filter(
                policy_number__in=numbers
            )
            .order_by()
            .values_list("pk", "policy_number", "starts_on", "ends_on", "program__copay_share")
        }
        self.icd10 = icd10_codes()

    def clinic(self, text: str) -> int | None:
        return self.clinic_by_id.get(text) or self.clinic_by_name.get(text.casefold())


def _columns(header: list[str]) -> dict[str, int | None]:
    header = [h.strip().casefold() for h in header]
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
    return index


def _records(content: bytes, filename: str) -> Iterator[tuple[int, dict[str, str]]]:
    """(row number, {column key: text}) of every row with data; the header is row 1."""
    rows = read_rows(content, filename)
    header = next(rows, None)
    if header is None:
        raise RegisterFileError(_("Файл пустой"))
    index = list(_columns(header).items())
    for number, row in enumerate(rows, start=2):
        if not any(row):
            continue
        size = len(row)
        yield (
            number,
            {key: (row[pos] if pos is not None and pos < size else "") for key, pos in index},
        )


def _numbers_counted(content: bytes, filename: str) -> tuple[set[str], int]:
    """The policy numbers of the file and its row count (the first pass), refusing a file of
    too many rows."""
    numbers = set()
    count = 0
    for count, (_number, record) in enumerate(_records(content, filename), start=1):
        if count > MAX_ROWS:
            raise RegisterFileError(_("Больше %(n)s строк: разделите реестр") % {"n": MAX_ROWS})
        numbers.add(normalize_policy_number(record["policy_number"]))
    return numbers, count


def _line(r: dict[str, str], lookups: _Lookups) -> tuple[tuple | None, list]:
    """The row as LINE_COLUMNS values, or the reasons it is wrong."""
    reasons = [
        _("не заполнено «%(column)s»") % {"column": title}
        for key, title, required in COLUMNS
        if required and not r[key]
    ]
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
    icd10_code, icd10_flag = _icd10(r["icd10_code"], lookups)
    if len(icd10_code) > 16 or len(r["service_code"]) > 32:
        reasons.append(_("слишком длинный код"))
    if reasons:
        return None, reasons
    copay = copay_amount(amount, person.copay_share)
    state = ServiceLine.CopayState.UNPAID if copay > 0 else ServiceLine.CopayState.NONE
    return (
        clinic,
        r["register_number"][:64],
        line_number,
        person.pk,
        r["service_code"],
        r["service_name"][:512],
        kind,
        service_date,
        quantity,
        amount,
        copay,
        state,
        icd10_code,
        r["icd10_name"][:512],
        icd10_flag,
    ), []


def _icd10(text: str, lookups: _Lookups) -> tuple[str, str]:
    """The line's code in the dictionary's form and its mark: a code the dictionary lacks, or
    text that is no code at all, is kept as the clinic wrote it (normalised) and flagged — the
    line is the clinic's bill and is never dropped for its diagnosis."""
    code = icd10_normalize(text)
    if not code:
        return "", ""
    if not icd10_is_valid(code):
        return code, Icd10Flag.INVALID
    return code, ("" if code in lookups.icd10 else Icd10Flag.UNKNOWN)


# What _line gives, in its order (copy_rows fills the rest with the model's defaults).
LINE_COLUMNS = (
    "clinic_id",
    "register_number",
    "line_number",
    "insured_person_id",
    "service_code",
    "service_name",
    "care_kind_id",
    "service_date",
    "quantity",
    "amount",
    "copay_amount",
    "copay_state",
    "icd10_code",
    "icd10_name",
    "icd10_flag",
)
CHUNK = 1000


class _Rejected(Exception):
    """Leaves the transaction of a file with a bad row: whatever was written is rolled back."""


class _Loader:
    """Writes the new lines of a file in chunks, skipping those of the same clinic's register
    loaded before (their line numbers are read once per register, with the clinic row locked:
    two uploads of one register are loaded one after the other, never twice)."""

    def __init__(self):
        self.existing: dict[tuple[int, str], set[int]] = {}
        self.pending: list[tuple] = []
        self.created = self.already_loaded = self.icd10_flagged = 0

    def add(self, line: tuple) -> None:
        register = (line[0], line[1])
        loaded = self.existing.get(register)
        if loaded is None:
            loaded = self.existing[register] = self._loaded(*register)
        if line[2] in loaded:
            self.already_loaded += 1
            return
        if line[14]:
            self.icd10_flagged += 1
        self.pending.append(line)
        if len(self.pending) == CHUNK:
            self.flush()

    def _loaded(self, clinic_id: int, register: str) -> set[int]:
        list(Clinic.objects.select_for_update().filter(pk=clinic_id).values_list("pk"))
        return set(
            ServiceLine.objects.filter(clinic_id=clinic_id, register_number=register).values_list(
                "line_number", flat=True
            )
        )

    def flush(self) -> None:
        self.created += copy_rows(ServiceLine, LINE_COLUMNS, self.pending)
        self.pending = []

    def finish(self) -> None:
        self.flush()


PROGRESS_EVERY = 1000


def register_import(*, content: bytes, filename: str, progress=None) -> RegisterResult:
    """Check every row; load the new lines only when no row is wrong (one transaction).
    Raises RegisterFileError when the file itself cannot be read.

    Two passes over the file, neither holding its rows: the first collects the policy numbers
    (one query finds them all), the second checks each row and writes the good ones with COPY
    while no row has been wrong; a wrong row stops the writing, the rest is only checked, and the
    transaction is rolled back. `progress(done, total)`, when given, is told every
    PROGRESS_EVERY rows."""
    numbers, total = _numbers_counted(content, filename)
    lookups = _Lookups(numbers)
    result = RegisterResult()
    seen: dict[tuple, int] = {}
    loader = _Loader()
    try:
        with transaction.atomic():
            for number, record in _records(content, filename):
                result.rows += 1
                if progress is not None and result.rows % PROGRESS_EVERY == 0:
                    progress(result.rows, total)
                line, reasons = _line(record, lookups)
                if line is not None:
                    key = line[:3]
                    if key in seen:
                        reasons = [
                            _("строка %(n)s реестра повторяется (см. строку файла %(row)s)")
                            % {"n": line[2], "row": seen[key]}
                        ]
                    else:
                        seen[key] = number
                        if not result.errors:
                            loader.add(line)
                result.errors.extend(RowError(row=number, reason=reason) for reason in reasons)
            if result.errors:
                raise _Rejected
            loader.finish()
            if loader.created:
                service_history_changed()  # COPY sends no signals: cached filter choices stale
    except _Rejected:
        return result
    result.created, result.already_loaded = loader.created, loader.already_loaded
    result.icd10_flagged = loader.icd10_flagged
    return result


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
