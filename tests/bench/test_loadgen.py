"""The load generator's measured requests (http.client): every page of every client is requested
with its audience's cookies, the body read, the status recorded, whether the server keeps the
connection open or closes it after each response (gunicorn's sync workers)."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote

import pytest
import requests

from bench.loadgen import drive


class Recorder(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    seen: list[tuple[str, str]] = []
    close = False

    def do_GET(self):  # noqa: N802  (http.server's name)
        cookies = sorted(self.headers.get("Cookie", "").split("; "))
        type(self).seen.append((unquote(self.path), "; ".join(cookies)))
        body = b"x" * 5000
        self.send_response(404 if self.path.startswith("/missing") else 200)
        self.send_header("Content-Length", str(len(body)))
        if type(self).close:
            self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.mark.parametrize("close", [False, True])
def test_every_page_of_every_client_is_requested_with_its_cookies(close):
    Recorder.seen = []
    Recorder.close = close
    server = ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        person, hr = requests.Session(), requests.Session()
        person.cookies.set("sessionid", "p1")
        hr.cookies.set("sessionid", "h1")
        hr.cookies.set("csrftoken", "t")
        pages = [
            {"label": "Главная", "path": "/", "audience": "person"},
            {"label": "Поиск", "path": "/admin/?q=Проверкин", "audience": "hr"},
            {"label": "Нет", "path": "/missing/", "audience": "person"},
        ]
        base_url = f"http://127.0.0.1:{server.server_port}"
        samples, wall = drive(base_url, {"person": person, "hr": hr}, pages, clients=4, rounds=2)
    finally:
        server.shutdown()
        server.server_close()
    assert len(samples) == 4 * 2 * 3
    assert wall > 0
    assert {(s[0], s[1], s[3]) for s in samples} == {
        ("Главная", "person", 200),
        ("Поиск", "hr", 200),
        ("Нет", "person", 404),
    }
    assert all(s[2] > 0 for s in samples)
    assert sorted(set(Recorder.seen)) == [
        ("/", "sessionid=p1"),
        ("/admin/?q=Проверкин", "csrftoken=t; sessionid=h1"),
        ("/missing/", "sessionid=p1"),
    ]


def test_a_server_that_is_gone_is_counted_as_failed_requests():
    with ThreadingHTTPServer(("127.0.0.1", 0), Recorder) as server:
        port = server.server_port  # closed again: nothing listens there
    pages = [{"label": "Главная", "path": "/", "audience": "person"}]
    samples, _wall = drive(
        f"http://127.0.0.1:{port}", {"person": requests.Session()}, pages, clients=2, rounds=1
    )
    assert [s[3] for s in samples] == [0, 0]
