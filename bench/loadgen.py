"""`python -m bench.loadgen PLAN.json`: the load generator of the concurrency figure.

A process of its own, without Django: it logs in over HTTP as the bench person (e-mail and
password) and as the HR manager (and their TOTP code, as the admin asks), keeps the cookies, then
runs `clients` threads that each request every page of the plan `rounds` times (each thread from
its own starting page, so that all pages are in flight at once), and prints one JSON object:
every request's page, time and status, and the wall time. bench.load starts it against gunicorn.

The plan: {"base_url", "clients", "rounds", "warm_clients", "logins": {audience: {"email",
"password", "totp_secret"?, "check"?}}, "pages": [{"label", "path", "audience"}]}.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import http.client
import json
import re
import struct
import sys
import threading
import time
from urllib.parse import quote, urlsplit

import requests

TIMEOUT = 30


def totp(secret: str, at: float | None = None) -> str:
    """RFC 6238: six digits, 30-second steps, HMAC-SHA1 (what allauth.mfa checks)."""
    key = base64.b32decode(secret.upper() + "=" * (-len(secret) % 8))
    counter = struct.pack(">Q", int((time.time() if at is None else at) // 30))
    digest = hmac.new(key, counter, hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    code = (struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF) % 1_000_000
    return f"{code:06d}"


def _csrf_post(session: requests.Session, url: str, data: dict) -> requests.Response:
    page = session.get(url, timeout=TIMEOUT)
    page.raise_for_status()
    token = session.cookies.get("csrftoken")
    if token is None:
        found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        token = found.group(1) if found else ""
    return session.post(
        url,
        data={**data, "csrfmiddlewaretoken": token},
        headers={"Referer": url},
        timeout=TIMEOUT,
    )


def log_in(base_url: str, login: dict) -> requests.Session:
    """A session logged in through the site's own forms: allauth's login, then its TOTP step
    for staff. Raises when the site does not let the user in."""
    session = requests.Session()
    response = _csrf_post(
        session,
        f"{base_url}/accounts/login/",
        {"login": login["email"], "password": login["password"]},
    )
    if "/2fa/" in response.url:
        response = _csrf_post(session, response.url, {"code": totp(login["totp_secret"])})
    check = session.get(f"{base_url}{login.get('check', '/')}", timeout=TIMEOUT)
    if check.status_code != 200 or "/accounts/" in check.url:
        raise RuntimeError(f"login of {login['email']} failed: ended at {check.url}")
    return session


def _cookie_header(session: requests.Session) -> str:
    return "; ".join(f"{cookie.name}={cookie.value}" for cookie in session.cookies)


def _get(connection: http.client.HTTPConnection, path: str, cookie: str) -> int:
    """One GET, the body read to its last byte (the latency is end to end); the connection is
    reopened by http.client when the server closed it (gunicorn's sync workers close each one)."""
    connection.request(
        "GET", quote(path, safe="/?=&%+:"), headers={"Cookie": cookie, "Accept": "text/html"}
    )
    response = connection.getresponse()
    response.read()
    if response.will_close:
        connection.close()
    return response.status


def drive(base_url: str, sessions: dict, pages: list[dict], *, clients: int, rounds: int):
    """`clients` threads, each requesting every page `rounds` times from its own starting page;
    returns the samples (label, audience, ms, status: 0 when the request failed) and the wall
    time from the moment all threads were ready.

    The measured requests go through `http.client` (one connection per thread, the audiences'
    cookies in a fixed header), not `requests`: `requests` spends 1-2 ms of CPU per request on
    its own machinery, and on a 2-core machine that CPU is taken from the server under test.
    The time of a request is still end to end: from sending it to its body's last byte."""
    samples: list[tuple[str, str, float, int]] = []
    lock = threading.Lock()
    start = threading.Barrier(clients + 1)
    address = urlsplit(base_url)
    cookies = {audience: _cookie_header(session) for audience, session in sessions.items()}

    def client(n: int) -> None:
        connection = http.client.HTTPConnection(address.hostname, address.port, timeout=TIMEOUT)
        mine = []
        start.wait()
        for r in range(rounds):
            for i in range(len(pages)):
                page = pages[(n * 7 + r + i) % len(pages)]
                started = time.perf_counter()
                try:
                    status = _get(connection, page["path"], cookies[page["audience"]])
                except (OSError, http.client.HTTPException):
                    connection.close()
                    status = 0
                elapsed = (time.perf_counter() - started) * 1000
                mine.append((page["label"], page["audience"], elapsed, status))
        connection.close()
        with lock:
            samples.extend(mine)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - began
    if len(samples) != clients * rounds * len(pages):  # a thread died: its traceback is above
        raise RuntimeError(f"{len(samples)} samples of {clients * rounds * len(pages)}")
    return samples, wall


def run(plan: dict) -> dict:
    """Log in, warm every server worker with one unmeasured round (`warm_clients` threads),
    then the measured run."""
    base_url = plan["base_url"].rstrip("/")
    sessions = {audience: log_in(base_url, login) for audience, login in plan["logins"].items()}
    pages = [p for p in plan["pages"] if p["audience"] in sessions]
    if plan.get("warm_clients"):
        drive(base_url, sessions, pages, clients=plan["warm_clients"], rounds=1)
    samples, wall = drive(base_url, sessions, pages, clients=plan["clients"], rounds=plan["rounds"])
    return {"wall_seconds": wall, "clients": plan["clients"], "samples": samples}


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    with open(args[0], encoding="utf-8") as handle:
        plan = json.load(handle)
    json.dump(run(plan), sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
