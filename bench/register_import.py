"""`python -m bench.register_import --rows 100000`: a clinic service register loaded at scale.

Creates the reference data a register refers to (a contract with a co-pay program and one
without, 10 lines per insured person, 20 clinics, the kinds of care) with COPY, writes a register
of N lines as a CSV file (registers of 20 clinics, every line a real person's service within
their policy, ICD-10 diagnoses, a fifth of the lines on the co-pay program), then times what the
operator's upload does with it: `claims.registers.register_import`, the service the admin page
calls. It checks that every line landed once, then loads the same file again: nothing may be
added the second time. More lines than one upload takes (claims.registers.MAX_ROWS, 100,000)
are written and loaded as several files one after the other (`xlarge`: 1,000,000 lines in 10),
each into the lines of the ones before.

The database is its own (postgres://postgres@127.0.0.1:5432/portal_bench_reg, or
BENCH_REG_DATABASE_URL): created when missing, migrated, and its register, clinic and service
line tables truncated on every run. Results are printed and written to
bench/results/<timestamp>-register-import.json.
"""

from __future__ import annotations

import argparse
import csv
import datetime
import io
import json
import os
import sys
from decimal import Decimal

from bench.hr_import import measured
from bench.others import standalone_report

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/portal_bench_reg"
GOAL_SECONDS = 20.0
LINES_PER_PERSON = 10
CLINICS = 20
KINDS = (
    ("outpatient", "Амбулаторно-поликлиническое обслуживание"),
    ("dental", "Стоматология"),
    ("home", "Помощь на дому"),
)
SERVICES = (
    ("B01.047.001", "Прием (осмотр, консультация) врача-терапевта первичный", "1450,00"),
    (
        "B01.047.002",
        "Повторная консультация в течение 1 месяца от даты первичного приема",
        "680,00",
    ),
    ("A09.05.003", "Исследование уровня общего гемоглобина в крови", "333,33"),
    ("A06.09.007", "Рентгенография легких", "1875,50"),
)
DIAGNOSES = (
    ("J06.9", "Острая инфекция верхних дыхательных путей неуточненная"),
    ("S20.2", "Ушиб грудной клетки"),
    ("K02.1", "Кариес дентина"),
    ("", ""),
)


def reset() -> None:
    """Empty the tables a run fills (and everything hanging off them)."""
    from django.db import connection

    from claims.models import Icd10Diagnosis, ServiceLine
    from clinics.models import Clinic
    from policies.models import Contract, InsuredPerson, Policyholder, Program

    tables = [
        m._meta.db_table
        for m in (ServiceLine, Icd10Diagnosis, Clinic, InsuredPerson, Program, Contract)
    ]
    tables.append(Policyholder._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")


def reference_create(persons: int) -> dict:
    """A contract with two programs (20 % co-pay and none), its insured persons (COPY), clinics
    and the kinds of care."""
    from clinics.models import Clinic
    from policies.models import CareKind, Contract, InsuredPerson, Policyholder, Program
    from portal.core.bulk import copy_rows

    today = datetime.date.today()
    holder = Policyholder.objects.create(name="ООО «Реестр-нагрузка»", inn="7700000099")
    contract = Contract.objects.create(
        policyholder=holder,
        number="BENCH-REG-1",
        starts_on=today - datetime.timedelta(days=300),
        ends_on=today + datetime.timedelta(days=65),
    )
    copay = Program.objects.create(contract=contract, code="СО", name="С со-оплатой",
                                   copay_share=Decimal("20"))  # fmt: skip
    plain = Program.objects.create(contract=contract, code="БАЗ", name="Базовая")
    numbers = [f"РЕГ-{i:07d}" for i in range(persons)]
    copy_rows(
        InsuredPerson,
        ("policy_number", "last_name", "first_name", "birth_date", "contract_id", "program_id",
         "starts_on", "ends_on", "relation"),
        (
            (number, "Иванов", "Пётр", datetime.date(1980, 1, 1), contract.pk,
             (copay if i % 5 == 0 else plain).pk, contract.starts_on, contract.ends_on,
             InsuredPerson.Relation.EMPLOYEE)
            for i, number in enumerate(numbers)
        ),
    )  # fmt: skip
    clinics = Clinic.objects.bulk_create(
        Clinic(
            name=f"Клиника нагрузки № {i + 1}",
            address=f"Москва, ул. Тестовая, {i + 1}",
            city="Москва",
            latitude=Decimal("55.750000"),
            longitude=Decimal("37.600000"),
        )
        for i in range(CLINICS)
    )
    for code, name in KINDS:
        CareKind.objects.get_or_create(code=code, defaults={"name": name})
    return {
        "numbers": numbers,
        "clinics": [c.pk for c in clinics],
        "start": contract.starts_on,
        "days": (today - contract.starts_on).days,
    }


def register_csv(rows: int, ref: dict, *, first: int = 0, part: int = 1) -> bytes:
    """N lines of one file, the file's lines `first`.. of the whole load: clinic by clinic (one
    register each, numbered by the year, 10 + the file's part and the clinic), line numbers from
    1, persons and dates in turn over the whole load."""
    from claims.registers import HEADERS

    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(HEADERS)
    numbers, clinics = ref["numbers"], ref["clinics"]
    per_clinic = -(-rows // len(clinics))
    for i in range(rows):
        clinic = clinics[i // per_clinic]
        code, name, price = SERVICES[i % len(SERVICES)]
        icd, icd_name = DIAGNOSES[i % len(DIAGNOSES)]
        n = first + i
        day = ref["start"] + datetime.timedelta(days=n % ref["days"])
        writer.writerow(
            [clinic, f"Р-{day:%Y}-{10 + part}-{clinic}", i % per_clinic + 1,
             numbers[n % len(numbers)], code, name, KINDS[i % len(KINDS)][0],
             day.strftime("%d.%m.%Y"), 1, price, price, icd, icd_name]
        )  # fmt: skip
    return out.getvalue().encode("utf-8")


def run(rows: int, per_file: int | None = None) -> dict:
    """Fill, load N lines in files of at most `per_file` lines (the import's own limit,
    claims.registers.MAX_ROWS, by default) one after the other, load the last file again; the
    measures and the checks. Only one file is in memory at a time."""
    from claims.models import ServiceLine
    from claims.registers import MAX_ROWS, register_import

    per_file = min(per_file or MAX_ROWS, rows)
    reset()
    ref = reference_create(max(rows // LINES_PER_PERSON, 1))
    files = []
    content = b""
    for part, first in enumerate(range(0, rows, per_file), start=1):
        size = min(per_file, rows - first)
        content = register_csv(size, ref, first=first, part=part)
        size_mb = len(content) / 2**20
        print(f"\n== file {part}: {size:,} lines ({size_mb:.1f} MB CSV) into {first:,}", flush=True)
        with measured(trace=False) as step:
            result = register_import(content=content, filename="register.csv")
        if not result.ok:
            raise SystemExit(f"the register was refused: {result.errors[:5]}")
        landed = ServiceLine.objects.count()
        if (result.created, landed) != (size, first + size):
            raise SystemExit(
                f"{size} lines sent, {result.created} created, {landed} in the table "
                f"(expected {first + size})"
            )
        step.extra = {"created": result.created, "lines_before": first}
        print(_line("import", step), flush=True)
        files.append({"lines": size, "csv_mb": round(size_mb, 2), **step.as_dict()})
    with measured(trace=False) as again:
        repeat = register_import(content=content, filename="register.csv")
    if repeat.created or ServiceLine.objects.count() != rows:
        raise SystemExit(f"the same file again added lines: {repeat.created}")
    again.extra = {"created": repeat.created, "already_loaded": repeat.already_loaded}
    print(_line("same file again", again), flush=True)
    return {
        "rows": rows,
        "per_file": per_file,
        "csv_mb": round(sum(f["csv_mb"] for f in files), 2),
        "import": {
            "seconds": sum(f["seconds"] for f in files),
            "rss_peak_delta_mb": max(f["rss_peak_delta_mb"] for f in files),
        },
        "files": files,
        "again": again.as_dict(),
    }


def _line(label: str, m) -> str:
    extra = "  " + json.dumps(m.extra, ensure_ascii=False) if m.extra else ""
    return f"{label:<20} {m.seconds:8.2f} s   peak RSS +{m.rss_peak_delta_mb:6.1f} MB{extra}"


def setup() -> None:
    """The bench database, created and migrated; Django set up on it (never the development
    database)."""
    from bench.run import database_ensure, django_setup

    url = os.environ.get("BENCH_REG_DATABASE_URL", DEFAULT_DATABASE_URL)
    database_ensure(url)
    django_setup(url)

    from django.core.management import call_command
    from django.db import connection

    if connection.vendor != "postgresql":
        raise SystemExit("the register import bench runs on PostgreSQL")
    call_command("migrate", interactive=False, verbosity=0)


def figures(result: dict) -> list[dict]:
    """One file: its time against the goal. Several (a load larger than one upload may be): the
    total against the goal times the files, and the slowest file, into the fullest table,
    against the goal itself."""
    seconds = result["import"]["seconds"]
    files = result.get("files") or [{"lines": result["rows"], "seconds": seconds}]
    again = {
        "figure": "Register import, the same file again",
        "value": round(result["again"]["seconds"], 1),
        "unit": "s",
        "goal": "adds nothing",
        "ok": result["again"]["created"] == 0,
    }
    if len(files) == 1:
        return [
            {
                "figure": f"Register import {result['rows']:,} lines",
                "value": round(seconds, 1),
                "unit": "s",
                "goal": f"≤ {GOAL_SECONDS:.0f} s",
                "ok": seconds <= GOAL_SECONDS,
            },
            again,
        ]
    slowest = max(files, key=lambda f: f["seconds"])
    total_goal = GOAL_SECONDS * len(files)
    return [
        {
            "figure": f"Register import {result['rows']:,} lines "
            f"({len(files)} files of ≤ {result['per_file']:,}, one after the other)",
            "value": round(seconds, 1),
            "unit": "s",
            "goal": f"≤ {total_goal:.0f} s",
            "ok": seconds <= total_goal,
        },
        {
            "figure": f"Register import, slowest file ({slowest['lines']:,} lines into "
            f"{slowest['lines_before']:,})",
            "value": round(slowest["seconds"], 1),
            "unit": "s",
            "goal": f"≤ {GOAL_SECONDS:.0f} s",
            "ok": slowest["seconds"] <= GOAL_SECONDS,
        },
        {**again, "figure": "Register import, the last file again"},
    ]


def collect(rows: int = 100_000, per_file: int | None = None) -> list[dict]:
    """The figures for `make bench` (in a fresh interpreter: Django is set up here on this
    bench's own database)."""
    setup()
    return figures(run(rows, per_file))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.register_import", description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000, help="the lines loaded")
    parser.add_argument(
        "--per-file",
        type=int,
        default=None,
        help="lines a file (default: the import's limit, claims.registers.MAX_ROWS)",
    )
    args = parser.parse_args(argv)
    setup()
    result = run(args.rows, args.per_file)
    standalone_report("register-import", figures(result), {"run": result})
    return 0


if __name__ == "__main__":
    sys.exit(main())
