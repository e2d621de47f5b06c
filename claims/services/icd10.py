"""Loading the МКБ-10 dictionary from the files the product ships (claims/data/README.md).

`icd10_load` is an upsert keyed by the dictionary's REC_CODE: rows are added, changed rows are
updated, rows gone from the files are removed, and a second run changes nothing. It is run by
`manage.py load_mkb10` (make run, the production deploy), by seed_demo and by the tests that need
the dictionary: a data migration would not do, since tests that flush the database wipe it.
"""

from __future__ import annotations

import csv
import datetime
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction

from ..icd10 import icd10_is_valid, icd10_normalize
from ..models import Icd10Diagnosis, Icd10Flag, ServiceLine

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
DICTIONARY_FILE = DATA_DIR / "mkb10.csv"
SUPPLEMENT_FILE = DATA_DIR / "mkb10_supplement.csv"
FIELDS = ("code", "name", "nsi_id", "level", "addl_code", "is_actual", "added_on", "source")
BATCH = 1000
# REC_CODE lengths: chapter "01", block "0101", category "0101A00", subcategory "0101A000" or,
# with two digits after the dot, "1901S0200".
LEVELS = {
    2: Icd10Diagnosis.Level.CHAPTER,
    4: Icd10Diagnosis.Level.BLOCK,
    7: Icd10Diagnosis.Level.CATEGORY,
    8: Icd10Diagnosis.Level.SUBCATEGORY,
    9: Icd10Diagnosis.Level.SUBCATEGORY,
}


class Icd10DataError(ValueError):
    """A row of the shipped files is not what the dictionary's format says."""


@dataclass(frozen=True)
class _Row:
    rec_code: str
    parent_rec_code: str | None
    values: dict


@dataclass
class Icd10LoadResult:
    file_rows: int = 0
    supplement_rows: int = 0
    created: int = 0
    updated: int = 0
    deleted: int = 0
    lines_cleared: int = 0

    @property
    def total(self) -> int:
        return self.file_rows + self.supplement_rows


def _read(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return [row for row in csv.reader(handle) if row]


def _rows(dictionary: Path, supplement: Path) -> tuple[list[_Row], int, int]:
    main = _read(dictionary)
    extra = _read(supplement) if supplement.exists() else []
    rec_by_id = {row[0]: row[1] for row in main if row and row[0]}
    known = {row[1] for row in main + extra}
    rows = []
    for source, records in (
        (Icd10Diagnosis.Source.NSI, main),
        (Icd10Diagnosis.Source.SUPPLEMENT, extra),
    ):
        for number, record in enumerate(records, start=1):
            if len(record) != 8:
                raise Icd10DataError(
                    f"{source} row {number}: 8 columns expected, {len(record)} found"
                )
            nsi_id, rec_code, code, name, parent_id, addl, actual, added = record
            level = LEVELS.get(len(rec_code))
            if level is None:
                raise Icd10DataError(f"{source} row {number}: REC_CODE {rec_code!r}")
            code = icd10_normalize(code) if code else None
            if code is not None and not icd10_is_valid(code):
                raise Icd10DataError(f"{source} row {number}: code {code!r}")
            if parent_id:
                parent = rec_by_id[parent_id]
            else:
                # The supplement has no ids: its parent is the longest REC_CODE prefix present.
                parent = next(
                    (
                        rec_code[:n]
                        for n in (8, 7, 4, 2)
                        if n < len(rec_code) and rec_code[:n] in known
                    ),
                    None,
                )
            rows.append(
                _Row(
                    rec_code=rec_code,
                    parent_rec_code=parent,
                    values={
                        "code": code,
                        "name": name.strip(),
                        "nsi_id": int(nsi_id) if nsi_id else None,
                        "level": level,
                        "addl_code": addl.strip(),
                        "is_actual": actual.strip() != "0",
                        "added_on": (
                            datetime.datetime.strptime(added, "%d.%m.%Y").date() if added else None
                        ),
                        "source": source,
                    },
                )
            )
    return rows, len(main), len(extra)


@transaction.atomic
def icd10_load(
    *, dictionary: Path = DICTIONARY_FILE, supplement: Path = SUPPLEMENT_FILE
) -> Icd10LoadResult:
    """Make the table exactly the files' rows (see the module's docstring)."""
    rows, file_rows, supplement_rows = _rows(dictionary, supplement)
    result = Icd10LoadResult(file_rows=file_rows, supplement_rows=supplement_rows)
    wanted = {row.rec_code for row in rows}
    # Rows the files no longer have (and rows of the old register-filled dictionary, which have
    # no REC_CODE) go first, so that their codes are free for the rows that take them.
    stale = Icd10Diagnosis.objects.exclude(rec_code__in=wanted) | Icd10Diagnosis.objects.filter(
        rec_code__isnull=True
    )
    result.deleted, _by_model = stale.delete()
    existing = {item.rec_code: item for item in Icd10Diagnosis.objects.all()}
    new, changed = [], []
    for row in rows:
        item = existing.get(row.rec_code)
        if item is None:
            new.append(Icd10Diagnosis(rec_code=row.rec_code, **row.values))
        elif any(getattr(item, name) != value for name, value in row.values.items()):
            for name, value in row.values.items():
                setattr(item, name, value)
            changed.append(item)
    if changed:
        # A code moving from one row to another would collide on the unique code mid-update.
        Icd10Diagnosis.objects.filter(pk__in=[item.pk for item in changed]).update(code=None)
        Icd10Diagnosis.objects.bulk_update(changed, FIELDS, batch_size=BATCH)
    Icd10Diagnosis.objects.bulk_create(new, batch_size=BATCH)
    result.created, result.updated = len(new), len(changed)

    pk_by_rec = dict(Icd10Diagnosis.objects.values_list("rec_code", "pk"))
    parents = dict(Icd10Diagnosis.objects.values_list("pk", "parent_id"))
    moved = []
    for row in rows:
        pk = pk_by_rec[row.rec_code]
        parent_pk = pk_by_rec.get(row.parent_rec_code) if row.parent_rec_code else None
        if parents.get(pk) != parent_pk:
            moved.append(Icd10Diagnosis(pk=pk, parent_id=parent_pk))
    Icd10Diagnosis.objects.bulk_update(moved, ["parent"], batch_size=BATCH)

    # Lines flagged «not in the dictionary» whose code it now has are the specialist's no more.
    result.lines_cleared = ServiceLine.objects.filter(
        icd10_flag=Icd10Flag.UNKNOWN,
        icd10_code__in=Icd10Diagnosis.objects.filter(code__isnull=False).values("code"),
    ).update(icd10_flag="")
    return result


def icd10_codes() -> set[str]:
    """Every code of the dictionary (about 14,600 short strings: one query per register file)."""
    return set(Icd10Diagnosis.objects.filter(code__isnull=False).values_list("code", flat=True))
