"""Hostile input sweep: every form a person can reach answers bad input without a 500 and saves
nothing.

The demo data set is seeded once. For each actor (a visitor, the demo person, the HR manager and
the operator in the admin) the sweep crawls the site from the home page and from every URL pattern
without arguments: it follows the links of each HTML page (at most a few URLs per URL pattern) and
collects its forms. Every form is then sent with hostile values: 10,000 characters in every field
at once and in one field at a time (the others keep the page's values or a plausible one, so that
the hostile value reaches the service behind the form), and control characters the same way.
The answer is a page (200), a redirect (302) or a refusal (400, 403, 404, 405) — never a 500 —
and, for a form with a field a person types into, no row of any model is added or removed.

Each POST runs in a savepoint rolled back afterwards, so one form's POST never changes what the
next one sees; the cache (allauth's rate limits) is cleared before each.
"""

import copy
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from io import StringIO
from urllib.parse import urlencode, urljoin, urlsplit

import pytest
from django.apps import apps
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection, transaction
from django.test import Client
from django.urls import Resolver404, URLPattern, URLResolver, get_resolver, resolve

from portal.accounts.models import User
from tests.conftest import staff_login

pytestmark = pytest.mark.django_db

LONG = 10_000
INVISIBLE = "Иван\x1b[31mов\u202eвон\x07\x08\x7f\x9b\u2066"

# Rows a refused POST may legitimately write: sessions, failed-login records and the audit trail
# of staff reads (an admin form shown again with its errors reads the record again).
NOT_COUNTED = {
    "sessions.Session",
    "axes.AccessAttempt",
    "axes.AccessAttemptExpiration",
    "axes.AccessFailureLog",
    "axes.AccessLog",
    "core.AuditLogEntry",
}

# Pages not crawled: files and PDFs (rendering them is slow and they hold no form), the ESIA
# emulator (development only) and the ESIA login (it redirects to the emulator).
SKIP_PATH = re.compile(
    r"(\.pdf|\.ics|\.csv|\.xlsx|\.zip|/pdf/|/pdf/status/|/download/|/geojson/|/files/\d+/"
    r"|/documents/\d+/)$|^/(static|media|esia-emulator|healthz)/|^/accounts/esia/"
    r"|^/payments/webhooks/|^/accounts/logout/"
)
PER_ROUTE = 4  # URLs visited per URL pattern (of a list of 60 clinics, four clinic pages)
MAX_PAGES = 400

TEXT_TYPES = {"text", "email", "tel", "password", "number", "search", "url", "date", "textarea"}
# The demo accounts' secrets (portal/core/demo/logins.py): a baseline that logs in or confirms
# with them lets a hostile value in another field reach the service behind the form.
SECRETS = {
    "person": ("demo-pass-2026", "2580"),
    "hr": ("hr-pass-2026", ""),
    "operator": ("operator-pass-2026", ""),
    "visitor": ("", ""),
}
# Values a person would type, by the field's name (the first pattern that matches).
PLAUSIBLE = [
    (re.compile(r"email|login|recipient"), "new-person@example.com"),
    (re.compile(r"^(password[12]|pin[12]|new_password[12])$"), None),  # a new secret: below
    (re.compile(r"phone|tel"), "+79161234568"),
    (re.compile(r"passport_series"), "4511"),
    (re.compile(r"passport_number"), "654321"),
    (re.compile(r"code|otp|token"), "123456"),
    (re.compile(r"birth"), "12.04.1988"),
    (re.compile(r"date|_from|_to|since|until|_on$|day"), "12.04.2027"),
    (re.compile(r"policy|number"), "ДМС-0147-000900"),
    (re.compile(r"vin"), "XTA21099043512345"),
    (re.compile(r"plate"), "А123ВС77"),
    (re.compile(r"year"), "2020"),
    (re.compile(r"lat"), "55.75"),
    (re.compile(r"lon"), "37.61"),
    (re.compile(r"amount|sum|price|power|months|area|quantity|age|_hp"), "100"),
]
REQUIRED_BOX = re.compile(r"consent|agree|confirm|rules|accept")
# Choices a valid baseline needs that are not the first on the page.
BASELINE_CHOICES = {"/appeals/new/": {"kind": "question"}}


def plausible(f: "Field", actor: str) -> str:
    password, pin = SECRETS[actor]
    name = f.name.lower()
    if name in {"password", "oldpassword", "old_password"}:
        return password
    if name in {"pin", "c1-pin"} or name.endswith("-pin"):
        return pin
    if f.kind == "date":  # <input type=date> sends ISO dates
        return "1988-04-12" if "birth" in name else "2027-04-12"
    for pattern, value in PLAUSIBLE:
        if pattern.search(name):
            if value is None:
                return "2468" if "pin" in name else "Nadezhnyi-parol-2026"
            return value
    if f.kind == "number":
        return "100"
    return "Иванов"


@dataclass
class Field:
    name: str
    kind: str  # the input type, "textarea" or "select"
    value: str = ""
    options: list[str] = field(default_factory=list)


@dataclass
class Form:
    page: str
    action: str
    method: str
    fields: list[Field]

    def typed(self) -> list[Field]:
        """The fields a person types into or chooses from (not hidden, not buttons; not a
        checkbox either: any value of a box means «ticked»; not the empty form of an admin
        inline, which the admin ignores)."""
        return [
            f
            for f in self.fields
            if f.kind not in {"hidden", "submit", "button", "file", "image", "checkbox"}
            and "__prefix__" not in f.name
        ]

    def baseline(self, actor: str) -> dict[str, str]:
        data: dict[str, str] = {}
        for f in self.fields:
            if f.kind == "checkbox":  # the ticked ones, and the consents a form requires
                if f.name not in data and (f.value or REQUIRED_BOX.search(f.name)):
                    data[f.name] = f.value or f.options[0]
                continue
            if f.kind == "radio":  # the one checked, else the first
                if f.value or f.name not in data:
                    data[f.name] = f.value or f.options[0]
                continue
            if f.kind == "file" or f.name in data:
                continue
            if f.kind == "select":
                data[f.name] = f.value or next((o for o in f.options if o), "")
            elif f.value.strip():
                data[f.name] = f.value
            elif f.kind in TEXT_TYPES:
                data[f.name] = plausible(f, actor)
        return {**data, **BASELINE_CHOICES.get(urlsplit(self.action).path, {})}


class PageParser(HTMLParser):
    """Links and forms of a page, with the values the page puts in them."""

    def __init__(self, url: str):
        super().__init__(convert_charrefs=True)
        self.url = url
        self.links: list[str] = []
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._textarea: Field | None = None
        self._select: Field | None = None

    def handle_starttag(self, tag, attrs):
        attr = {k: (v or "") for k, v in attrs}
        if tag == "a" and attr.get("href"):
            self.links.append(urljoin(self.url, attr["href"]))
        elif tag == "form":
            action = urljoin(self.url, attr.get("action") or self.url)
            self._form = Form(self.url, action, (attr.get("method") or "get").lower(), [])
            self.forms.append(self._form)
        elif tag == "option" and self._select is not None:
            value = attr.get("value", "")
            self._select.options.append(value)
            if "selected" in attr:
                self._select.value = value
        elif self._form is None or not attr.get("name"):
            return
        elif tag == "input":
            kind = (attr.get("type") or "text").lower()
            checked = "checked" in attr
            value = attr.get("value", "on" if kind in {"checkbox", "radio"} else "")
            if kind in {"checkbox", "radio"} and not checked:
                # an unchecked box: the baseline leaves it out, the hostile POST fills it in
                self._form.fields.append(Field(attr["name"], kind, "", [value]))
            else:
                self._form.fields.append(Field(attr["name"], kind, value, [value]))
        elif tag == "button" and attr.get("value"):
            self._form.fields.append(Field(attr["name"], "submit", attr["value"]))
        elif tag == "textarea":
            self._textarea = Field(attr["name"], "textarea")
            self._form.fields.append(self._textarea)
        elif tag == "select":
            self._select = Field(attr["name"], "select")
            self._form.fields.append(self._select)

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea.value += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None


def _routes(resolver: URLResolver, prefix: str = "") -> Iterator[tuple[str, URLPattern]]:
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from _routes(entry, route)
        else:
            yield route, entry


def _route_of(path: str) -> str | None:
    try:
        match = resolve(path)
    except Resolver404:
        return None
    return match.route


def crawl(client: Client, actor: str, *, staff: bool) -> list[Form]:
    """Every form on the HTML pages the client can reach (the admin's for staff, the site's for
    the others)."""
    starts = ["/admin/"] if staff else ["/"]
    for route, pattern in _routes(get_resolver()):
        if not pattern.pattern.converters and not re.search(r"[<(^$]", route):
            starts.append("/" + route)
    queue, seen, per_route, forms = list(starts), set(), {}, []
    while queue and len(seen) < MAX_PAGES:
        url = queue.pop(0)
        parts = urlsplit(url)
        if parts.netloc not in ("", "testserver") or parts.scheme not in ("", "http"):
            continue
        path = parts.path
        # the cabinet's steps are queries («new claim»: ?policy=, then &event=); the admin's
        # queries are a list's filters and order, the same forms
        target = f"{path}?{parts.query}" if parts.query and not staff else path
        if target in seen or SKIP_PATH.search(path) or path.startswith("/admin/") != staff:
            continue
        if staff and re.search(r"/(delete|history)/$|/logout/$|/password/$", path):
            continue
        route = _route_of(path)
        if route is None or per_route.get(route, 0) >= PER_ROUTE:
            continue
        seen.add(target)
        per_route[route] = per_route.get(route, 0) + 1
        response = client.get(target)
        if response.status_code in (301, 302):
            queue.append(urljoin(target, response["Location"]))
            continue
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        parser = PageParser("http://testserver" + target)
        parser.feed(response.content.decode())
        queue += parser.links
        # a GET form is a step to the next page (the policy, then the event of a new claim)
        queue += [
            f"{urlsplit(form.action).path}?{urlencode(form.baseline(actor))}"
            for form in parser.forms
            if form.method == "get" and form.fields
        ]
        forms += [form for form in parser.forms if form.fields or form.method == "post"]
    return _distinct(forms)


def _distinct(forms: list[Form]) -> list[Form]:
    """One form per (URL pattern of its action, method, field names)."""
    kept: dict[tuple, Form] = {}
    for form in forms:
        path = urlsplit(form.action).path
        if SKIP_PATH.search(path):
            continue
        key = (_route_of(path), form.method, tuple(sorted(f.name for f in form.fields)))
        kept.setdefault(key, form)
    return list(kept.values())


ACTORS = {
    "visitor": None,
    "person": "demo@example.com",
    "hr": "hr@example.com",
    "operator": "operator@example.com",
}


def _client(actor: str) -> Client:
    client = Client()
    email = ACTORS[actor]
    if email is None:
        return client
    user = User.objects.get(email=email)
    if user.is_staff:
        return staff_login(client, user)
    client.force_login(user)
    return client


@pytest.fixture(scope="module")
def sweep(django_db_setup, django_db_blocker) -> Iterator[dict[str, list[Form]]]:
    """The demo data and each actor's forms, in one transaction rolled back at the end."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_demo", stdout=StringIO())
        found = {}
        for actor in ACTORS:
            with transaction.atomic():
                found[actor] = crawl(_client(actor), actor, staff=actor in ("hr", "operator"))
                transaction.set_rollback(True)
        yield found
        transaction.set_rollback(True)


COUNTED = [
    model
    for model in apps.get_models()
    if model._meta.label not in NOT_COUNTED and model._meta.managed and not model._meta.proxy
]


def row_counts() -> dict[str, int]:
    """The row count of every table, in one query."""
    quote = connection.ops.quote_name
    # the table names are the models', quoted: no input reaches this SQL
    counts = ", ".join(f"(SELECT COUNT(*) FROM {quote(m._meta.db_table)})" for m in COUNTED)  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {counts}")
        row = cursor.fetchone()
    return {m._meta.label: n for m, n in zip(COUNTED, row, strict=True)}


def hostile_long(f: Field) -> str:
    if f.kind == "email" or re.search(r"email|login", f.name):
        # Past the model's 254 but within the 320 of Django's EmailValidator: a longer address
        # is refused by the validator before any limit of ours is tried.
        return "a" * 64 + "@" + ("b" * 62 + ".") * 3 + "c" * 40 + ".ru"
    if f.kind in {"number", "tel"} or re.search(r"phone|pin|code|amount|year", f.name):
        return "9" * LONG
    return "Ж" * LONG


def hostile_nul(f: Field) -> str:
    """NUL: PostgreSQL's text columns cannot store it (psycopg refuses the query)."""
    if f.kind == "email" or re.search(r"email|login", f.name):
        return "new\x00@example.com"
    return "Иван\x00ов"


def hostile_invisible(f: Field) -> str:
    """Escape sequences, C1 controls and a bidirectional override: invisible, never typed."""
    if f.kind == "email" or re.search(r"email|login", f.name):
        return "new\u202e@example.com"
    return INVISIBLE


def submissions(form: Form, hostile, actor: str) -> Iterator[tuple[str, dict[str, str]]]:
    """Every field hostile at once, then each typed field alone on top of the baseline."""
    everything = {f.name: hostile(f) for f in form.fields if f.name != "csrfmiddlewaretoken"}
    yield "все поля", everything
    baseline = form.baseline(actor)
    for f in form.typed():
        yield f.name, {**baseline, f.name: hostile(f)}


def send(client: Client, form: Form, data: dict[str, str]):
    parts = urlsplit(form.action)
    if form.method == "post":
        return client.post(f"{parts.path}?{parts.query}" if parts.query else parts.path, data)
    return client.get(parts.path, data)


@pytest.mark.parametrize(
    "hostile", [hostile_long, hostile_nul, hostile_invisible], ids=["long", "nul", "invisible"]
)
@pytest.mark.parametrize("actor", list(ACTORS))
def test_hostile_input_is_refused_without_a_500(sweep, actor, hostile):
    failures = []
    client = _client(actor)
    cookies = client.cookies
    for form in sweep[actor]:
        counted = bool(form.typed())
        for name, data in submissions(form, hostile, actor):
            cache.clear()
            client.cookies = copy.deepcopy(cookies)  # a logout form ends the session
            with transaction.atomic():
                before = row_counts()
                try:
                    status = send(client, form, data).status_code
                except Exception as error:  # noqa: BLE001  (the sweep lists every failure)
                    failures.append(f"{form.method} {form.action} [{name}]: {error!r:.300}")
                    transaction.set_rollback(True)
                    continue
                after = row_counts()
                transaction.set_rollback(True)
            if status not in (200, 302, 400, 403, 404, 405):
                failures.append(f"{form.method} {form.action} [{name}]: {status}")
            changed = {k: after[k] - before[k] for k in before if after[k] != before[k]}
            if counted and form.method == "post" and changed:
                failures.append(f"{form.method} {form.action} [{name}]: saved {changed}")
    assert failures == [], "\n".join(failures)


def test_the_sweep_reaches_the_forms_people_use(sweep):
    actions = {
        actor: {(form.method, urlsplit(form.action).path) for form in forms}
        for actor, forms in sweep.items()
    }
    assert {("post", "/accounts/signup/"), ("post", "/accounts/login/")} <= actions["visitor"]
    person = {path for method, path in actions["person"] if method == "post"}
    for expected in ("/profile/edit/", "/appeals/new/", "/policies/add/", "/profile/pin/"):
        assert expected in person, expected
    assert len(sweep["person"]) >= 20
    assert sweep["hr"] and sweep["operator"]
