"""The cabinet as the demo person reads it: every page reached by following the cabinet's own
links (the Django test client) is read as visible text and fails on what a Russian reader
stumbles on (tests/ruwords.py): a noun that does not agree with its number, a «---------», an
amount not written «1 234,56 руб.», an English UI word (Not Found, Save, Cancel, None…)."""

import re
from collections import Counter, defaultdict

import pytest
from django.core.management import call_command

from portal.accounts.models import User
from tests.ruwords import problems, visible_text

pytestmark = pytest.mark.django_db

# Not pages of the cabinet, or not HTML: files, the admin, the emulators, leaving.
SKIP = re.compile(
    r"^/(admin|static|media|esia-emulator|rsa-emulator|api|_allauth|payments/webhooks)/"
    r"|logout|\.pdf$|/pdf/|/files/|/download|/data/|\.(png|jpg|zip|csv|xlsx)$"
)
PER_PATTERN = 2  # /policies/1/ and /policies/2/ read alike: two of each pattern are enough
MAX_PAGES = 200


def crawl(client) -> tuple[dict[str, set[str]], set[str]]:
    report: dict[str, set[str]] = defaultdict(set)
    seen: set[str] = set()
    queue = ["/"]
    per_pattern: Counter = Counter()
    while queue and len(seen) < MAX_PAGES:
        url = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        response = client.get(url)
        assert response.status_code < 500, url
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        text, links = visible_text(response.content.decode())
        for problem in problems(text):
            report[problem].add(url)
        for link in links:
            link = link.split("#")[0]
            if not link.startswith("/") or link.startswith("//") or SKIP.search(link):
                continue
            pattern = re.sub(r"\d+", "N", link.split("?")[0]) + ("?" if "?" in link else "")
            if link not in seen and per_pattern[pattern] < PER_PATTERN:
                per_pattern[pattern] += 1
                queue.append(link)
    return report, seen


@pytest.fixture
def demo_client(client):
    call_command("seed_demo", verbosity=0)
    client.force_login(User.objects.get(email="demo@example.com"))
    return client


def test_the_cabinet_reads_as_russian(demo_client):
    report, seen = crawl(demo_client)

    # the crawl reached the sections (not only the home page)
    for path in ("/policies/", "/cases/", "/copay/", "/appeals/", "/claims/", "/shop/"):
        assert path in seen, path
    assert not report, "\n".join(f"{p}: {sorted(urls)[:3]}" for p, urls in sorted(report.items()))


def test_the_dashboard_shows_what_waits_for_the_demo_person(demo_client):
    text, _ = visible_text(demo_client.get("/").content.decode())

    assert "Проверить наличие неоплаченных полисов" in text
    assert "Долг по со-оплате\n544\u00a0руб." in text and "Оплатить" in text
    assert "Полис ребёнка: Смирнова Мария Алексеевна" in text


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("Оплачено: 43 услуг", True),
        ("3 из 31 застрахованных", True),
        ("2 страховые случаи", True),
        ("Оплачено: 43 услуги", False),
        ("3 из 31 застрахованного", False),
        ("2 страховых случая", False),
        ("1 234,56 ₽", True),
        ("1 234,56\u00a0руб.", True),
        ("1\u00a0234,56\u00a0руб.", False),
        ("544,00\u00a0руб.", True),
        ("544\u00a0руб.", False),
        ("Выберите\n---------", True),
        ("Page Not Found", True),
        ("Диагноз J06.9 (ОРВИ), Visa •••• 4242", False),
        ("например 75 1234567\nПутешественник 2", False),  # a number ends a line: no agreement
    ],
)
def test_the_reader_catches_what_the_issue_names(text, found):
    assert bool(problems(text)) is found, problems(text)
