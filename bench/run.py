"""`python -m bench.run --scale small|medium|large`: fill, measure at two sizes, report.

The bench database is its own (default postgres://postgres@127.0.0.1:5432/portal_bench, or
BENCH_DATABASE_URL): it is created when missing, migrated, and its tables are truncated and
refilled on every run. See bench/README.md.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
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
# A page is flagged slower when its median at the scale is this many times the baseline's and
# at least this many milliseconds more (so that 0.5 → 1.6 ms of noise is not flagged).
SLOWER_RATIO = 3
SLOWER_MIN_MS = 10


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


def _fmt_queries(result: PageResult | None) -> str:
    if result is None:
        return "—"
    if result.queries_min != result.queries_max:
        return f"{result.queries_min}–{result.queries_max}"
    return str(result.queries)


def _flags(base: PageResult | None, scaled: PageResult) -> list[str]:
    flags = []
    if base is not None:
        if (base.queries_min, base.queries_max) != (scaled.queries_min, scaled.queries_max):
            flags.append("queries differ")
        # Same queries but much slower with more data: a scan that grows with the tables.
        slower_by = scaled.median_ms - base.median_ms
        if scaled.median_ms >= SLOWER_RATIO * base.median_ms and slower_by >= SLOWER_MIN_MS:
            flags.append(f"×{scaled.median_ms / base.median_ms:.0f} slower")
    for result in (base, scaled):
        if result is not None and result.status != 200:
            flags.append(f"HTTP {result.status}")
    return flags


def rows_build(baseline: list[PageResult], scaled: list[PageResult]) -> list[dict[str, object]]:
    """One row per page with both sizes side by side (pages are matched by label and audience)."""
    by_key = {(r.label, r.audience): r for r in baseline}
    rows = []
    for result in scaled:
        base = by_key.get((result.label, result.audience))
        rows.append(
            {
                "page": result.label,
                "path": result.path,
                "audience": result.audience,
                "baseline": base.as_dict() if base else None,
                "scale": result.as_dict(),
                "flags": _flags(base, result),
            }
        )
    return rows


HEADERS = ("page", "path", "q {base}", "q {scale}", "med {base}", "p95 {base}", "med {scale}",
           "p95 {scale}", "flag")  # fmt: skip


def _cells(row: dict, scale: str) -> list[str]:
    from bench.measure import PageResult

    base = PageResult(**row["baseline"]) if row["baseline"] else None
    scaled = PageResult(**row["scale"])
    ms = "{:.1f}".format
    return [
        row["page"],
        row["path"],
        _fmt_queries(base),
        _fmt_queries(scaled),
        ms(base.median_ms) if base else "—",
        ms(base.p95_ms) if base else "—",
        ms(scaled.median_ms),
        ms(scaled.p95_ms),
        ", ".join(row["flags"]) or "",
    ]


def table_text(rows: list[dict], scale: str) -> str:
    headers = [h.format(base=BASELINE_SCALE, scale=scale) for h in HEADERS]
    body = [_cells(row, scale) for row in rows]
    widths = [max(len(r[i]) for r in [headers, *body]) for i in range(len(headers))]
    numeric = range(2, 8)

    def line(cells: list[str]) -> str:
        return "  ".join(
            c.rjust(w) if i in numeric else c.ljust(w)
            for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        ).rstrip()

    return "\n".join([line(headers), line(["-" * w for w in widths]), *map(line, body)])


def table_markdown(rows: list[dict], scale: str) -> str:
    headers = [h.format(base=BASELINE_SCALE, scale=scale) for h in HEADERS]
    align = ["---", "---", *["---:"] * 6, "---"]
    lines = ["| " + " | ".join(headers) + " |", "| " + " | ".join(align) + " |"]
    for row in rows:
        cells = [c.replace("|", "\\|") for c in _cells(row, scale)]
        cells[1] = f"`{cells[1]}`"
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__)
    parser.add_argument("--scale", default="small", help="micro, tiny, small, medium or large")
    parser.add_argument("--requests", type=int, default=30, help="measured requests per page")
    parser.add_argument("--warmups", type=int, default=3, help="unmeasured requests first")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--fill-only", action="store_true", help="fill at --scale, measure none")
    args = parser.parse_args(argv)

    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL)
    database_ensure(url)
    django_setup(url)

    from django.core.management import call_command
    from django.db import connection

    from bench.fill import SCALES, fill
    from bench.measure import measure_pages
    from bench.subjects import subjects_load

    if args.scale not in SCALES:
        parser.error(f"unknown scale {args.scale!r}: one of {', '.join(SCALES)}")
    if connection.vendor != "postgresql":
        raise SystemExit("the bench runs on PostgreSQL only (it fills with COPY)")
    call_command("migrate", interactive=False, verbosity=0)

    def echo(line: str) -> None:
        print(line, flush=True)

    sizes = [args.scale] if args.fill_only else [BASELINE_SCALE, args.scale]
    fills: list[FillReport] = []
    measured: list[list[PageResult]] = []
    for size in sizes:
        print(f"\n== fill: {size}", flush=True)
        report = fill(SCALES[size], seed=args.seed, echo=echo)
        fills.append(report)
        print(f"fill {size}: {report.seconds:.1f} s (peak RSS {report.max_rss_mb:.0f} MB)")
        if args.fill_only:
            break
        print(f"== measure: {size} ({args.warmups} warm-ups + {args.requests} requests a page)")
        started = time.perf_counter()
        measured.append(
            measure_pages(subjects_load(), requests=args.requests, warmups=args.warmups)
        )
        print(f"measured in {time.perf_counter() - started:.1f} s", flush=True)

    print("\n== rows\n" + counts_text(fills))
    print("\n== fill time\n" + "\n".join(f"{f.scale:>8}: {f.seconds:8.1f} s" for f in fills))
    if args.fill_only:
        return 0

    rows = rows_build(measured[0], measured[1])
    print("\n== pages (ms: server time in-process; q: SQL queries per request)\n")
    print(table_text(rows, args.scale))
    payload = {
        "scale": args.scale,
        "baseline": BASELINE_SCALE,
        "at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "requests": args.requests,
        "warmups": args.warmups,
        "seed": args.seed,
        "machine": {
            "python": platform.python_version(),
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
        },
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
        "pages": rows,
    }
    fill_lines = "\n".join(
        f"- `{f.scale}`: {f.seconds:.1f} s, {sum(f.counts.values()):,} rows" for f in fills
    )
    markdown = (
        f"# Bench {args.scale} — {payload['at']}\n\n"
        f"{args.warmups} warm-ups + {args.requests} requests a page; ms are server time "
        f"in-process (median, p95); q is SQL queries per request.\n\n"
        f"Fill:\n\n{fill_lines}\n\n{table_markdown(rows, args.scale)}"
    )
    json_path, md_path = report_write(payload, markdown, args.scale)
    print(f"\nwritten: {json_path}\n         {md_path}")
    flagged = [row for row in rows if row["flags"]]
    if flagged:
        print(f"\n{len(flagged)} page(s) flagged: " + "; ".join(
            f"{r['page']} ({', '.join(r['flags'])})" for r in flagged))  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
