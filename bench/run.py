"""`python -m bench.run --scale small|medium|large|xlarge`: fill, measure at two sizes, report.

The bench database is its own (default postgres://postgres@127.0.0.1:5432/portal_bench, or
BENCH_DATABASE_URL): it is created when missing, migrated, and its tables are truncated and
refilled on every run. See bench/README.md.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bench.fill import FillReport
    from bench.measure import PageResult

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/portal_bench"
RESULTS_DIR = Path(__file__).resolve().parent / "results"
BASELINE_SCALE = "tiny"
# The slowed-provider co-pay figure: provider calls in flight, as COPAY_PROVIDER_CONCURRENCY.
COPAY_SLOW_CONCURRENCY = 100  # a chunk (DAILY_BATCH) in one round


def database_ensure(url: str) -> None:
    """Create the bench database when it does not exist yet (through the `postgres` database)."""
    import psycopg
    from psycopg import sql
    from psycopg.conninfo import conninfo_to_dict, make_conninfo

    params = conninfo_to_dict(url)
    name = params.get("dbname")
    if not name:
        raise SystemExit(f"BENCH_DATABASE_URL names no database: {url}")
    with psycopg.connect(
        make_conninfo(**{**params, "dbname": "postgres"}), autocommit=True
    ) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            return
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        print(f"created database {name}")


def django_setup(url: str) -> None:
    # Before Django reads its settings: the bench never touches the development database.
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = os.environ.get("BENCH_SETTINGS", "bench.settings")
    import django

    django.setup()


def counts_text(fills: list[FillReport]) -> str:
    labels = [label for label in fills[-1].counts if any(f.counts.get(label) for f in fills)]
    width = max(len(label) for label in labels)
    head = f"{'table':<{width}}  " + "  ".join(f"{f.scale:>11}" for f in fills)
    lines = [head, "-" * len(head)]
    for label in labels:
        cells = "  ".join(f"{f.counts.get(label, 0):>11,}" for f in fills)
        lines.append(f"{label:<{width}}  {cells}")
    return "\n".join(lines)


def report_write(payload: dict, markdown: str, scale: str) -> tuple[Path, Path]:
    RESULTS_DIR.mkdir(exist_ok=True)
    stem = f"{datetime.datetime.now():%Y%m%dT%H%M%S}-{scale}"
    json_path = RESULTS_DIR / f"{stem}.json"
    md_path = RESULTS_DIR / f"{stem}.md"
    json_path.write_text(json.dumps(payload, ensure_ascii=False, indent=2) + "\n")
    md_path.write_text(markdown + "\n")
    return json_path, md_path


def scale_of_database() -> str | None:
    """The scale the bench database holds (for --no-fill), from its insured persons."""
    from bench.fill import BENCH_EXTRA, SCALES
    from policies.models import InsuredPerson

    bulk = InsuredPerson.objects.count() - BENCH_EXTRA["policies.InsuredPerson"]
    return next((name for name, s in SCALES.items() if s.insured == bulk), None)


def baseline_path(seed: int) -> Path:
    return RESULTS_DIR / f"baseline-{BASELINE_SCALE}-{seed}.json"


def baseline_save(results: list[PageResult], seed: int) -> None:
    RESULTS_DIR.mkdir(exist_ok=True)
    baseline_path(seed).write_text(
        json.dumps([r.as_dict() for r in results], ensure_ascii=False, indent=1) + "\n"
    )


def baseline_load(seed: int) -> list[PageResult] | None:
    from bench.measure import PageResult

    path = baseline_path(seed)
    if not path.exists():
        return None
    return [PageResult(**item) for item in json.loads(path.read_text())]


def main(argv: list[str] | None = None) -> int:  # noqa: C901  (one run, step by step)
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__)
    parser.add_argument(
        "--scale",
        default="large",
        help="micro, tiny, small, medium, large (the goals' scale) or xlarge (ten times large)",
    )
    parser.add_argument("--requests", type=int, default=30, help="measured requests per page")
    parser.add_argument("--warmups", type=int, default=3, help="unmeasured requests first")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--fill-only", action="store_true", help="fill at --scale, measure none")
    parser.add_argument(
        "--no-fill",
        action="store_true",
        help="measure the database as an earlier fill left it; query counts are compared with "
        "the last tiny baseline this machine measured",
    )
    parser.add_argument("--clients", type=int, default=20, help="concurrent clients")
    parser.add_argument("--rounds", type=int, default=2, help="each client requests each page")
    parser.add_argument("--skip-concurrency", action="store_true", help="no gunicorn run")
    parser.add_argument("--skip-imports", action="store_true", help="no HR or register import")
    parser.add_argument("--skip-copay", action="store_true", help="no co-pay charge run")
    parser.add_argument(
        "--skip-copay-slow", action="store_true", help="no co-pay run against a slowed provider"
    )
    parser.add_argument(
        "--no-record",
        action="store_true",
        help="a trial run: leave docs/ alone (no record for the chart, no chart, no section of "
        "docs/PERFORMANCE.md)",
    )
    args = parser.parse_args(argv)

    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL)
    database_ensure(url)
    django_setup(url)

    from django.core.management import call_command
    from django.db import connection

    from bench import chart, others, report
    from bench.figures import geojson_figures, pdf_figures
    from bench.fill import SCALES, fill
    from bench.load import measure_load
    from bench.measure import measure_pages
    from bench.pages import pages
    from bench.subjects import subjects_load

    if args.scale not in SCALES:
        parser.error(f"unknown scale {args.scale!r}: one of {', '.join(SCALES)}")
    if connection.vendor != "postgresql":
        raise SystemExit("the bench runs on PostgreSQL only (it fills with COPY)")
    call_command("migrate", interactive=False, verbosity=0)
    load_before = report.load_average()

    def echo(line: str) -> None:
        print(line, flush=True)

    def measure(size: str) -> list[PageResult]:
        print(f"== measure: {size} ({args.warmups} warm-ups + {args.requests} requests a page)")
        started = time.perf_counter()
        found = measure_pages(subjects_load(), requests=args.requests, warmups=args.warmups)
        print(f"measured in {time.perf_counter() - started:.1f} s", flush=True)
        return found

    fills: list[FillReport] = []
    baseline: list[PageResult] | None = None
    baseline_measured = False
    if args.no_fill:
        held = scale_of_database()
        if held != args.scale:
            raise SystemExit(
                f"--no-fill: the bench database holds {held or 'no known scale'}, not "
                f"{args.scale}; fill it first (--fill-only)"
            )
        baseline = baseline_load(args.seed)
    else:
        # The baseline is filled and measured first, once (at tiny it is the scale itself).
        single = args.fill_only or args.scale == BASELINE_SCALE
        sizes = [args.scale] if single else [BASELINE_SCALE, args.scale]
        for size in sizes:
            print(f"\n== fill: {size}", flush=True)
            fill_report = fill(SCALES[size], seed=args.seed, echo=echo)
            fills.append(fill_report)
            print(f"fill {size}: {fill_report.seconds:.1f} s "
                  f"(peak RSS {fill_report.max_rss_mb:.0f} MB)")  # fmt: skip
            if size == BASELINE_SCALE and not args.fill_only:
                baseline = measure(size)
                baseline_save(baseline, args.seed)
                baseline_measured = True
        print("\n== rows\n" + counts_text(fills))
        print("\n== fill time\n" + "\n".join(f"{f.scale:>8}: {f.seconds:8.1f} s" for f in fills))
        if args.fill_only:
            return 0

    subjects = subjects_load()
    measured = measure(args.scale)
    page_list = pages()
    goal_pages = [p for p in page_list if p.audience in ("person", "hr")]
    goal_results = [r for r in measured if r.audience in ("person", "hr")]
    print("== GeoJSON and PDF", flush=True)
    geojson = geojson_figures(subjects)
    pdf = pdf_figures(subjects)
    load = None
    if not args.skip_concurrency:
        print(f"== {args.clients} concurrent clients (gunicorn)", flush=True)
        load = measure_load(url, subjects, goal_pages, clients=args.clients, rounds=args.rounds)
    external: list[dict] = []
    if not args.skip_imports:
        print("== imports (bench.hr_import, bench.register_import)", flush=True)
        external += others.collect("bench.hr_import", "HR import of 100,000 rows", rows=100_000)
        lines = SCALES[args.scale].register_lines
        external += others.collect(
            "bench.register_import", f"clinic register import of {lines:,} lines", rows=lines
        )
    if not args.skip_copay:
        print("== co-pay run (bench.copay_run)", flush=True)
        external += others.collect(
            "bench.copay_run", "daily co-pay run for 10,000 persons", persons=10_000
        )
    if not args.skip_copay_slow:
        print("== co-pay run against a provider slowed to 1 s a call", flush=True)
        external += others.collect(
            "bench.copay_run",
            "daily co-pay run, 2,000 debtors, provider at 1 s a call",
            persons=2_000,
            provider_delay=1.0,
            concurrency=COPAY_SLOW_CONCURRENCY,
        )

    rows = [
        *report.page_rows(args.scale, BASELINE_SCALE, baseline, goal_results, load),
        *report.load_rows(load, args.clients),
        *report.timing_rows(geojson, pdf),
        *report.external_rows(external),
    ]
    print("\n== figures\n")
    print(report.table_text(rows))
    info = report.machine()
    load_after = report.load_average()
    notes = report.standard_notes(args.clients)
    if baseline is None:
        notes.append(
            f"No {BASELINE_SCALE} baseline on this machine yet: query counts not compared."
        )
    skipped = [
        flag
        for flag in ("concurrency", "imports", "copay", "copay_slow")
        if getattr(args, f"skip_{flag}")
    ]
    if skipped:
        notes.append("Skipped in this run: " + ", ".join(skipped) + ".")
    payload = {
        "scale": args.scale,
        "baseline": BASELINE_SCALE,
        "at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "requests": args.requests,
        "warmups": args.warmups,
        "seed": args.seed,
        "machine": info,
        "load_average": {"before": load_before, "after": load_after},
        "fills": [
            {
                "scale": f.scale,
                "seconds": round(f.seconds, 2),
                "max_rss_mb": round(f.max_rss_mb),
                "steps": {k: round(v, 2) for k, v in f.step_seconds.items()},
                "counts": f.counts,
            }
            for f in fills
        ],
        "pages": {
            "baseline": [r.as_dict() for r in baseline or []],
            "scale": [r.as_dict() for r in measured],
        },
        "geojson": {k: v.as_dict() for k, v in geojson.items()},
        "pdf": {k: v.as_dict() for k, v in pdf.items()},
        "load": load.as_dict() if load else None,
        "external": external,
        "notes": notes,
        "figures": [
            {"figure": r.figure, "value": r.value, "goal": r.goal, "ok": r.ok} for r in rows
        ],  # fmt: skip
    }
    json_path, md_path = report_write(payload, report.table_markdown(rows), args.scale)
    print(f"\nwritten: {json_path}\n         {md_path}")
    if args.no_record or args.scale not in chart.CHART_SCALES:
        print(f"{'--no-record' if args.no_record else args.scale}: docs/ left as it was")
    else:
        measured_now = [(args.scale, measured)]
        if baseline_measured and args.scale != BASELINE_SCALE:
            measured_now.append((BASELINE_SCALE, baseline))
        for name, results in measured_now:
            path = chart.record(
                name, results, insured=SCALES[name].insured,
                service_lines=SCALES[name].service_lines, at=payload["at"], machine=info,
                load_average=payload["load_average"], requests=args.requests,
            )  # fmt: skip
            print(f"         {path}")
        drawn = chart.redraw()
        if drawn:
            print(f"         {drawn}")
        if args.scale in report.SECTIONS:
            document = report.document_write(
                rows, scale=args.scale, info=info, load_before=load_before,
                load_after=load_after, notes=notes,
            )  # fmt: skip
        else:
            document = report.document_compose({})  # the chart's dates; the sections kept
            print(f"(docs/PERFORMANCE.md has tables for {', '.join(report.SECTIONS)} only)")
        print(f"         {document}")
    missed = [r for r in rows if r.ok is False]
    print(f"\n{len(missed)} figure(s) miss their goal" if missed else "\nevery goal is met")
    return 0


if __name__ == "__main__":
    sys.exit(main())
