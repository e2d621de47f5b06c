"""The installable app in Chromium on a phone: the service worker keeps «Мои полисы» and the DMS
e-card with its QR code; after the portal's server is STOPPED (a service worker's own fetches
ignore the browser's offline switch, so the server really goes away) the app still shows them,
marked «сохранено …», and any other page is the offline page. Diagnoses are never kept, and
logging out forgets the person's pages."""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.db import connection

from tests.factories import (
    DEFAULT_PASSWORD,
    InsuredPersonFactory,
    PolicyFactory,
    PolicyLinkFactory,
    UserFactory,
)

from .conftest import PHONE, screenshot

ROOT = Path(__file__).resolve().parents[2]
PAGES_CACHE = "portal-pages"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def portal_server(transactional_db):
    """The portal in a process of its own, on the test database, that the test can stop."""
    port = _free_port()
    database = settings.DATABASES["default"]
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings.test",
        "DATABASE_URL": (
            f"postgres://{database['USER']}:{database.get('PASSWORD') or ''}@"
            f"{database['HOST'] or '127.0.0.1'}:{database['PORT'] or 5432}/"
            f"{connection.settings_dict['NAME']}"
        ),
        "PYTHONPATH": str(ROOT),
    }
    process = subprocess.Popen(  # noqa: S603 (our own manage.py, fixed arguments)
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload", "--insecure"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while True:
        try:
            urllib.request.urlopen(url + "/offline/", timeout=2)  # noqa: S310 (loopback)
            break
        except OSError:
            if time.monotonic() > deadline or process.poll() is not None:
                process.kill()
                pytest.fail("the portal's server did not start")
            time.sleep(0.5)
    yield url, process
    if process.poll() is None:
        process.kill()
        process.wait()


@pytest.fixture
def person(transactional_db):
    user = UserFactory(email="pwa@example.com")
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    insured = InsuredPersonFactory(
        last_name=user.last_name,
        first_name=user.first_name,
        middle_name=user.middle_name,
        birth_date=user.birth_date,
        email=user.email,
    )
    PolicyLinkFactory(user=user, insured_person=insured)
    policy = PolicyFactory(insured_person=insured)
    return user, policy


def _kept(page) -> list[str]:
    return page.evaluate(
        """async (name) => {
            const cache = await caches.open(name);
            return (await cache.keys()).map((request) => new URL(request.url).pathname);
        }""",
        PAGES_CACHE,
    )


def _wait_kept(page, path: str) -> None:
    for _attempt in range(60):
        if path in _kept(page):
            return
        time.sleep(0.25)
    pytest.fail(f"{path} was not kept: {_kept(page)}")


def _log_in(page, email: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Электронная почта").fill(email)
    page.get_by_label("Пароль").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Войти").click()
    page.wait_for_url("**/")


def test_the_installed_app_shows_the_e_card_with_its_qr_when_the_server_is_gone(
    browser, portal_server, person
):
    url, process = portal_server
    _user, policy = person
    from playwright.sync_api import expect

    context = browser.new_context(
        viewport=PHONE,
        is_mobile=True,
        has_touch=True,
        device_scale_factor=2,
        locale="ru-RU",
        base_url=url,
        service_workers="allow",
    )
    page = context.new_page()
    page.set_default_timeout(20_000)
    card = f"/policies/{policy.pk}/card/"

    # the app is installable: a manifest with its icons, a service worker controlling the pages
    _log_in(page, "pwa@example.com")
    manifest = page.evaluate("fetch('/manifest.webmanifest').then((r) => r.json())")
    assert manifest["display"] == "standalone" and manifest["short_name"]
    assert {i["sizes"] for i in manifest["icons"]} == {"192x192", "512x512"}
    page.goto("/policies/")
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.reload()  # now under the service worker: the page and its e-cards are kept
    _wait_kept(page, "/policies/")
    _wait_kept(page, card)

    # nothing of the service history is kept
    page.goto("/cases/")
    assert "/cases/" not in _kept(page)

    # logging out forgets the person's pages
    page.goto("/policies/")
    with page.expect_navigation():
        page.locator("form.topbar__logout").evaluate("(form) => form.requestSubmit()")
    page.wait_for_load_state()
    assert _kept(page) == []

    _log_in(page, "pwa@example.com")
    page.goto("/policies/")
    _wait_kept(page, card)

    # the server goes away, as at a clinic's reception without signal
    process.kill()
    process.wait()

    page.goto(card)
    expect(page.get_by_role("heading", name="Электронная карта ДМС")).to_be_visible()
    expect(page.get_by_text(f"№ {policy.number}")).to_be_visible()
    qr = page.get_by_role("img", name="QR-код для проверки полиса")
    expect(qr).to_be_visible()
    assert qr.get_attribute("src").startswith("data:image/svg+xml;base64,")
    expect(page.get_by_text("Нет связи: сохранено")).to_be_visible()
    screenshot(page, "pwa-ecard-offline")

    page.goto("/policies/?source=pwa")  # the app's start page
    expect(page.get_by_role("heading", name="Мои полисы")).to_be_visible()

    page.goto("/appeals/")
    expect(page.get_by_role("heading", name="Нет связи с сервером")).to_be_visible()
    screenshot(page, "pwa-offline-page")
    context.close()
