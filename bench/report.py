"""The one table of `make bench`: every figure beside its goal and ✓/✗, printed and written to
docs/PERFORMANCE.md with the date and the machine: a section per documented scale (`large`, the
goals' scale, and `xlarge`), each run rewriting its own, under the chart of bench/chart.py."""

from __future__ import annotations

import datetime
import os
import platform
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # no Django needed to write the document again from a results file
    from bench.figures import Timing
    from bench.load import LoadReport
    from bench.measure import PageResult

DOCUMENT = Path(__file__).resolve().parent.parent / "docs" / "PERFORMANCE.md"

# The goals (issue 12). Pages: what a person or an HR manager sees.
MAX_QUERIES = 12
PAGE_P95_MS = 50
LOAD_P95_MS = 300
GEOJSON_MS = 100
PDF_FIRST_MS = 500
PDF_CACHED_MS = 30


@dataclass(frozen=True)
class Row:
    figure: str
    value: str
    goal: str
    ok: bool | None  # None: reported only, or not measured

    @property
    def mark(self) -> str:
        return {True: "✓", False: "✗", None: "—"}[self.ok]


def machine() -> dict[str, object]:
    from django.db import connection

    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram_gb = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                ram_gb = round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        postgres = cursor.fetchone()[0]
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "ram_gb": ram_gb,
        "postgresql": postgres,
        "python": platform.python_version(),
        "os": platform.platform(),
    }


def load_average() -> str:
    try:
        return " ".join(f"{v:.2f}" for v in os.getloadavg())
    except OSError:
        return "?"


def _ms(value: float) -> str:
    return f"{value:.1f}"


def _queries(result: PageResult | None) -> str:
    if result is None:
        return "—"
    if result.queries_min != result.queries_max:
        return f"{result.queries_min}–{result.queries_max}"
    return str(result.queries)


def page_rows(
    scale: str,
    baseline_scale: str,
    baseline: list[PageResult] | None,
    measured: list[PageResult],
    load: LoadReport | None,
) -> list[Row]:
    base_by = {(r.label, r.audience): r for r in baseline or []}
    load_by = {(p.label, p.audience): p for p in load.pages} if load else {}
    rows: list[Row] = []
    for result in measured:
        key = (result.label, result.audience)
        name = f"{result.label} `{result.path}`"
        if result.audience != "person":
            name += f" ({result.audience})"
        base = base_by.get(key)
        same = base is not None and (base.queries_min, base.queries_max) == (
            result.queries_min,
            result.queries_max,
        )
        within = result.status == 200 and result.queries_max <= MAX_QUERIES
        status = "" if result.status == 200 else f", HTTP {result.status}"
        rows.append(
            Row(
                f"{name}: SQL queries, {baseline_scale} → {scale}",
                f"{_queries(base)} → {_queries(result)}{status}",
                f"≤ {MAX_QUERIES}, the same",
                # Without a baseline the counts cannot be compared: only a miss is certain.
                (within and same) if base is not None else (None if within else False),
            )
        )
        rows.append(
            Row(
                f"{name}: server time, median / p95",
                f"{_ms(result.median_ms)} / {_ms(result.p95_ms)} ms",
                f"p95 ≤ {PAGE_P95_MS} ms",
                result.status == 200 and result.p95_ms <= PAGE_P95_MS,
            )
        )
        under_load = load_by.get(key)
        if under_load is not None:
            errors = f", {under_load.errors} errors" if under_load.errors else ""
            rows.append(
                Row(
                    f"{name}: {load.clients} clients, median / p95",
                    f"{_ms(under_load.median_ms)} / {_ms(under_load.p95_ms)} ms{errors}",
                    f"p95 ≤ {LOAD_P95_MS} ms, 0 errors",
                    under_load.p95_ms <= LOAD_P95_MS and not under_load.errors,
                )
            )
    return rows


def load_rows(load: LoadReport | None, clients: int) -> list[Row]:
    if load is None:
        return [Row(f"all pages, {clients} concurrent clients (gunicorn)", "not measured",
                    f"p95 ≤ {LOAD_P95_MS} ms, 0 errors", None)]  # fmt: skip
    return [
        Row(
            f"all pages, {load.clients} concurrent clients (gunicorn, {load.workers} workers):"
            " median / p95",
            f"{_ms(load.median_ms)} / {_ms(load.p95_ms)} ms, {load.errors} errors"
            f" of {load.requests:,}",
            f"p95 ≤ {LOAD_P95_MS} ms, 0 errors",
            load.p95_ms <= LOAD_P95_MS and not load.errors,
        ),
        Row(
            f"all pages, {load.clients} concurrent clients: requests per second",
            f"{load.per_second:.1f} /s ({load.requests:,} in {load.seconds:.1f} s)",
            "reported",
            None,
        ),
    ]


def timing_rows(geojson: dict[str, Timing] | None, pdf: dict[str, Timing] | None) -> list[Row]:
    rows = []
    if geojson is None:
        rows.append(
            Row("clinic GeoJSON, whole network", "not measured", f"≤ {GEOJSON_MS} ms", None)
        )
    else:
        built, cached = geojson["built"], geojson["cached"]
        rows += [
            Row(
                f"clinic GeoJSON, whole network ({built.note}), built afresh: median / p95",
                f"{_ms(built.median_ms)} / {_ms(built.p95_ms)} ms",
                f"≤ {GEOJSON_MS} ms",
                built.p95_ms <= GEOJSON_MS,
            ),
            Row(
                "clinic GeoJSON, whole network, from the cache: median / p95",
                f"{_ms(cached.median_ms)} / {_ms(cached.p95_ms)} ms",
                f"≤ {GEOJSON_MS} ms",
                cached.p95_ms <= GEOJSON_MS,
            ),
        ]
    if pdf is None:
        rows.append(Row("DMS policy PDF", "not measured", f"≤ {PDF_FIRST_MS} ms", None))
    else:
        first, cached = pdf["first"], pdf["cached"]
        rows += [
            Row(
                "DMS policy PDF, first render (request to last byte): median / p95",
                f"{_ms(first.median_ms)} / {_ms(first.p95_ms)} ms",
                f"≤ {PDF_FIRST_MS} ms",
                first.p95_ms <= PDF_FIRST_MS,
            ),
            Row(
                "DMS policy PDF, cached download: median / p95",
                f"{_ms(cached.median_ms)} / {_ms(cached.p95_ms)} ms",
                f"≤ {PDF_CACHED_MS} ms",
                cached.p95_ms <= PDF_CACHED_MS,
            ),
        ]
    return rows


def external_rows(found: list[dict]) -> list[Row]:
    rows = []
    for item in found:
        value = item.get("value")
        if value is None:
            shown = "not measured" + (f": {item['note']}" if item.get("note") else "")
        else:
            shown = f"{value:,.1f}" if isinstance(value, float) else f"{value:,}" if isinstance(
                value, int) else str(value)  # fmt: skip
            shown = f"{shown} {item.get('unit') or ''}".strip()
        rows.append(Row(str(item["figure"]), shown, str(item.get("goal") or "reported"),
                        item.get("ok")))  # fmt: skip
    return rows


def table_text(rows: list[Row]) -> str:
    headers = ("figure", "value", "goal", "")
    body = [(r.figure, r.value, r.goal, r.mark) for r in rows]
    widths = [max(len(line[i]) for line in [headers, *body]) for i in range(4)]

    def line(cells) -> str:
        return "  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip()

    return "\n".join([line(headers), line(["-" * w for w in widths]), *map(line, body)])


def table_markdown(rows: list[Row]) -> str:
    lines = ["| figure | value | goal | |", "| --- | --- | --- | :---: |"]
    for r in rows:
        cells = [c.replace("|", "\\|") for c in (r.figure, r.value, r.goal, r.mark)]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


# The scales with a section in docs/PERFORMANCE.md, in its order; a run at one of them writes its
# own section and keeps the others (between their markers).
SECTIONS = {
    "large": "large: the goals' scale (100,000 insured persons, 1,000,000 service lines)",
    "xlarge": "xlarge: ten times the data (1,000,000 insured persons, 10,000,000 service lines)",
}


def _marker(scale: str, end: bool = False) -> str:
    return f"<!-- bench:{scale}{' end' if end else ''} -->"


def sections_read(path: Path = DOCUMENT) -> dict[str, str]:
    """The scales' sections the document holds, each as written (between its markers)."""
    text = path.read_text() if path.exists() else ""
    found = {}
    for scale in SECTIONS:
        start, end = text.find(_marker(scale)), text.find(_marker(scale, end=True))
        if 0 <= start < end:
            found[scale] = text[start + len(_marker(scale)) : end].strip("\n")
    return found


def section_text(
    rows: list[Row],
    *,
    scale: str,
    info: dict[str, object],
    load_before: str,
    load_after: str,
    notes: list[str],
    when: datetime.datetime,
) -> str:
    missed = [r for r in rows if r.ok is False]
    met = sum(1 for r in rows if r.ok)
    text = f"""## {SECTIONS[scale]}

Written by `python -m bench.run --scale {scale}`.

- **When**: {when:%Y-%m-%d %H:%M} UTC
- **Machine**: {info["cpu"]}, {info["cores"]} cores, {info["ram_gb"]} GB RAM; {info["os"]}
- **PostgreSQL**: {info["postgresql"]}, on loopback; **Python** {info["python"]}
- **Load average** (1, 5, 15 min) before the run: {load_before}; after: {load_after}. Timings on
  a shared or busy machine are disturbed; the query counts are exact everywhere.
- **Scale**: `{scale}` (bench/README.md, «The scales»)
- **Goals met**: {met} of {met + len(missed)} figures with a goal

{table_markdown(rows)}
"""
    if notes:
        text += f"\n### Notes on `{scale}`\n\n" + "\n".join(f"- {n}" for n in notes) + "\n"
    return text


def _not_measured(scale: str) -> str:
    return (
        f"## {SECTIONS[scale]}\n\nNot measured yet: `make bench SCALE={scale}` on a quiet "
        "machine writes this section\n(bench/README.md says how long it takes).\n"
    )


def _chart_part(records: list[dict], chart: Path, path: Path) -> str:
    if not records:
        return ""
    lines = [
        "## Median server time against scale",
        "",
        f"![Median server time of each page against scale]({_relative(chart, path)})"
        if chart.exists()
        else "(No chart drawn yet: `python -m bench.chart` draws it, with matplotlib.)",
        "",
        "Each line is a page with a goal (what a person or an HR manager sees): its median",
        "in-process server time at each scale measured, one client, the bench person the same at",
        "every scale. Drawn by `bench/chart.py` from the records in `docs/performance/` that every",
        "run writes for the scales it measures (`tiny` is each run's baseline):",
        "",
        "| scale | insured persons | service lines | measured (UTC) | requests a page "
        "| load average before |",
        "| --- | ---: | ---: | --- | ---: | --- |",
    ]
    for r in records:
        lines.append(
            f"| `{r['scale']}` | {r['insured']:,} | {r['service_lines']:,} | "
            f"{r['at'][:16].replace('T', ' ')} | {r['requests']} | "
            f"{r['load_average'].get('before', '?')} |"
        )
    return "\n".join(lines) + "\n"


def _relative(target: Path, document: Path) -> str:
    try:
        return str(target.relative_to(document.parent))
    except ValueError:
        return str(target)


def document_compose(
    sections: dict[str, str],
    *,
    path: Path = DOCUMENT,
    records_dir: Path | None = None,
    chart: Path | None = None,
) -> Path:
    """Write the document: the header, the chart with the records' dates, then each scale's
    section (the ones not given: as the document holds them, or «not measured yet»)."""
    from bench import chart as charts

    records = charts.records_load(records_dir or charts.RECORDS_DIR)
    held = sections_read(path)
    names = ", ".join(f"`{scale}`" for scale in SECTIONS)
    parts = [
        f"""# Performance

Written by `make bench`: the sections {names} each by a run at its scale
(`python -m bench.run --scale large`, `--scale xlarge`), the chart by every run from `tiny` to
`xlarge`. Do not edit by hand, run the bench again. How each figure is made: `bench/README.md`.
""",
        _chart_part(records, chart or charts.CHART, path),
    ]
    for scale in SECTIONS:
        body = sections.get(scale) or held.get(scale) or _not_measured(scale)
        parts.append(f"{_marker(scale)}\n{body.strip()}\n{_marker(scale, end=True)}\n")
    path.parent.mkdir(exist_ok=True)
    path.write_text("\n".join(part for part in parts if part))
    return path


def document_write(
    rows: list[Row],
    *,
    scale: str,
    info: dict[str, object],
    load_before: str,
    load_after: str,
    notes: list[str],
    path: Path = DOCUMENT,
    when: datetime.datetime | None = None,
    records_dir: Path | None = None,
    chart: Path | None = None,
) -> Path:
    """Write the scale's section of the document (`SECTIONS`), keeping the other scales'."""
    if scale not in SECTIONS:
        raise ValueError(f"docs/PERFORMANCE.md has sections for {', '.join(SECTIONS)}, not {scale}")
    section = section_text(
        rows,
        scale=scale,
        info=info,
        load_before=load_before,
        load_after=load_after,
        notes=notes,
        when=when or datetime.datetime.now(datetime.UTC),
    )
    return document_compose({scale: section}, path=path, records_dir=records_dir, chart=chart)


def standard_notes(clients: int) -> list[str]:
    """What the reader of the table needs to know, whatever the run."""
    return [
        "Pages: what an insured person (the bench person) or an HR manager (of the bench person's "
        "company: 1,000 insured persons at large and xlarge) sees; in-process server time, one "
        "client.",
        f"{clients} clients: client-side times, the wait for a free gunicorn worker included "
        "(sync workers on the same cores as PostgreSQL and the load generator): about clients ÷ "
        "requests per second.",
    ]


def main(argv: list[str] | None = None) -> int:
    """`python -m bench.report RESULTS.json [NOTE ...]`: write the scale's section of
    docs/PERFORMANCE.md again from a run's results (bench/results/<timestamp>-<scale>.json of a
    large or xlarge run), e.g. after the template changed; each NOTE is added to the notes."""
    import json
    import sys

    args = sys.argv[1:] if argv is None else argv
    if not args:
        print(main.__doc__, file=sys.stderr)
        return 2
    payload = json.loads(Path(args[0]).read_text())
    if payload["scale"] not in SECTIONS:
        print(f"{args[0]}: docs/PERFORMANCE.md has no section for {payload['scale']}",
              file=sys.stderr)  # fmt: skip
        return 2
    rows = [Row(f["figure"], f["value"], f["goal"], f["ok"]) for f in payload["figures"]]
    clients = (payload.get("load") or {}).get("clients", 20)
    path = document_write(
        rows,
        scale=payload["scale"],
        info=payload["machine"],
        load_before=payload["load_average"]["before"],
        load_after=payload["load_average"]["after"],
        notes=[*(payload.get("notes") or standard_notes(clients)), *args[1:]],
        when=datetime.datetime.fromisoformat(payload["at"]),
    )
    print(f"written: {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
