"""The figures beside the pages: each page's time over its bare SQL, the map's GeoJSON built
afresh, the DMS policy PDF rendered and downloaded. All in-process, on the filled bench database.
"""

from __future__ import annotations

import re
import statistics
import time
from dataclasses import asdict, dataclass

from django.db import connection
from django.test.utils import CaptureQueriesContext

from bench.measure import PageResult, clients_logged_in, p95
from bench.pages import Page
from bench.subjects import Subjects

# The request's transaction statements (atomic blocks): the replay runs in a transaction of its
# own.
_SKIPPED = re.compile(r"^\s*(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE SAVEPOINT)\b", re.I)
# A server-side cursor (`QuerySet.iterator()`): the replay runs its query and reads every row.
_DECLARE = re.compile(r"^\s*DECLARE\s+\"?\w+\"?\s+NO SCROLL CURSOR WITH(?:OUT)? HOLD FOR\s+", re.I)


@dataclass(frozen=True)
class SqlRatio:
    label: str
    audience: str
    path: str
    statements: int
    page_ms: float  # the page's median (bench.measure)
    sql_ms: float  # median of the bare replays of its statements
    ratio: float

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def page_statements(client, url: str) -> list[str]:
    """The SQL of one request to the page, as sent (psycopg binds on the client side)."""
    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    statements = []
    for query in captured.captured_queries:
        sql = query["sql"]
        if _SKIPPED.match(sql):
            continue
        statements.append(_DECLARE.sub("", sql))
    return statements


def replay_ms(statements: list[str]) -> float:
    """Run the statements one after the other on the raw connection, each result read to its
    last row, in a transaction that is rolled back (a page may write: its session, a log row).
    A write that fails when repeated (a unique row) is undone by its own savepoint."""
    connection.ensure_connection()
    raw = connection.connection
    with raw.cursor() as cursor:
        cursor.execute("BEGIN")
        started = time.perf_counter()
        try:
            for sql in statements:
                is_read = sql.lstrip()[:6].upper() in ("SELECT", "(SELEC", "WITH ")
                if is_read:
                    cursor.execute(sql)
                    cursor.fetchall()
                    continue
                cursor.execute("SAVEPOINT bench_replay")
                try:
                    cursor.execute(sql)
                    if cursor.description is not None:
                        cursor.fetchall()
                    cursor.execute("RELEASE SAVEPOINT bench_replay")
                except Exception:  # noqa: BLE001  (a repeated write may conflict; undone)
                    cursor.execute("ROLLBACK TO SAVEPOINT bench_replay")
            return (time.perf_counter() - started) * 1000
        finally:
            cursor.execute("ROLLBACK")


def sql_ratios(
    subjects: Subjects,
    page_list: list[Page],
    measured: list[PageResult],
    *,
    repeats: int = 15,
) -> list[SqlRatio]:
    """Each page's median time over the median time of its own statements run bare."""
    clients = clients_logged_in(subjects)
    by_key = {(r.label, r.audience): r for r in measured}
    ratios = []
    for page in page_list:
        result = by_key.get((page.label, page.audience))
        if result is None:
            continue
        statements = page_statements(clients[page.audience], page.url(subjects))
        replay_ms(statements)  # warm: plans, buffers
        sql_ms = statistics.median(replay_ms(statements) for _ in range(repeats))
        ratios.append(
            SqlRatio(
                label=page.label,
                audience=page.audience,
                path=result.path,
                statements=len(statements),
                page_ms=result.median_ms,
                sql_ms=sql_ms,
                ratio=result.median_ms / sql_ms if sql_ms > 0 else float("inf"),
            )
        )
    return ratios


@dataclass(frozen=True)
class Timing:
    median_ms: float
    p95_ms: float
    samples: int
    note: str = ""

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def _timing(samples: list[float], note: str = "") -> Timing:
    return Timing(statistics.median(samples), p95(samples), len(samples), note)


GEOJSON_URL = "/clinics/geojson/?policy=all"


def geojson_figures(subjects: Subjects, *, requests: int = 15) -> dict[str, Timing]:
    """The whole network's GeoJSON: built afresh (the network's version bumped before each
    request, as after any change of a clinic) and served from the cache."""
    from clinics.geojson import network_changed

    client = clients_logged_in(subjects)["person"]
    client.get(GEOJSON_URL)  # warm: templates, the connection, plans
    fresh, cached = [], []
    features = 0
    for _ in range(requests):
        network_changed()
        started = time.perf_counter()
        response = client.get(GEOJSON_URL)
        fresh.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise RuntimeError(f"GeoJSON answered {response.status_code}")
        features = response.content.count(b'"type":"Feature"')
    for _ in range(requests):
        started = time.perf_counter()
        client.get(GEOJSON_URL)
        cached.append((time.perf_counter() - started) * 1000)
    note = f"{features:,} clinics"
    return {"built": _timing(fresh, note), "cached": _timing(cached, note)}


def pdf_figures(subjects: Subjects, *, renders: int = 5, downloads: int = 20) -> dict[str, Timing]:
    """The bench person's DMS policy PDF: the first request after its stored file is gone (made
    inline: the bench's Celery is eager), then downloads of the stored file."""
    from policies.models import PolicyDocument

    client = clients_logged_in(subjects)["person"]
    url = f"/policies/{subjects.dms_policy_id}/pdf/"

    def forget() -> None:
        for document in PolicyDocument.objects.filter(policy_id=subjects.dms_policy_id):
            if document.file:
                document.file.delete(save=False)
            document.delete()

    def get_pdf() -> float:
        started = time.perf_counter()
        response = client.get(url)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        elapsed = (time.perf_counter() - started) * 1000
        if response.status_code != 200 or not body.startswith(b"%PDF"):
            raise RuntimeError(f"{url} answered {response.status_code} without a PDF")
        return elapsed

    forget()
    get_pdf()  # warm: fonts, templates, WeasyPrint's imports
    first = []
    for _ in range(renders):
        forget()
        first.append(get_pdf())
    cached = [get_pdf() for _ in range(downloads)]
    return {"first": _timing(first), "cached": _timing(cached)}
