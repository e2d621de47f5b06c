"""Figures of the other benches (the imports, the co-pay run), each in a process of its own.

Each module's `collect(**kwargs)` returns a list of `{"figure", "value", "unit", "goal", "ok"}`
and sets up Django on its own database, which is why it runs in a fresh interpreter: this one
is already set up on the pages' database. A module or a `collect` that is not there (yet) gives
one "not measured" row, so that the table is made either way.
"""

from __future__ import annotations

import datetime
import json
import os
import platform
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS_DIR = ROOT / "bench" / "results"
MARKER = "BENCH-FIGURES:"

_RUNNER = f"""
import importlib, json, sys
module, kwargs = sys.argv[1], json.loads(sys.argv[2])
try:
    collect = importlib.import_module(module).collect
except (ImportError, AttributeError) as error:
    print({MARKER!r} + json.dumps({{"missing": f"{{type(error).__name__}}: {{error}}"}}))
    sys.exit(0)
rows = collect(**kwargs)
print({MARKER!r} + json.dumps({{"rows": rows}}, ensure_ascii=False, default=str))
"""


def not_measured(title: str, why: str) -> dict:
    return {"figure": title, "value": None, "unit": "", "goal": "", "ok": None, "note": why}


def collect(module: str, title: str, **kwargs) -> list[dict]:
    """The rows of `module.collect(**kwargs)`, or one "not measured" row saying why."""
    completed = subprocess.run(  # noqa: S603  (our interpreter, a bench module of ours)
        [sys.executable, "-c", _RUNNER, module, json.dumps(kwargs)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    for line in reversed(completed.stdout.splitlines()):
        if line.startswith(MARKER):
            payload = json.loads(line[len(MARKER) :])
            if "missing" in payload:
                return [not_measured(title, payload["missing"])]
            return payload["rows"] or [not_measured(title, "collect() returned no rows")]
    tail = (completed.stderr.strip().splitlines() or ["no output"])[-1]
    return [not_measured(title, f"failed (exit {completed.returncode}): {tail}")]


def standalone_report(name: str, figures: list[dict], payload: dict) -> Path:
    """What a bench run on its own (`python -m bench.<name>`) ends with: its figures beside their
    goals, and everything it measured written to bench/results/<time>-<name>.json."""
    for figure in figures:
        mark = "" if figure["ok"] is None else "ok" if figure["ok"] else "MISSED"
        print(f"   {figure['figure']}: {figure['value']} {figure['unit']} "
              f"(goal {figure['goal']}) {mark}")  # fmt: skip
    RESULTS_DIR.mkdir(exist_ok=True)
    out = RESULTS_DIR / f"{datetime.datetime.now():%Y%m%dT%H%M%S}-{name}.json"
    payload = {
        "at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count()},
        **payload,
    }
    out.write_text(json.dumps(payload, ensure_ascii=False, indent=2) + "\n")
    print(f"\nwritten: {out}")
    return out
