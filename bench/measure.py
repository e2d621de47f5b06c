"""Request each page in-process and record its SQL query count and server time."""

import math
import statistics
import time
from dataclasses import asdict, dataclass

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from bench.pages import Page, pages
from bench.subjects import Subjects
from portal.core.startup import objects_freeze


@dataclass(frozen=True)
class PageResult:
    label: str
    path: str
    audience: str
    status: int
    queries: int  # of the last request
    queries_min: int  # over the measured requests: a page may vary (a session saved, a cache)
    queries_max: int
    median_ms: float
    p95_ms: float
    requests: int

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def p95(samples: list[float]) -> float:
    """Nearest-rank 95th percentile: a value that was really observed."""
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def _second_factor_passed(client: Client, user) -> None:
    """Mark the client's session as having passed the staff's TOTP (the admin asks for it), the
    way allauth records a second factor; the fill gave the staff their authenticator."""
    from allauth.account.internal.flows.login import record_authentication
    from allauth.mfa.models import Authenticator
    from django.http import HttpRequest

    authenticator = Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP)
    request = HttpRequest()
    request.session = client.session
    record_authentication(request, user, "mfa", id=authenticator.pk, type=authenticator.type)
    request.session.save()


def clients_logged_in(subjects: Subjects) -> dict[str, Client]:
    clients = {}
    for audience, user in (
        ("person", subjects.person),
        ("operator", subjects.operator),
        ("hr", subjects.hr),
    ):
        # A failing page is reported (status 500, with Django's error log) and the run goes on.
        client = Client(raise_request_exception=False)
        client.force_login(user)
        if user.is_staff:
            _second_factor_passed(client, user)
        clients[audience] = client
    return clients


def measure_pages(
    subjects: Subjects,
    page_list: list[Page] | None = None,
    *,
    requests: int = 30,
    warmups: int = 3,
) -> list[PageResult]:
    """Request each page `warmups` times unmeasured (templates, caches, the connection), then
    `requests` times, counting the queries and timing each request from the test client's call
    to its response: middleware, view, queries and template rendering, without the network."""
    if requests < 1:
        raise ValueError("requests must be at least 1")
    clients = clients_logged_in(subjects)
    # As in a worker (portal.wsgi): what the process holds now out of every full collection.
    objects_freeze()
    results = []
    for page in page_list if page_list is not None else pages():
        client = clients[page.audience]
        url = page.url(subjects)
        for _ in range(warmups):
            client.get(url)
        timings: list[float] = []
        counts: list[int] = []
        status = 0
        for _ in range(requests):
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                response = client.get(url)
                timings.append((time.perf_counter() - started) * 1000)
            counts.append(len(captured.captured_queries))
            status = response.status_code
        results.append(
            PageResult(
                label=page.label,
                path=url,
                audience=page.audience,
                status=status,
                queries=counts[-1],
                queries_min=min(counts),
                queries_max=max(counts),
                median_ms=statistics.median(timings),
                p95_ms=p95(timings),
                requests=requests,
            )
        )
    return results
