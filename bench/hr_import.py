"""`python -m bench.hr_import --rows 100000`: the HR employee-list import at scale.

Generates a list of N insured persons (four employees to one child) as a CSV file, then times, on
PostgreSQL, what the admin does with it: the check (read, validate, compare with the register,
stage the diff) and the apply (persons, DMS and ВЗР policies, invitations queued), a second upload
of the same file (the diff must be empty), the invitations' sending, and beside them two raw COPYs
of the same rows: into the register's own tables (before the imports, into the same empty
register, rolled back) and into temporary copies of the two tables. Memory is the peak resident
set during each step over the process's size at its start, sampled every 10 ms, at two sizes (the
import streams the file: the peak should not grow with the list); `--tracemalloc` adds Python's
own allocation peak.

The database is its own (postgres://postgres@127.0.0.1:5432/portal_bench_hr, or
BENCH_HR_DATABASE_URL): created when missing, migrated, and its register tables truncated on every
run. Results are printed and written to bench/results/<timestamp>-hr-import.json.
"""

from __future__ import annotations

import argparse
import csv
import datetime
import json
import os
import sys
import tempfile
import threading
import time
import tracemalloc
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from bench.others import standalone_report

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/portal_bench_hr"
LAST_NAMES = ("Иванов", "Смирнов", "Кузнецов", "Попов", "Васильев", "Петров", "Соколов", "Волков")
FIRST_NAMES = ("Алексей", "Дмитрий", "Сергей", "Андрей", "Михаил", "Игорь", "Павел", "Олег")
MIDDLE_NAMES = ("Иванович", "Петрович", "Сергеевич", "Андреевич", "Олегович")
PROGRAMS = (("БАЗ", False), ("РАСШ", False), ("ПРЕМ", True))
# The goals of issue 12: check + apply of 100,000 rows, and their ratio to a raw COPY of them;
# "flat" memory: the larger list's peak within this of the smaller's (RSS sampling is coarse).
GOAL_SECONDS = 20.0
GOAL_RATIO = 4.0
FLAT_MARGIN_MB = 10.0
# The tables the import writes its persons and policies to, and the faithful raw COPY too; the
# latter's contract is made with this added to the run's serial (and rolled back with it).
REGISTER_TABLES = ("policies_insuredperson", "policies_policy")
COPY_SERIAL = 100


def _rss_bytes() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


@dataclass
class Measure:
    seconds: float = 0.0
    rss_peak_delta_mb: float = 0.0
    traced_peak_mb: float | None = None
    extra: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {
            "seconds": round(self.seconds, 2),
            "rss_peak_delta_mb": round(self.rss_peak_delta_mb, 1),
            "traced_peak_mb": None
            if self.traced_peak_mb is None
            else round(self.traced_peak_mb, 1),
            **self.extra,
        }


@contextmanager
def measured(*, trace: bool):
    """Time a step and sample the process's resident set while it runs."""
    result = Measure()
    start_rss = _rss_bytes()
    peak = [start_rss]
    running = threading.Event()
    running.set()

    def sample() -> None:
        while running.is_set():
            peak[0] = max(peak[0], _rss_bytes())
            time.sleep(0.01)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    if trace:
        tracemalloc.start()
    started = time.perf_counter()
    try:
        yield result
    finally:
        result.seconds = time.perf_counter() - started
        if trace:
            result.traced_peak_mb = tracemalloc.get_traced_memory()[1] / 2**20
            tracemalloc.stop()
        running.clear()
        sampler.join()
        peak[0] = max(peak[0], _rss_bytes())
        result.rss_peak_delta_mb = (peak[0] - start_rss) / 2**20


@dataclass(frozen=True)
class Person:
    number: str
    last: str
    first: str
    middle: str
    birth: datetime.date
    email: str
    phone: str
    program: str
    parent: str  # the parent's number for a child, "" for an employee


def people(n: int, *, prefix: str) -> list[Person]:
    """N persons; every fifth is a child of the employee before it."""
    rows = []
    for i in range(n):
        number = f"{prefix}-{i + 1:07d}"
        if i % 5 == 4:
            parent = rows[i - 1]
            rows.append(
                Person(
                    number,
                    parent.last,
                    "Мария",
                    "Алексеевна",
                    datetime.date(2016, 1, 1) + datetime.timedelta(days=i % 2500),
                    "",
                    "",
                    parent.program,
                    parent.number,
                )  # fmt: skip
            )
            continue
        rows.append(
            Person(
                number,
                LAST_NAMES[i % len(LAST_NAMES)],
                FIRST_NAMES[(i // 8) % len(FIRST_NAMES)],
                MIDDLE_NAMES[(i // 64) % len(MIDDLE_NAMES)],
                datetime.date(1965, 1, 1) + datetime.timedelta(days=(i * 37) % 13000),
                f"person{i + 1}@{prefix.lower()}.example",
                f"+7916{i % 10_000_000:07d}",
                PROGRAMS[i % len(PROGRAMS)][0],
                "",
            )
        )
    return rows


def csv_write(rows: list[Person], path: Path) -> None:
    from employers.columns import HEADERS

    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(HEADERS)
        for p in rows:
            writer.writerow(
                [p.number, p.last, p.first, p.middle, p.birth.strftime("%d.%m.%Y"), p.email,
                 p.phone, p.program, "", "", "ребёнок" if p.parent else "сотрудник", p.parent]
            )  # fmt: skip


def register_reset() -> None:
    """Empty the register (and everything hanging off it) of the bench database."""
    from django.db import connection

    tables = [
        "employers_invitation",
        "employers_importrow",
        "employers_importbatch",
        "employers_employermanager",
        "policies_policy",
        "policies_insuredperson",
        "policies_program_care_kinds",
        "policies_program",
        "policies_contract",
        "policies_policyholder",
    ]
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")


def contract_create(serial: int):
    from policies.models import Contract, Policyholder, Program

    today = datetime.date.today()
    holder = Policyholder.objects.create(name=f"ООО «Нагрузка-{serial}»", inn=f"77{serial:08d}")
    contract = Contract.objects.create(
        policyholder=holder,
        number=f"BENCH-HR-{serial}",
        starts_on=today - datetime.timedelta(days=30),
        ends_on=today + datetime.timedelta(days=334),
    )
    for code, vzr in PROGRAMS:
        Program.objects.create(contract=contract, code=code, name=code, includes_vzr=vzr)
    return contract


def staff_user():
    from portal.accounts.models import User

    user, _created = User.objects.get_or_create(
        email="hr@bench.example", defaults={"is_staff": True, "last_name": "Кадрова"}
    )
    return user


def import_once(contract, user, path: Path, *, trace: bool) -> dict[str, Measure]:
    from django.core.files import File

    from employers.models import ImportBatch
    from employers.services.applying import import_batch_apply
    from employers.services.checking import import_batch_check
    from employers.services.uploads import import_batch_upload

    with path.open("rb") as handle:
        upload = File(handle, name=path.name)
        upload.size = path.stat().st_size
        batch = import_batch_upload(
            contract=contract, user=user, uploaded=upload, effective_date=datetime.date.today()
        )
    with measured(trace=trace) as check:
        batch = import_batch_check(batch_id=batch.pk)
    if batch.status != ImportBatch.Status.CHECKED:
        raise SystemExit(f"check failed: {batch.status} {batch.message}")
    check.extra = {
        "rows": batch.rows_total,
        "errors": batch.rows_invalid,
        "add": batch.to_add,
        "change": batch.to_change,
        "remove": batch.to_remove,
        "same": batch.unchanged,
    }
    ImportBatch.objects.filter(pk=batch.pk).update(
        status=ImportBatch.Status.APPLYING, applied_by=user
    )
    with measured(trace=trace) as apply:
        batch = import_batch_apply(batch_id=batch.pk)
    if batch.status != ImportBatch.Status.APPLIED:
        raise SystemExit(f"apply failed: {batch.status} {batch.message}")
    apply.extra = dict(batch.result)
    return {"check": check, "apply": apply, "batch_id": batch.pk}


def invitations_time(batch_id: int) -> Measure:
    from django.conf import settings

    from employers.services.invitations import invitations_send

    settings.EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"
    with measured(trace=False) as sent:
        count = invitations_send(batch_id=batch_id)
    sent.extra = {"sent": count}
    return sent


def raw_copy(rows: list[Person], contract) -> Measure:
    """The same rows COPY'd into temporary copies of the two tables (LIKE ... INCLUDING ALL: their
    indexes and checks, but neither their foreign keys nor the write-ahead log): the floor of
    what writing them can cost, with nothing checked against anything."""
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMP TABLE copy_insured (LIKE policies_insuredperson INCLUDING ALL) "
            "ON COMMIT DROP"
        )
        cursor.execute(
            "CREATE TEMP TABLE copy_policy (LIKE policies_policy INCLUDING ALL) ON COMMIT DROP"
        )
        copy = _copy(cursor, rows, contract, ("copy_insured", "copy_policy"))
        with measured(trace=False) as copied:
            copied.extra = copy()
    return copied


def raw_copy_register(rows: list[Person], *, serial: int) -> Measure:
    """The same rows COPY'd into the register's own tables, where the import writes them: logged,
    with every index, check and foreign key, the keys checked at the end of each COPY (SET
    CONSTRAINTS ALL IMMEDIATE; the import's are checked at its commit), under a new contract (as
    the import's are), then rolled back. Run it on the empty register the imports start from
    (`measure` does, then empties the register again)."""
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        contract = contract_create(serial + COPY_SERIAL)
        first = []
        for table in REGISTER_TABLES:
            cursor.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {table}")  # noqa: S608
            first.append(cursor.fetchone()[0])
        copy = _copy(cursor, rows, contract, REGISTER_TABLES, first)
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        with measured(trace=False) as copied:
            copied.extra = copy()
        transaction.set_rollback(True)
    return copied


def _programs(contract) -> dict:
    from policies.models import Program

    return {p.code: p for p in Program.objects.filter(contract=contract)}


def _copy(cursor, rows: list[Person], contract, tables: tuple[str, str], first=(1, 1)):
    """A function that COPYs the persons of `rows` and their DMS and ВЗР policies into `tables`
    (a persons' and a policies' table shaped as the register's), ids from `first` on, and returns
    their counts: everything it needs read beforehand, so that only the COPYs are timed."""
    from employers.services.register import vzr_number

    programs = _programs(contract)
    person_columns = _insertable("policies_insuredperson", cursor)
    policy_columns = _insertable("policies_policy", cursor)
    persons = f"COPY {tables[0]} ({', '.join(person_columns)}) FROM STDIN"
    policies = f"COPY {tables[1]} ({', '.join(policy_columns)}) FROM STDIN"
    now = datetime.datetime.now(datetime.UTC)
    ids = {p.number: first[0] + i for i, p in enumerate(rows)}

    def run() -> dict:
        with cursor.cursor.copy(persons) as copy:
            for p in rows:
                values = {
                    "id": ids[p.number],
                    "policy_number": p.number,
                    "last_name": p.last,
                    "first_name": p.first,
                    "middle_name": p.middle,
                    "birth_date": p.birth,
                    "email": p.email,
                    "phone": p.phone,
                    "contract_id": contract.pk,
                    "program_id": programs[p.program].pk,
                    "starts_on": contract.starts_on,
                    "ends_on": contract.ends_on,
                    "relation": "child" if p.parent else "employee",
                    "parent_id": ids[p.parent] if p.parent else None,
                    "created_at": now,
                    "updated_at": now,
                }
                copy.write_row([values.get(column, "") for column in person_columns])
        policy_id = first[1]
        with cursor.cursor.copy(policies) as copy:
            for p in rows:
                products = [("dms", p.number)]
                if programs[p.program].includes_vzr:
                    products.append(("vzr", vzr_number(p.number)))
                for product, number in products:
                    values = {
                        "id": policy_id,
                        "product": product,
                        "number": number,
                        "insured_person_id": ids[p.number],
                        "holder_id": None,
                        "starts_on": contract.starts_on,
                        "ends_on": contract.ends_on,
                        "status": "active",
                        "premium": 0,
                        "product_data": "{}",
                        "verify_token": None,
                        "created_at": now,
                        "updated_at": now,
                    }
                    copy.write_row([values.get(column, "") for column in policy_columns])
                    policy_id += 1
        return {"persons": len(rows), "policies": policy_id - first[1]}

    return run


def _insertable(table: str, cursor) -> list[str]:
    cursor.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = %s "
        "ORDER BY ordinal_position",
        [table],
    )
    return [row[0] for row in cursor.fetchall()]


def run(
    size: int, *, serial: int, trace: bool, workdir: Path, copy_too: bool, invitations: bool = True
) -> dict:
    from employers.services.checking import import_batch_check  # noqa: F401 (warm imports)

    contract = contract_create(serial)
    user = staff_user()
    rows = people(size, prefix=f"Н{serial}")
    path = workdir / f"list-{size}.csv"
    csv_write(rows, path)
    print(f"\n== {size:,} rows ({path.stat().st_size / 2**20:.1f} MB CSV)", flush=True)
    first = import_once(contract, user, path, trace=trace)
    print(_line("check", first["check"]), flush=True)
    print(_line("apply", first["apply"]), flush=True)
    result = {
        "rows": size,
        "csv_mb": round(path.stat().st_size / 2**20, 2),
        "check": first["check"].as_dict(),
        "apply": first["apply"].as_dict(),
    }
    if invitations:
        sent = invitations_time(first["batch_id"])
        print(_line("invitations sent", sent), flush=True)
        result["invitations"] = sent.as_dict()
    again = import_once(contract, user, path, trace=trace)
    diff = again["check"].extra
    if diff["add"] or diff["change"] or diff["remove"]:
        raise SystemExit(f"the same file again found changes: {diff}")
    print(_line("same file: check", again["check"]), flush=True)
    print(_line("same file: apply", again["apply"]), flush=True)
    result["recheck"] = again["check"].as_dict()
    result["reapply"] = again["apply"].as_dict()
    if copy_too:
        copied = raw_copy(rows, contract)
        print(_line("raw COPY into temp tables", copied), flush=True)
        result["copy"] = copied.as_dict()
    return result


def _line(label: str, m: Measure) -> str:
    traced = f", traced peak {m.traced_peak_mb:.1f} MB" if m.traced_peak_mb is not None else ""
    extra = "  " + json.dumps(m.extra, ensure_ascii=False) if m.extra else ""
    return (
        f"{label:<28} {m.seconds:8.2f} s   peak RSS +{m.rss_peak_delta_mb:6.1f} MB{traced}{extra}"
    )


def setup() -> None:
    """The bench database, created and migrated, with an empty register; Django set up on it
    (never on the development database, nor on another bench's)."""
    from bench.run import database_ensure, django_setup

    url = os.environ.get("BENCH_HR_DATABASE_URL", DEFAULT_DATABASE_URL)
    database_ensure(url)
    django_setup(url)

    from django.core.management import call_command
    from django.db import connection

    from portal.celery import app

    if connection.vendor != "postgresql":
        raise SystemExit("the HR import bench runs on PostgreSQL")
    call_command("migrate", interactive=False, verbosity=0)
    # The invitations are timed on their own, not inside the apply (no worker runs here).
    app.conf.task_always_eager = False
    app.conf.broker_url = "memory://"
    register_reset()


def measure(rows: int, small: int, *, trace: bool = False, invitations: bool = True) -> list[dict]:
    """Both sizes, the smaller first (for the memory comparison), the raw COPYs at the larger."""
    results = []
    sizes = [s for s in (small, rows) if s]
    # The larger list's rows COPY'd into the register first, into the empty register the imports
    # start from (then emptied again): after the imports it would write into a fuller register,
    # more slowly, and make the ratio kinder.
    register_copy = raw_copy_register(people(rows, prefix=f"Н{len(sizes)}"), serial=len(sizes))
    register_reset()
    print(_line(f"raw COPY into the register, {rows:,} rows", register_copy), flush=True)
    with tempfile.TemporaryDirectory(prefix="hr-bench-") as workdir:
        for serial, size in enumerate(sizes, start=1):
            results.append(
                run(
                    size,
                    serial=serial,
                    trace=trace,
                    workdir=Path(workdir),
                    copy_too=size == rows,
                    invitations=invitations,
                )  # fmt: skip
            )
    results[-1]["copy_register"] = register_copy.as_dict()
    return results


def _size(rows: int) -> str:
    return f"{rows // 1000}k" if rows % 1000 == 0 else f"{rows:,}"


def _peak(result: dict) -> float:
    return max(result["check"]["rss_peak_delta_mb"], result["apply"]["rss_peak_delta_mb"])


def figures(results: list[dict]) -> list[dict]:
    """The rows of `make bench`'s table: time, the ratio to a raw COPY, memory at both sizes."""
    big = results[-1]
    total = big["check"]["seconds"] + big["apply"]["seconds"]
    # The goal's ratio is to the COPY into the register's own tables (logged, keys checked),
    # where the import writes; the one to temporary copies is the floor, for information.
    ratio = total / max(big["copy_register"]["seconds"], 0.001)
    floor_ratio = total / max(big["copy"]["seconds"], 0.001)
    rows = [
        {
            "figure": f"HR import {big['rows']:,} rows: check + apply",
            "value": round(total, 1),
            "unit": "s",
            "goal": f"≤ {GOAL_SECONDS:.0f} s",
            "ok": total <= GOAL_SECONDS,
        },
        {
            "figure": "HR import ÷ raw COPY into the register",
            "value": round(ratio, 1),
            "unit": "×",
            "goal": f"≤ {GOAL_RATIO:.0f}",
            "ok": ratio <= GOAL_RATIO,
        },
        {
            "figure": "HR import ÷ raw COPY into temp tables (no keys, no WAL)",
            "value": round(floor_ratio, 1),
            "unit": "×",
            "goal": "reported",
            "ok": None,
        },
    ]
    if len(results) > 1:
        small, large = _peak(results[0]), _peak(big)
        rows.append(
            {
                "figure": f"HR import peak memory {_size(results[0]['rows'])} vs "
                f"{_size(big['rows'])}",
                "value": f"{small:.0f} / {large:.0f}",
                "unit": "MB",
                "goal": "flat",
                "ok": large <= small + FLAT_MARGIN_MB,
            }
        )
    return rows


def collect(rows: int = 100_000) -> list[dict]:
    """The figures for `make bench` (in a fresh interpreter: Django is set up here on this
    bench's own database). The invitations' sending is left out (it is not a goal's figure, and
    takes minutes at 100,000 rows)."""
    setup()
    return figures(measure(rows, min(10_000, rows // 10), invitations=False))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.hr_import", description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000, help="the list's size")
    parser.add_argument(
        "--small",
        type=int,
        default=10_000,
        help="a smaller list first, to compare memory (0: none)",
    )
    parser.add_argument("--tracemalloc", action="store_true", help="also trace Python allocations")
    parser.add_argument(
        "--no-invitations", action="store_true", help="do not time the invitations' sending"
    )
    args = parser.parse_args(argv)
    setup()
    results = measure(
        args.rows, args.small, trace=args.tracemalloc, invitations=not args.no_invitations
    )
    big = results[-1]
    total = big["check"]["seconds"] + big["apply"]["seconds"]
    register, floor = big["copy_register"]["seconds"], big["copy"]["seconds"]
    print(f"\n== {big['rows']:,} rows: check + apply {total:.1f} s "
          f"({big['rows'] / total:,.0f} rows/s); raw COPY into the register {register:.1f} s "
          f"(×{total / max(register, 0.001):.1f}), into temp tables {floor:.1f} s "
          f"(×{total / max(floor, 0.001):.1f})")  # fmt: skip
    for r in results:
        print(f"   {r['rows']:>7,} rows: peak RSS +{r['check']['rss_peak_delta_mb']:.0f} MB "
              f"check, +{r['apply']['rss_peak_delta_mb']:.0f} MB apply")  # fmt: skip
    standalone_report("hr-import", figures(results), {"runs": results})
    return 0


if __name__ == "__main__":
    sys.exit(main())
