"""The pages under concurrent clients: gunicorn serving the bench database, and bench.loadgen,
another process, logging in and requesting every page from `clients` threads at once.
"""

from __future__ import annotations

import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import requests

from bench.measure import p95
from bench.pages import Page
from bench.subjects import BENCH_PASSWORD, BENCH_STAFF_TOTP_SECRET, Subjects

ROOT = Path(__file__).resolve().parent.parent
# As the production image runs it (Dockerfile): sync workers, three on 2 cores. PostgreSQL and
# the load generator share the cores: on this machine 2, 3, 4 or 5 sync workers served the same
# requests per second within the noise (141-161/s when it was quiet), gthread workers (2 x 4
# threads, 3 x 2) fewer.
WORKERS = 3


@dataclass(frozen=True)
class PageLoad:
    label: str
    audience: str
    requests: int
    errors: int
    median_ms: float
    p95_ms: float

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


@dataclass(frozen=True)
class LoadReport:
    clients: int
    workers: int
    requests: int
    errors: int
    seconds: float
    per_second: float
    median_ms: float
    p95_ms: float
    pages: list[PageLoad]

    def as_dict(self) -> dict[str, object]:
        return {**asdict(self), "pages": [p.as_dict() for p in self.pages]}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def gunicorn_start(database_url: str, *, workers: int = WORKERS) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": os.environ.get("BENCH_SETTINGS", "bench.settings"),
        # Each worker's own connection pool: a few connections are plenty for a sync worker.
        "DATABASE_POOL_MAX": "2",
    }
    binary = str(Path(sys.executable).parent / "gunicorn")
    process = subprocess.Popen(  # noqa: S603  (our venv's gunicorn, fixed arguments)
        [binary, "portal.wsgi:application", "--bind", f"127.0.0.1:{port}",
         "--workers", str(workers), "--log-level", "warning", "--timeout", "120",
         # The production image logs every request: so does the bench (to nowhere).
         "--access-logfile", os.devnull],
        cwd=ROOT,
        env=env,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {process.returncode}")
        try:
            requests.get(f"{url}/healthz/", timeout=10)
            return process, url
        except requests.RequestException:  # not listening yet, or still loading Django
            time.sleep(0.2)
    process.terminate()
    raise RuntimeError("gunicorn did not answer within 60 s")


def summarise(result: dict, *, workers: int) -> LoadReport:
    by_page: dict[tuple[str, str], list[tuple[float, int]]] = {}
    for label, audience, ms, status in result["samples"]:
        by_page.setdefault((label, audience), []).append((ms, status))
    pages = []
    for (label, audience), samples in by_page.items():
        times = [ms for ms, _status in samples]
        pages.append(
            PageLoad(
                label=label,
                audience=audience,
                requests=len(samples),
                errors=sum(1 for _ms, status in samples if status != 200),
                median_ms=statistics.median(times),
                p95_ms=p95(times),
            )
        )
    everything = [ms for _l, _a, ms, _s in result["samples"]]
    total = len(everything)
    return LoadReport(
        clients=result["clients"],
        workers=workers,
        requests=total,
        errors=sum(p.errors for p in pages),
        seconds=result["wall_seconds"],
        per_second=total / result["wall_seconds"] if result["wall_seconds"] else 0.0,
        median_ms=statistics.median(everything) if everything else 0.0,
        p95_ms=p95(everything) if everything else 0.0,
        pages=pages,
    )


def measure_load(
    database_url: str,
    subjects: Subjects,
    page_list: list[Page],
    *,
    clients: int = 20,
    rounds: int = 2,
    workers: int = WORKERS,
) -> LoadReport:
    """Start gunicorn, run the load generator against it, stop gunicorn."""
    pages = [
        {"label": p.label, "path": p.url(subjects), "audience": p.audience}
        for p in page_list
        if p.audience in ("person", "hr")
    ]
    logins = {
        "person": {"email": subjects.person.email, "password": BENCH_PASSWORD},
        "hr": {
            "email": subjects.hr.email,
            "password": BENCH_PASSWORD,
            "totp_secret": BENCH_STAFF_TOTP_SECRET,
            "check": "/admin/",
        },
    }
    plan = {"clients": clients, "rounds": rounds, "warm_clients": workers * 2, "logins": logins}
    plan["pages"] = pages
    workdir = Path(tempfile.mkdtemp(prefix="bench-load-"))
    process, url = gunicorn_start(database_url, workers=workers)
    try:
        # A first round warms every worker (templates, connections, the GeoJSON and PDF caches),
        # unmeasured, in the same process: a TOTP code is accepted once.
        result = _loadgen(workdir / "plan.json", {**plan, "base_url": url})
    finally:
        process.terminate()
        process.wait(timeout=30)
        for path in workdir.iterdir():
            path.unlink()
        workdir.rmdir()
    return summarise(result, workers=workers)


def _loadgen(plan_path: Path, plan: dict) -> dict:
    plan_path.write_text(json.dumps(plan, ensure_ascii=False))
    completed = subprocess.run(  # noqa: S603  (our interpreter, our module)
        [sys.executable, "-m", "bench.loadgen", str(plan_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if completed.returncode != 0:
        raise RuntimeError(f"bench.loadgen failed:\n{completed.stderr[-2000:]}")
    return json.loads(completed.stdout)
