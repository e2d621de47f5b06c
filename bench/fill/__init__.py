"""Fill the bench database with a scaled data set, fast: PostgreSQL COPY of generated rows.

Rows are produced by generators and streamed into `COPY ... FROM STDIN`, so memory stays flat
whatever the scale. Every row carries its own primary key: the foreign keys of later tables are
computed from the same index arithmetic instead of being read back, and the identity sequences
are moved past the largest id at the end so that ORM inserts keep working.

The bench person (the one the pages are measured as) is then created with the ORM, on top of the
bulk: a few dozen rows, written through the models like the product writes them.

The package by subject: `plan` (how much of everything, and the index arithmetic), the rows of
the register (`register`), of the clinic network (`network`) and of what the insured did
(`history`), `steps` (the tables in fill order), `tables` (COPY and the PostgreSQL side),
`person` (the bench person and the staff logins).
"""

from __future__ import annotations

import resource
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import connection, transaction
from psycopg import sql

from claims.history_version import service_history_changed
from clinics.geojson import network_changed

from .person import bench_person_create
from .plan import BENCH_EXTRA, SCALES, Plan, Scale
from .steps import STEPS, Generator, Step
from .tables import (
    copy_rows,
    indexes_and_foreign_keys_set_aside,
    our_models,
    sequences_reset,
    table_counts,
    tables_truncate,
)

__all__ = [
    "BENCH_EXTRA",
    "SCALES",
    "STEPS",
    "FillReport",
    "Generator",
    "Plan",
    "Scale",
    "Step",
    "bench_person_create",
    "fill",
    "our_models",
    "table_counts",
]


@dataclass
class FillReport:
    scale: str
    seconds: float
    counts: dict[str, int]
    step_seconds: dict[str, float] = field(default_factory=dict)
    max_rss_mb: float = 0.0


def fill(
    scale: Scale, *, seed: int = 2026, echo: Callable[[str], None] | None = None
) -> FillReport:
    """Truncate our tables and fill them at the given scale; returns the time and row counts."""
    say = echo or (lambda _line: None)
    plan = Plan(scale)
    generator = Generator(plan, seed)
    steps: dict[str, float] = {}
    started = time.perf_counter()
    with transaction.atomic():
        with connection.cursor() as cursor:
            # A benchmark fill may lose its last transaction on a crash; no need to wait for
            # the WAL flush. More memory for the foreign-key and index work of big COPYs.
            cursor.execute("SET LOCAL synchronous_commit = off")
            cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
            cursor.execute("SET LOCAL work_mem = '64MB'")
        t = time.perf_counter()
        tables_truncate()
        steps["truncate"] = time.perf_counter() - t
        with indexes_and_foreign_keys_set_aside() as rebuild:
            for step in STEPS:
                label = step.model._meta.label
                t = time.perf_counter()
                n = copy_rows(step.model, step.columns.split(), step.rows(generator))
                steps[label] = time.perf_counter() - t
                say(f"  {label:<34} {n:>11,} rows {steps[label]:7.1f} s")
        for name, seconds in rebuild.items():
            steps[name] = seconds
            say(f"  {name:<34} {'rebuilt':>16} {seconds:7.1f} s")
        sequences_reset()
        network_changed()  # COPY sends no signals: the map's cached GeoJSON is stale
        t = time.perf_counter()
        bench_person_create(plan)
        service_history_changed()  # COPY and bulk writes send no signals: cached choices stale
        steps["bench person"] = time.perf_counter() - t
    t = time.perf_counter()
    with connection.cursor() as cursor:
        # Fresh statistics, so that the planner sees the data set as it is, and the visibility
        # map set (VACUUM), so that index-only scans need not visit the heap. Outside the fill's
        # transaction: VACUUM cannot run in one.
        for model in our_models():
            table = sql.Identifier(model._meta.db_table)
            cursor.execute(sql.SQL("VACUUM ANALYZE {}").format(table).as_string())
    steps["vacuum analyze"] = time.perf_counter() - t
    seconds = time.perf_counter() - started
    say(f"  {'vacuum analyze':<34} {'':>16} {steps['vacuum analyze']:7.1f} s")
    return FillReport(
        scale=scale.name,
        seconds=seconds,
        counts=table_counts(),
        step_seconds=steps,
        max_rss_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    )
