"""The chart of docs/PERFORMANCE.md: each page's median server time against scale.

Every `bench.run` that measures a scale of the chart (`tiny` as its baseline and the scale
itself; `micro` is the test's) records the pages' medians in docs/performance/<scale>.json
(`record`), and the chart, docs/performance-by-scale.png, is drawn again with matplotlib from
whatever scales have a record (`draw`). `python -m bench.chart` draws it again from the records.
No Django needed here: the records are plain JSON.
"""

from __future__ import annotations

import json
import statistics
import sys
from collections.abc import Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RECORDS_DIR = ROOT / "docs" / "performance"
CHART = ROOT / "docs" / "performance-by-scale.png"
# The scales of the chart, in order (bench.fill.plan.SCALES, micro left out).
CHART_SCALES = ("tiny", "small", "medium", "large", "xlarge")
GOAL_AUDIENCES = ("person", "hr")  # the pages with goals: what a person or an HR manager sees
HIGHLIGHTED = 8  # pages drawn in colour and named: the slowest at the largest scale measured


def record(
    scale: str,
    results: Iterable[object],
    *,
    insured: int,
    service_lines: int,
    at: str,
    machine: dict,
    load_average: dict,
    requests: int,
    directory: Path = RECORDS_DIR,
) -> Path:
    """Write the scale's record: its pages' medians (PageResult or their dicts), and when, where
    and how they were measured. The previous record of the scale is replaced."""
    pages = []
    for result in results:
        item = result if isinstance(result, dict) else result.as_dict()
        if item["audience"] not in GOAL_AUDIENCES or item["status"] != 200:
            continue
        pages.append({key: item[key] for key in
                      ("label", "path", "audience", "median_ms", "p95_ms", "queries")})  # fmt: skip
    payload = {
        "scale": scale,
        "insured": insured,
        "service_lines": service_lines,
        "at": at,
        "requests": requests,
        "machine": machine,
        "load_average": load_average,
        "pages": pages,
    }
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{scale}.json"
    path.write_text(json.dumps(payload, ensure_ascii=False, indent=1) + "\n")
    return path


def records_load(directory: Path = RECORDS_DIR) -> list[dict]:
    """The records there are, in the order of CHART_SCALES."""
    found = []
    for scale in CHART_SCALES:
        path = directory / f"{scale}.json"
        if path.exists():
            found.append(json.loads(path.read_text()))
    return found


def _page_name(page: dict) -> str:
    hr = page["audience"] == "hr" and not page["label"].startswith("HR")
    return page["label"] + (" (HR)" if hr else "")


def draw(records: list[dict], path: Path = CHART, *, goal_ms: float = 50.0) -> Path:
    """Each page's median server time (y) against the scale's insured persons (x, a log axis:
    the scales are ten times apart). The pages slowest at the largest scale measured are in
    colour and named; the others are grey; the black line is the median page."""
    import matplotlib

    matplotlib.use("Agg")  # files only, no display
    from matplotlib import pyplot

    if not records:
        raise ValueError("no scale has a record to draw")
    xs = [r["insured"] for r in records]
    series: dict[str, dict[int, float]] = {}
    for r in records:
        for page in r["pages"]:
            series.setdefault(_page_name(page), {})[r["insured"]] = page["median_ms"]
    last = xs[-1]
    ranked = sorted(series, key=lambda name: series[name].get(last, -1.0), reverse=True)
    highlighted = ranked[:HIGHLIGHTED]

    figure, axes = pyplot.subplots(figsize=(11, 6.5), dpi=100)
    for name in ranked[HIGHLIGHTED:]:
        points = sorted(series[name].items())
        axes.plot(*zip(*points, strict=True), color="#b0b0b0", linewidth=0.8, marker=".",
                  markersize=3, zorder=1)  # fmt: skip
    if len(ranked) > HIGHLIGHTED:
        axes.plot([], [], color="#b0b0b0", linewidth=0.8,
                  label=f"other pages ({len(ranked) - HIGHLIGHTED})")  # fmt: skip
    palette = pyplot.get_cmap("tab10")
    colours = [palette(n) for n in (0, 1, 2, 3, 4, 5, 6, 8, 9)]  # no grey: the other pages'
    for n, name in enumerate(highlighted):
        points = sorted(series[name].items())
        axes.plot(*zip(*points, strict=True), color=colours[n % len(colours)], marker="o",
                  markersize=4, linewidth=1.6, label=name, zorder=3)  # fmt: skip
    medians = [statistics.median(p["median_ms"] for p in r["pages"]) for r in records]
    axes.plot(xs, medians, color="black", linewidth=2.6, linestyle="--", marker="s",
              label="median of all pages", zorder=4)  # fmt: skip
    axes.axhline(goal_ms, color="#c62828", linewidth=1.2, linestyle=":", zorder=2,
                 label=f"goal: p95 ≤ {goal_ms:.0f} ms")  # fmt: skip

    axes.set_xscale("log")
    axes.set_xticks(xs, [f"{r['scale']}\n{r['insured']:,} insured" for r in records])
    axes.minorticks_off()
    axes.set_xlim(xs[0] / 1.6, xs[-1] * 1.6)
    top = max([goal_ms, *(v for s in series.values() for v in s.values())])
    axes.set_ylim(0, top * 1.12)
    axes.set_ylabel("median server time, ms (in-process, one client)")
    axes.set_title("Median server time of each page against scale")
    axes.grid(axis="y", color="#e0e0e0", linewidth=0.6)
    axes.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, frameon=False)
    when = "; ".join(f"{r['scale']}: {r['at'][:10]}, load {r['load_average'].get('before', '?')}"
                     for r in records)  # fmt: skip
    figure.text(0.01, 0.01, f"bench/chart.py · {when}", fontsize=6.5, color="#606060")
    figure.tight_layout(rect=(0, 0.03, 1, 1))
    path.parent.mkdir(parents=True, exist_ok=True)
    # No software/date metadata: the file changes only when the figures do.
    figure.savefig(path, metadata={"Software": None})
    pyplot.close(figure)
    return path


def redraw(directory: Path = RECORDS_DIR, path: Path = CHART) -> Path | None:
    """Draw the chart again from the records; None when there is none or matplotlib is not
    installed (a dev dependency: `pip install -e .[dev]`)."""
    records = records_load(directory)
    if not records:
        return None
    try:
        return draw(records, path)
    except ImportError as error:
        print(f"chart not drawn: {error} (matplotlib is a dev dependency)", file=sys.stderr)
        return None


def main(argv: list[str] | None = None) -> int:
    """`python -m bench.chart`: draw docs/performance-by-scale.png again from the records in
    docs/performance/."""
    del argv
    path = redraw()
    if path is None:
        print(f"nothing drawn: no record in {RECORDS_DIR} (or no matplotlib)", file=sys.stderr)
        return 1
    print(f"written: {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
