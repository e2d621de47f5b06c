"""The check of an uploaded list: every row validated and compared with the register.

The file is streamed in chunks; each chunk is validated, compared with the register rows of the
same policy numbers (one query) and written to ImportRow (one insert). What needs the whole file —
duplicate numbers, parents, who the list leaves out — is then found in the database, in chunks. So
the memory used does not grow with the file: the diff is counters on the batch plus the staged rows
the page previews a bounded number of.
"""

import datetime
from collections.abc import Iterable, Iterator
from itertools import islice

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Exists, Max, Min, OuterRef, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from policies.models import Contract, InsuredPerson, Program

from ..columns import COLUMNS, column_for_header
from ..models import ImportBatch, ImportRow
from ..progress import progress_clear, progress_set
from .bulk import bulk_insert
from .reading import Cell, ListFileError, read_rows, sniff
from .validation import CheckedRow, RowContext, check_row, ru_date

CHUNK_ROWS = 1000

# The fields compared with the register, with the labels the diff shows.
DIFF_FIELDS: tuple[tuple[str, str], ...] = (
    ("last_name", "Фамилия"),
    ("first_name", "Имя"),
    ("middle_name", "Отчество"),
    ("birth_date", "Дата рождения"),
    ("email", "Электронная почта"),
    ("phone", "Телефон"),
    ("program", "Программа"),
    ("starts_on", "Дата начала"),
    ("ends_on", "Дата окончания"),
    ("relation", "Кем приходится"),
    ("parent_number", "Полис родителя"),
)
REGISTER_VALUES = (
    "id",
    "policy_number",
    "contract_id",
    "contract__number",
    "contract__policyholder_id",
    "last_name",
    "first_name",
    "middle_name",
    "birth_date",
    "email",
    "phone",
    "program_id",
    "program__code",
    "starts_on",
    "ends_on",
    "relation",
    "parent__policy_number",
)
RELATION_LABELS = dict(InsuredPerson.Relation.choices)


def register_fingerprint(contract: Contract) -> str:
    """Changes whenever a register row or a program of the contract is written (a diff checked
    before such a write no longer describes what the apply would do)."""
    people = InsuredPerson.objects.filter(contract=contract).aggregate(
        n=Count("id"), ids=Sum("id"), last=Max("updated_at")
    )
    programs = Program.objects.filter(contract=contract).aggregate(
        n=Count("id"), last=Max("updated_at")
    )
    stamp = people["last"].isoformat() if people["last"] else "-"
    program_stamp = programs["last"].isoformat() if programs["last"] else "-"
    return f"{people['n']}:{people['ids'] or 0}:{stamp}:{programs['n']}:{program_stamp}"


def import_batch_check(*, batch_id: int) -> ImportBatch:
    """Check a queued batch and store its diff; safe to run twice (a checked batch is left alone,
    and the batch row is locked while it is checked)."""
    with transaction.atomic():
        batch = (
            ImportBatch.objects.select_for_update()
            .select_related("contract__policyholder")
            .get(pk=batch_id)
        )
        if batch.status != ImportBatch.Status.UPLOADED:
            return batch
        ImportRow.objects.filter(batch=batch).delete()
        try:
            with batch.file.open("rb") as stored:
                _rows_stage(batch, stored)
        except ListFileError as exc:
            ImportRow.objects.filter(batch=batch).delete()
            _counters_reset(batch)
            batch.status = ImportBatch.Status.REJECTED
            batch.message = str(exc)
            batch.checked_at = timezone.now()
            batch.save()
            progress_clear(batch.pk)
            return batch
        _duplicates_mark(batch)
        _parents_check(batch)
        _removals_stage(batch)
        _counters_store(batch)
        batch.register_fingerprint = register_fingerprint(batch.contract)
        batch.status = ImportBatch.Status.CHECKED
        batch.message = ""
        batch.checked_at = timezone.now()
        batch.save()
    progress_clear(batch.pk)
    return batch


def _counters_reset(batch: ImportBatch) -> None:
    batch.rows_total = batch.rows_invalid = 0
    batch.to_add = batch.to_change = batch.to_remove = batch.unchanged = 0


def _header_map(header: list[Cell]) -> dict[int, str]:
    mapping: dict[int, str] = {}
    seen: set[str] = set()
    for index, cell in enumerate(header):
        key = column_for_header(str(cell or ""))
        if key is None:
            continue
        if key in seen:
            raise ListFileError(
                _("Столбец «%(header)s» встречается в заголовке дважды.") % {"header": cell}
            )
        seen.add(key)
        mapping[index] = key
    missing = [c.header for c in COLUMNS if c.required and c.key not in seen]
    if missing:
        raise ListFileError(
            _(
                "В первой строке нет обязательных столбцов: %(missing)s. Скачайте шаблон на этой "
                "странице и перенесите данные в него."
            )
            % {"missing": ", ".join(f"«{m}»" for m in missing)}
        )
    return mapping


def _blank(cell: Cell) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def _rows_stage(batch: ImportBatch, stored) -> None:
    sniffed = sniff(stored, size=batch.file_size)
    stream = read_rows(stored, sniffed, size=batch.file_size)
    rows = iter(stream.rows)
    try:
        _number, header = next(rows)
    except StopIteration:
        raise ListFileError(_("Файл пуст.")) from None
    mapping = _header_map(header)
    ctx = RowContext.for_contract(batch.contract, today=timezone.localdate())
    limit = settings.EMPLOYERS_IMPORT_MAX_ROWS

    def checked() -> Iterator[CheckedRow]:
        count = 0
        for number, cells in rows:
            if all(_blank(cell) for cell in cells):
                continue
            count += 1
            if count > limit:
                raise ListFileError(
                    _("В файле больше %(limit)s строк: разделите список по договорам или частям.")
                    % {"limit": limit}
                )
            by_key = {key: cells[i] if i < len(cells) else None for i, key in mapping.items()}
            yield check_row(number, by_key, ctx)

    staged = 0
    source = checked()
    while chunk := list(islice(source, CHUNK_ROWS)):
        bulk_insert(ImportRow, _diff_rows(batch, chunk))
        staged += len(chunk)
        progress_set(batch.pk, phase="check", done=round(1000 * stream.progress()), total=1000)
    if staged == 0:
        raise ListFileError(_("В файле нет ни одной строки с данными, только заголовок."))


def _display(key: str, value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.date):
        return ru_date(value)
    if key == "relation":
        return str(RELATION_LABELS.get(value, value))
    return str(value)


def _register_values(numbers: Iterable[str]) -> dict[str, dict]:
    return {
        row["policy_number"]: row
        for row in InsuredPerson.objects.filter(policy_number__in=list(numbers)).values(
            *REGISTER_VALUES
        )
    }


def _diff_rows(batch: ImportBatch, chunk: list[CheckedRow]) -> list[ImportRow]:
    contract = batch.contract
    existing = _register_values({r.values["policy_number"] for r in chunk} - {""})
    staged = []
    for row in chunk:
        values = row.values
        known = existing.get(values["policy_number"])
        if known is not None and known["contract_id"] != contract.pk:
            if known["contract__policyholder_id"] == contract.policyholder_id:
                message = _(
                    "полис числится по другому договору этого страхователя (№ %(number)s); "
                    "перевод между договорами оформляет страховщик"
                ) % {"number": known["contract__number"]}
            else:
                message = _("номер полиса принадлежит застрахованному другого страхователя")
            row.error("policy_number", values["policy_number"], message)
        changes = []
        if row.errors:
            action = ImportRow.Action.INVALID
        elif known is None:
            action = ImportRow.Action.ADD
        else:
            changes = _changes(known, values)
            action = ImportRow.Action.CHANGE if changes else ImportRow.Action.SAME
        program = values["program"]
        staged.append(
            ImportRow(
                batch=batch,
                row_number=row.row_number,
                action=action,
                person_id=known["id"] if known and not row.errors else None,
                policy_number=values["policy_number"],
                last_name=values["last_name"],
                first_name=values["first_name"],
                middle_name=values["middle_name"],
                birth_date=values["birth_date"],
                email=values["email"],
                phone=values["phone"],
                program=program,
                starts_on=values["starts_on"],
                ends_on=values["ends_on"],
                relation=values["relation"],
                parent_number=values["parent_number"],
                changes=changes,
                errors=row.errors,
            )
        )
    return staged


def _changes(known: dict, values: dict) -> list[list[str]]:
    old = {
        **known,
        "program": known["program__code"],
        "parent_number": known["parent__policy_number"],
    }
    new = {**values, "program": values["program"].code if values["program"] else ""}
    changes = []
    for key, label in DIFF_FIELDS:
        before, after = old.get(key) or "", new.get(key) or ""
        if key == "program":
            differs = known["program_id"] != (values["program"].pk if values["program"] else None)
        else:
            differs = before != after
        if differs:
            changes.append([label, _display(key, before), _display(key, after)])
    return changes


def _invalidate(rows: list[ImportRow]) -> None:
    for row in rows:
        row.action = ImportRow.Action.INVALID
        row.changes = []
        row.person = None
    ImportRow.objects.bulk_update(rows, ["action", "changes", "person", "errors"])


def _chunks(queryset, size: int = CHUNK_ROWS) -> Iterator[list]:
    """A queryset ordered by pk, in lists of `size`, read by keyset (never OFFSET)."""
    last = 0
    while True:
        chunk = list(queryset.filter(pk__gt=last).order_by("pk")[:size])
        if not chunk:
            return
        yield chunk
        last = chunk[-1].pk


def _duplicates_mark(batch: ImportBatch) -> None:
    """Every repeat of a policy number after its first row is an error."""
    groups = (
        ImportRow.objects.filter(batch=batch, row_number__isnull=False)
        .exclude(policy_number="")
        .values("policy_number")
        .annotate(n=Count("id"), first=Min("row_number"))
        .filter(n__gt=1)
        .order_by("first")
    )
    for group in groups.iterator(chunk_size=CHUNK_ROWS):
        repeats = list(
            ImportRow.objects.filter(
                batch=batch, policy_number=group["policy_number"], row_number__gt=group["first"]
            )
        )
        for row in repeats:
            row.errors = [
                *row.errors,
                {
                    "column": "Номер полиса",
                    "value": row.policy_number,
                    "message": _("номер полиса повторяется: он уже есть в строке %(row)s")
                    % {"row": group["first"]},
                },
            ]
        _invalidate(repeats)


def _parents_check(batch: ImportBatch) -> None:
    """A child's parent is an employee of the list, or of the register of another contract of the
    same company (a parent of this contract left out of the list would be removed by it)."""
    contract = batch.contract
    for action in (ImportRow.Action.ADD, ImportRow.Action.CHANGE, ImportRow.Action.SAME):
        children = ImportRow.objects.filter(
            batch=batch, action=action, relation=InsuredPerson.Relation.CHILD
        )
        for chunk in _chunks(children):
            _children_check(batch, contract, chunk)


def _children_check(batch: ImportBatch, contract: Contract, chunk: list[ImportRow]) -> None:
    numbers = {row.parent_number for row in chunk}
    in_file: dict[str, ImportRow] = {}
    for row in ImportRow.objects.filter(
        batch=batch, policy_number__in=numbers, row_number__isnull=False
    ).order_by("row_number"):
        in_file.setdefault(row.policy_number, row)
    in_register = _register_values(numbers - set(in_file))
    failed = []
    for row in chunk:
        message = _parent_problem(row, in_file.get(row.parent_number), in_register, contract)
        if message:
            row.errors = [
                *row.errors,
                {
                    "column": "Номер полиса родителя",
                    "value": row.parent_number,
                    "message": message,
                },
            ]
            failed.append(row)
    if failed:
        _invalidate(failed)


def _parent_problem(
    row: ImportRow, parent_row: ImportRow | None, in_register: dict[str, dict], contract: Contract
) -> str:
    if parent_row is not None:
        if parent_row.action == ImportRow.Action.INVALID:
            return _("в строке родителя (%(row)s) есть ошибки") % {"row": parent_row.row_number}
        if parent_row.relation != InsuredPerson.Relation.EMPLOYEE:
            return _("родитель (строка %(row)s) сам указан как ребёнок") % {
                "row": parent_row.row_number
            }
        return ""
    known = in_register.get(row.parent_number)
    if known is None or known["contract__policyholder_id"] != contract.policyholder_id:
        return _("родитель с этим номером полиса не найден ни в файле, ни в реестре")
    if known["relation"] != InsuredPerson.Relation.EMPLOYEE:
        return _("родитель с этим номером полиса сам застрахован как ребёнок")
    if known["contract_id"] == contract.pk:
        return _(
            "родитель есть в реестре этого договора, но не указан в списке и будет исключён: "
            "добавьте его строку"
        )
    return ""


def _removals_stage(batch: ImportBatch) -> None:
    """Register persons of the contract, covered on or after the effective date, whose policy
    number the list does not mention at all (a row with errors still mentions it)."""
    effective = batch.effective_date
    last_day = effective - datetime.timedelta(days=1)
    # NOT EXISTS, not NOT IN: an anti-join the database hashes, whatever the list's size.
    mentioned = ImportRow.objects.filter(
        batch=batch, row_number__isnull=False, policy_number=OuterRef("policy_number")
    )
    leaving = (
        InsuredPerson.objects.filter(contract=batch.contract, ends_on__gte=effective)
        .exclude(Exists(mentioned))
        .select_related("program")
    )
    for chunk in _chunks(leaving):
        staged = []
        for person in chunk:
            cancelled = person.starts_on >= effective
            new_end = person.starts_on if cancelled else last_day
            changes = [["Дата окончания", ru_date(person.ends_on), ru_date(new_end)]]
            if cancelled:
                changes.append(["Полис", "действует", "аннулирован до начала действия"])
            staged.append(
                ImportRow(
                    batch=batch,
                    row_number=None,
                    action=ImportRow.Action.REMOVE,
                    person=person,
                    policy_number=person.policy_number,
                    last_name=person.last_name,
                    first_name=person.first_name,
                    middle_name=person.middle_name,
                    birth_date=person.birth_date,
                    email=person.email,
                    phone=person.phone,
                    program=person.program,
                    starts_on=person.starts_on,
                    ends_on=new_end,
                    relation=person.relation,
                    changes=changes,
                )
            )
        bulk_insert(ImportRow, staged)


def _counters_store(batch: ImportBatch) -> None:
    counts = dict(
        ImportRow.objects.filter(batch=batch)
        .values("action")
        .annotate(n=Count("id"))
        .values_list("action", "n")
    )
    batch.rows_total = ImportRow.objects.filter(batch=batch, row_number__isnull=False).count()
    batch.rows_invalid = counts.get(ImportRow.Action.INVALID, 0)
    batch.to_add = counts.get(ImportRow.Action.ADD, 0)
    batch.to_change = counts.get(ImportRow.Action.CHANGE, 0)
    batch.to_remove = counts.get(ImportRow.Action.REMOVE, 0)
    batch.unchanged = counts.get(ImportRow.Action.SAME, 0)
