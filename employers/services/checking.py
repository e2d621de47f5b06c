"""The check of an uploaded list: every row validated and compared with the register.

The file is streamed in chunks; each chunk is validated and COPY'd into ImportRow as tuples. The
comparison with the register is then one join of the staged rows with it (_register_compare), and
what else needs the whole file — duplicate numbers, parents, who the list leaves out — is found in
the database too, in chunks. So the memory used does not grow with the file, and no query is made
per row or per chunk of the file against the register: the diff is counters on the batch plus the
staged rows the page previews a bounded number of.
"""

import datetime
from collections.abc import Iterable, Iterator
from itertools import islice
from operator import itemgetter

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, Exists, Max, Min, OuterRef, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from policies.models import Contract, InsuredPerson, Program
from portal.core.bulk import analyze, copy_rows

from ..columns import COLUMNS, column_for_header, header_key
from ..models import ColumnMapping, ImportBatch, ImportRow
from ..progress import progress_clear, progress_set
from .reading import Cell, ListFileError, read_rows, sniff
from .validation import CheckedRow, RowContext, cell_text, check_row, error_entry, ru_date

CHUNK_ROWS = 1000

# The fields compared with the register, with the labels the diff shows.
DIFF_FIELDS: tuple[tuple[str, str], ...] = (
    ("last_name", "Фамилия"),
    ("first_name", "Имя"),
    ("middle_name", "Отчество"),
    ("birth_date", "Дата рождения"),
    ("email", "Электронная почта"),
    ("phone", "Телефон"),
    ("personnel_number", "Табельный номер"),
    ("department", "Подразделение"),
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
    "personnel_number",
    "department",
    "program_id",
    "program__code",
    "starts_on",
    "ends_on",
    "relation",
    "parent__policy_number",
)
# The register fields a list row carries, named alike on ImportRow and InsuredPerson, in the
# order the staged and removed rows hold them.
REGISTER_FIELDS = (
    "last_name",
    "first_name",
    "middle_name",
    "birth_date",
    "email",
    "phone",
    "personnel_number",
    "department",
    "program_id",
    "starts_on",
    "ends_on",
    "relation",
)
# The fields compared as they are stored (and the program by id, the parent by number).
SAME_FIELDS = tuple(name for name in REGISTER_FIELDS if name != "program_id")
RELATION_LABELS = dict(InsuredPerson.Relation.choices)
# What the check writes of a row, in this order (copy_rows fills the rest).
STAGED_COLUMNS = (
    "batch_id",
    "row_number",
    "action",
    "person_id",
    "policy_number",
    *REGISTER_FIELDS,
    "parent_number",
    "changes",
    "errors",
)


# The staged rows' columns the check's and the apply's statements filter, join and order on.
STAGED_KEYS = (
    "id",
    "batch",
    "row_number",
    "action",
    "person",
    "policy_number",
    "parent_number",
    "relation",
    "email",
    "program",
)


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
        batch.unknown_headers = []
        try:
            with batch.file.open("rb") as stored:
                keys = _rows_stage(batch, stored)
        except ListFileError as exc:
            ImportRow.objects.filter(batch=batch).delete()
            _counters_reset(batch)
            batch.status = ImportBatch.Status.REJECTED
            batch.message = str(exc)
            batch.checked_at = timezone.now()
            batch.save()
            progress_clear(batch.pk)
            return batch
        _register_match(batch)
        _register_keep(batch, keys)
        _register_compare(batch)
        _duplicates_mark(batch)
        _parents_check(batch)
        _removals_stage(batch, employees_only="relation" not in keys)
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


# How far below the top of the sheet a header row is looked for (a payroll export has a title,
# the company, the date and a blank line above its table).
HEADER_SEARCH_ROWS = 15
MAX_UNKNOWN_HEADERS = 40


def _header_keys(header: list[Cell], chosen: dict[str, str], unknown: list[str]) -> dict[int, str]:
    """{column index: field} of a header row; the headers neither the import nor the employer's
    choices (ColumnMapping: header → field, "" to leave it out) know go to `unknown`."""
    mapping: dict[int, str] = {}
    seen: set[str] = set()
    for index, cell in enumerate(header):
        text = cell_text(cell)
        key = column_for_header(text)
        if key is None and text:
            key = chosen.get(header_key(text))
            if key is None and len(unknown) < MAX_UNKNOWN_HEADERS:
                unknown.append(text[:150])
        if not key:
            continue
        if key in seen:
            raise ListFileError(
                _("Столбец «%(header)s» встречается в заголовке дважды.") % {"header": cell}
            )
        seen.add(key)
        mapping[index] = key
    return mapping


def _header_missing(mapping: dict[int, str], ctx: RowContext) -> list[str]:
    seen = set(mapping.values())
    optional = set()
    if "full_name" in seen:
        optional |= {"last_name", "first_name"}
    if ctx.only_program is not None:
        optional.add("program_code")
    if "full_name" in seen and "last_name" in seen:
        raise ListFileError(_("В заголовке есть и «ФИО», и «Фамилия»: оставьте что-то одно."))
    return [c.header for c in COLUMNS if c.required and c.key not in seen | optional]


def _header_find(batch: ImportBatch, rows: Iterator, ctx: RowContext) -> dict[int, str]:
    """The mapping of the first row, among the first HEADER_SEARCH_ROWS, that has every required
    column (the rows above it — a title, the company's name — are skipped); the headers of that
    row (or of the likeliest one) nobody knows are kept on the batch for HR to map."""
    chosen = dict(
        ColumnMapping.objects.filter(policyholder_id=ctx.contract.policyholder_id).values_list(
            "header", "field"
        )
    )
    best: tuple[int, dict[int, str]] | None = None
    for _count in range(HEADER_SEARCH_ROWS):
        try:
            number, cells = next(rows)
        except StopIteration:
            break
        unknown: list[str] = []
        mapping = _header_keys(cells, chosen, unknown)
        if mapping and not _header_missing(mapping, ctx):
            batch.unknown_headers = unknown
            return mapping
        if mapping and (best is None or len(mapping) > len(best[1])):
            best = (number, mapping)
            batch.unknown_headers = unknown
    if best is None:
        raise ListFileError(
            _(
                "В файле не найдена строка заголовков (например «Номер полиса», «ФИО», «Дата "
                "рождения»). Скачайте шаблон на этой странице и перенесите данные в него."
            )
        )
    missing = _header_missing(best[1], ctx)
    raise ListFileError(
        _(
            "В строке заголовков (строка %(row)s) нет обязательных столбцов: %(missing)s. "
            "Скачайте шаблон на этой странице и перенесите данные в него."
        )
        % {"row": best[0], "missing": ", ".join(f"«{m}»" for m in missing)}
    )


def _blank(cell: Cell) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def _rows_stage(batch: ImportBatch, stored) -> set[str]:
    """Stage the rows of the file; returns the fields its header has."""
    sniffed = sniff(stored, size=batch.file_size)
    stream = read_rows(stored, sniffed, size=batch.file_size)
    rows = iter(stream.rows)
    ctx = RowContext.for_contract(batch.contract, today=timezone.localdate())
    mapping = _header_find(batch, rows, ctx)
    limit = settings.EMPLOYERS_IMPORT_MAX_ROWS
    keys, width = tuple(mapping.values()), max(mapping) + 1
    # The mapped cells of a row in one call (a tuple: the header has every required column, so
    # more than one), a short row padded with empty cells first.
    pick = itemgetter(*mapping)

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
            if len(cells) < width:
                cells = [*cells, *[None] * (width - len(cells))]
            yield check_row(number, dict(zip(keys, pick(cells), strict=True)), ctx)

    staged = 0
    for chunk in batched(checked()):
        copy_rows(ImportRow, STAGED_COLUMNS, _staged_rows(batch, chunk))
        staged += len(chunk)
        progress_set(batch.pk, phase="check", done=round(1000 * stream.progress()), total=1000)
    if staged == 0:
        raise ListFileError(_("В файле нет ни одной строки с данными, только заголовок."))
    # The checks below (and the apply) join the staged rows: planned for their real number, with
    # the statistics of the columns they filter and join on.
    analyze(ImportRow, STAGED_KEYS)
    return set(keys)


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
        for row in InsuredPerson.objects.filter(policy_number__in=list(numbers))
        .order_by()
        .values(*REGISTER_VALUES)
    }


def _staged_rows(batch: ImportBatch, chunk: list[CheckedRow]) -> Iterator[tuple]:
    """The chunk's rows as STAGED_COLUMNS tuples: to add, or with errors (_register_compare then
    finds who is in the register already)."""
    for row in chunk:
        values = row.values
        program = values["program"]
        yield (
            batch.pk,
            row.row_number,
            ImportRow.Action.INVALID if row.errors else ImportRow.Action.ADD,
            None,
            values["policy_number"],
            values["last_name"],
            values["first_name"],
            values["middle_name"],
            values["birth_date"],
            values["email"],
            values["phone"],
            values["personnel_number"],
            values["department"],
            program.pk if program else None,
            values["starts_on"],
            values["ends_on"],
            values["relation"],
            values["parent_number"],
            [],
            row.errors,
        )


# The staged row's values beside its register person's (prefixed), for the diff.
COMPARED_VALUES = (
    "pk",
    "action",
    "errors",
    "policy_number",
    *(name for name, _label in DIFF_FIELDS if name != "program"),
    "program_id",
    "program__code",
    *(f"person__{name}" for name in REGISTER_VALUES),
)
PERSON_PREFIX = len("person__")


# How a row without a policy number finds its register person of the contract, in this order:
# by personnel number, then by the full name and birth date (only among people whose personnel
# number does not contradict the row's).
MATCH_RULES = (
    ("r.personnel_number <> ''", "p.personnel_number = r.personnel_number"),
    (
        "r.birth_date IS NOT NULL",
        "p.last_name = r.last_name AND p.first_name = r.first_name "
        "AND p.middle_name = r.middle_name AND p.birth_date = r.birth_date "
        "AND (p.personnel_number = '' OR r.personnel_number = '')",
    ),
)


def _register_match(batch: ImportBatch) -> None:
    """Give the rows without a policy number the number of their register person of the
    contract (so that everything after compares by number, as for the other rows); a row two
    register people would match gets an error naming them, never a guess. A few statements over
    the whole batch, none per row."""
    contract_id = batch.contract_id
    staged, register = _table(ImportRow), _table(InsuredPerson)
    for row_filter, same_person in MATCH_RULES:
        unmatched = f"r.batch_id = %s AND r.policy_number = '' AND {row_filter}"
        other = (
            f"EXISTS (SELECT 1 FROM {register} p2 WHERE p2.contract_id = p.contract_id "  # noqa: S608
            f"AND p2.id <> p.id AND {same_person.replace('p.', 'p2.')})"
        )
        with connection.cursor() as cursor:
            cursor.execute(
                f"""SELECT r.id, p.policy_number, p.last_name, p.first_name, p.middle_name
                FROM {staged} r JOIN {register} p ON p.contract_id = %s AND {same_person}
                WHERE {unmatched} AND r.action <> %s AND {other}
                ORDER BY r.id, p.policy_number""",  # noqa: S608 (names quoted; values params)
                [contract_id, batch.pk, ImportRow.Action.INVALID],
            )
            ambiguous: dict[int, list[str]] = {}
            for pk, number, *name in cursor.fetchall():
                full = " ".join(part for part in name if part)
                ambiguous.setdefault(pk, []).append(f"{full} ({number})")
            cursor.execute(
                f"""UPDATE {staged} SET policy_number = p.policy_number
                FROM {register} p
                WHERE p.contract_id = %s AND {same_person.replace("r.", f"{staged}.")}
                AND {unmatched.replace("r.", f"{staged}.")}
                AND NOT {other.replace("r.", f"{staged}.")}""",  # noqa: S608
                [contract_id, batch.pk],
            )
        if ambiguous:
            by_personnel = "personnel_number" in row_filter
            key = "personnel_number" if by_personnel else "last_name"
            rows = ImportRow.objects.filter(pk__in=list(ambiguous)).values_list(
                "pk", "personnel_number", "last_name", "first_name", "middle_name"
            )
            errors = {}
            for pk, personnel, *name in rows:
                value = personnel if by_personnel else " ".join(p for p in name if p)
                message = _(
                    "в реестре договора несколько подходящих застрахованных: %(people)s; "
                    "укажите номер полиса"
                ) % {"people": "; ".join(ambiguous[pk])}
                errors[pk] = error_entry(key, value, message)
            _errors_add(errors)


# The register values a list keeps when its file has no such column: a column the file lacks
# says nothing about them (a payroll export has no insurance term or phone; the portal's own
# template of an older layout no personnel number).
KEPT_WITHOUT_COLUMN = ("personnel_number", "department", "email", "phone", "starts_on", "ends_on")


def _register_keep(batch: ImportBatch, keys: set[str]) -> None:
    kept = [name for name in KEPT_WITHOUT_COLUMN if name not in keys]
    if not kept:
        return
    staged, register = _table(ImportRow), _table(InsuredPerson)
    quote = connection.ops.quote_name
    assigned = ", ".join(f"{quote(name)} = p.{quote(name)}" for name in kept)
    # Only the rows whose value differs are written (a list's rows mostly agree already).
    differs = " OR ".join(f"p.{quote(name)} <> {staged}.{quote(name)}" for name in kept)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""UPDATE {staged} SET {assigned} FROM {register} p
            WHERE p.policy_number = {staged}.policy_number AND {staged}.batch_id = %s
            AND ({differs})""",  # noqa: S608
            [batch.pk],
        )


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _register_compare(batch: ImportBatch) -> None:
    """Compare the staged rows with the register by policy number, over the whole batch at once
    (never a query per chunk: the database joins the two sets once): every row gets its register
    person, and a row equal to its person becomes SAME in the same statement; the other rows with
    a person are then read once, and become CHANGE with the fields that differ, or get an error
    when the person is another contract's."""
    contract = batch.contract
    quote = connection.ops.quote_name
    staged, register = quote(ImportRow._meta.db_table), quote(InsuredPerson._meta.db_table)
    equal = " AND ".join(f"p.{quote(name)} = {staged}.{quote(name)}" for name in SAME_FIELDS)
    with connection.cursor() as cursor:
        # UPDATE ... FROM: one join of the two sets, whatever their size (PostgreSQL; SQLite
        # 3.33 and later).
        cursor.execute(
            f"""
            UPDATE {staged} SET
                person_id = p.id,
                action = CASE
                    WHEN {staged}.action = %s AND p.contract_id = %s
                        AND p.program_id = {staged}.program_id AND {equal}
                        AND COALESCE(q.policy_number, '') = {staged}.parent_number
                    THEN %s ELSE {staged}.action END
            FROM {register} p LEFT JOIN {register} q ON q.id = p.parent_id
            WHERE p.policy_number = {staged}.policy_number AND {staged}.batch_id = %s
            """,  # noqa: S608 (names quoted from the models; values are parameters)
            [ImportRow.Action.ADD, contract.pk, ImportRow.Action.SAME, batch.pk],
        )
    rows = ImportRow.objects.filter(batch=batch)
    differing = (
        rows.filter(person__isnull=False)
        .exclude(action=ImportRow.Action.SAME)
        .order_by("pk")
        .values(*COMPARED_VALUES)
    )
    for chunk in batched(differing.iterator(chunk_size=CHUNK_ROWS)):
        _compared_store([_compared(row, contract) for row in chunk])


def _compared(row: dict, contract: Contract) -> tuple:
    """(action, person id, changes, errors, pk) of a staged row whose number is in the register."""
    known = {key[PERSON_PREFIX:]: value for key, value in row.items() if key.startswith("person__")}
    errors = row["errors"]
    if known["contract_id"] != contract.pk:
        if known["contract__policyholder_id"] == contract.policyholder_id:
            message = _(
                "полис числится по другому договору этого страхователя (№ %(number)s); "
                "перевод между договорами оформляет страховщик"
            ) % {"number": known["contract__number"]}
        else:
            message = _("номер полиса принадлежит застрахованному другого страхователя")
        errors = [*errors, error_entry("policy_number", row["policy_number"], message)]
    if errors:
        return (ImportRow.Action.INVALID, None, [], errors, row["pk"])
    return (ImportRow.Action.CHANGE, known["id"], _changes(known, row), errors, row["pk"])


def _compared_store(updates: list[tuple]) -> None:
    fields = [ImportRow._meta.get_field(name) for name in ("action", "person", "changes", "errors")]
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(f.column)} = %s" for f in fields)
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {quote(ImportRow._meta.db_table)} SET {assignments} WHERE id = %s",  # noqa: S608
            [
                (
                    *(f.get_db_prep_save(v, connection) for f, v in zip(fields, u, strict=False)),
                    u[-1],
                )
                for u in updates
            ],
        )


def _changes(known: dict, new: dict) -> list[list[str]]:
    """[label, old, new] of each field that differs between the register person and the row."""
    changes = []
    for key, label in DIFF_FIELDS:
        if key == "program":
            differs = known["program_id"] != new["program_id"]
            before, after = known["program__code"] or "", new["program__code"] or ""
        else:
            old_key = "parent__policy_number" if key == "parent_number" else key
            before, after = known[old_key] or "", new[key] or ""
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


def batched(rows: Iterable, size: int = CHUNK_ROWS) -> Iterator[list]:
    """Lists of `size` of an iterator (a queryset's .iterator(): read, then written, in turns)."""
    rows = iter(rows)
    while chunk := list(islice(rows, size)):
        yield chunk


def _chunks(queryset, size: int = CHUNK_ROWS) -> Iterator[list]:
    """A queryset ordered by pk, in lists of `size`, read by keyset (never OFFSET); rows of a
    values_list() start with the pk."""
    last = 0
    while True:
        chunk = list(queryset.filter(pk__gt=last).order_by("pk")[:size])
        if not chunk:
            return
        yield chunk
        last = chunk[-1][0] if isinstance(chunk[-1], tuple) else chunk[-1].pk


def _errors_add(pks: dict[int, dict]) -> None:
    """Append an error to each of these staged rows ({pk: error}) and make them INVALID."""
    rows = list(ImportRow.objects.filter(pk__in=list(pks)).order_by("pk"))
    for row in rows:
        row.errors = [*row.errors, pks[row.pk]]
    _invalidate(rows)


# What makes two rows one person, beside the policy number: the personnel number, and (among
# rows without a number, newcomers) the full name with the birth date.
PERSON_KEYS = ("last_name", "first_name", "middle_name", "birth_date")


def _duplicates_mark(batch: ImportBatch) -> None:
    """Every repeat of a policy number, of a personnel number, or of a newcomer's name and birth
    date after its first row is an error naming that row."""
    listed = ImportRow.objects.filter(batch=batch, row_number__isnull=False)
    numbered = _("номер полиса повторяется: он уже есть в строке %(row)s")
    personnel = _("табельный номер повторяется: он уже есть в строке %(row)s")
    same = _("этот человек (ФИО и дата рождения) уже есть в строке %(row)s")
    for rows, fields, message in (
        (listed.exclude(policy_number=""), ("policy_number",), numbered),
        (listed.exclude(personnel_number=""), ("personnel_number",), personnel),
        (listed.filter(policy_number="", birth_date__isnull=False), PERSON_KEYS, same),
    ):
        groups = (
            rows.values(*fields)
            .annotate(n=Count("id"), first=Min("row_number"))
            .filter(n__gt=1)
            .order_by("first")
        )
        for group in groups.iterator(chunk_size=CHUNK_ROWS):
            repeats = rows.filter(
                row_number__gt=group["first"], **{name: group[name] for name in fields}
            ).values_list("pk", "last_name", "first_name", "middle_name", *fields[:1])
            errors = {}
            for pk, *name, value in repeats:
                if fields is PERSON_KEYS:
                    key, value = "full_name", " ".join(part for part in name if part)
                else:
                    key = fields[0]
                errors[pk] = error_entry(key, value, message % {"row": group["first"]})
            _errors_add(errors)


# What the parent check needs of the parent's own row: (row number, action, relation).
ParentRow = tuple[int, str, str]
CHILD_ACTIONS = (ImportRow.Action.ADD, ImportRow.Action.CHANGE, ImportRow.Action.SAME)


def _parents_check(batch: ImportBatch) -> None:
    """A child's parent is an employee of the list, or of the register of another contract of the
    same company (a parent of this contract left out of the list would be removed by it).

    A child whose parent's row is a valid employee (nearly every child) is settled by an
    anti-join in the database and never read; only the others are, with their parents' rows."""
    # After _duplicates_mark only a number's first row can be valid: a valid row of the parent's
    # number is its first.
    valid_parent = ImportRow.objects.filter(
        batch=batch,
        row_number__isnull=False,
        policy_number=OuterRef("parent_number"),
        relation=InsuredPerson.Relation.EMPLOYEE,
    ).exclude(action=ImportRow.Action.INVALID)
    for action in CHILD_ACTIONS:
        # By action: read in id order from the (batch, action, id) index.
        unsettled = (
            ImportRow.objects.filter(
                batch=batch, action=action, relation=InsuredPerson.Relation.CHILD
            )
            .exclude(Exists(valid_parent))
            .values_list("pk", "parent_number")
        )
        for chunk in _chunks(unsettled):
            _children_check(batch, batch.contract, chunk)


def _children_check(batch: ImportBatch, contract: Contract, chunk: list[tuple[int, str]]) -> None:
    numbers = {parent for _pk, parent in chunk}
    in_file: dict[str, ParentRow] = {}
    for number, *parent_row in (
        ImportRow.objects.filter(batch=batch, policy_number__in=numbers, row_number__isnull=False)
        .order_by("row_number")
        .values_list("policy_number", "row_number", "action", "relation")
    ):
        in_file.setdefault(number, tuple(parent_row))
    in_register = _register_values(numbers - set(in_file))
    failed = {}
    for pk, parent in chunk:
        message = _parent_problem(parent, in_file.get(parent), in_register, contract)
        if message:
            failed[pk] = error_entry("parent_number", parent, message)
    if failed:
        _errors_add(failed)


def _parent_problem(
    parent_number: str,
    parent_row: ParentRow | None,
    in_register: dict[str, dict],
    contract: Contract,
) -> str:
    if parent_row is not None:
        row_number, action, relation = parent_row
        if action == ImportRow.Action.INVALID:
            return _("в строке родителя (%(row)s) есть ошибки") % {"row": row_number}
        if relation != InsuredPerson.Relation.EMPLOYEE:
            return _("родитель (строка %(row)s) сам указан как ребёнок") % {"row": row_number}
        return ""
    known = in_register.get(parent_number)
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


REMOVED_VALUES = ("pk", "policy_number", *REGISTER_FIELDS)


def _removals_stage(batch: ImportBatch, *, employees_only: bool = False) -> None:
    """Register persons of the contract, covered on or after the effective date, whose policy
    number the list does not mention at all (a row with errors still mentions it). A list of
    employees only (no «Кем приходится», as a payroll export) leaves out no child whose parent
    it mentions."""
    effective = batch.effective_date
    last_day = effective - datetime.timedelta(days=1)
    # NOT EXISTS, not NOT IN: an anti-join the database hashes, whatever the list's size.
    mentioned = ImportRow.objects.filter(
        batch=batch, row_number__isnull=False, policy_number=OuterRef("policy_number")
    )
    # A row (even one with errors) that names the person's personnel number mentions them too.
    mentioned_by_personnel = ImportRow.objects.filter(
        batch=batch, row_number__isnull=False, personnel_number=OuterRef("personnel_number")
    ).exclude(personnel_number="")
    leaving = (
        InsuredPerson.objects.filter(contract=batch.contract, ends_on__gte=effective)
        .exclude(Exists(mentioned))
        .exclude(Exists(mentioned_by_personnel))
    )
    if employees_only:
        parent_mentioned = ImportRow.objects.filter(
            batch=batch, row_number__isnull=False, policy_number=OuterRef("parent__policy_number")
        )
        leaving = leaving.exclude(
            Q(relation=InsuredPerson.Relation.CHILD) & Exists(parent_mentioned)
        )
    leaving = leaving.values_list(*REMOVED_VALUES)

    def staged(chunk: list[tuple]) -> Iterator[tuple]:
        # (pk, number, last ... program, starts, ends, relation): REMOVED_VALUES.
        for pk, number, *person, starts, ends, relation in chunk:
            cancelled = starts >= effective
            new_end = starts if cancelled else last_day
            changes = [["Дата окончания", ru_date(ends), ru_date(new_end)]]
            if cancelled:
                changes.append(["Полис", "действует", "аннулирован до начала действия"])
            removal = (ImportRow.Action.REMOVE, pk, number, *person, starts, new_end, relation)
            yield (batch.pk, None, *removal, "", changes, [])

    for chunk in _chunks(leaving):
        copy_rows(ImportRow, STAGED_COLUMNS, staged(chunk))


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
