"""The figures beside the pages: the map's GeoJSON built afresh and from the cache, the DMS
policy PDF rendered and downloaded. All in-process, on the filled bench database.
"""

from __future__ import annotations

import statistics
import time
from dataclasses import asdict, dataclass

from bench.measure import clients_logged_in, p95
from bench.subjects import Subjects


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


# Enough samples that a p95 is no maximum: the nearest-rank p95 of 5 or 15 samples is the
# slowest one, and a single pause of the machine (a full garbage collection of the bench's own
# process, another tenant of a shared host) failed a goal the other samples met by far.
GEOJSON_REQUESTS = 30
PDF_RENDERS = 20


def geojson_figures(subjects: Subjects, *, requests: int = GEOJSON_REQUESTS) -> dict[str, Timing]:
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


def pdf_figures(
    subjects: Subjects, *, renders: int = PDF_RENDERS, downloads: int = 20
) -> dict[str, Timing]:
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
