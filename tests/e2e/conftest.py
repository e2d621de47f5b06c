"""Browser journeys: Playwright driving Debian's Chromium (headless) against the live server.

Chromium comes from Debian (`apt-get install chromium`; `make test` and `.ci/run` install it);
Playwright cannot download its own browser here. Without Chromium the journeys are skipped, except
when E2E_REQUIRED is set (CI), where its absence is a failure.
"""

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.management import call_command

# Playwright's sync API keeps an event loop in the main thread; Django's ORM calls made by the
# test body (not by the live server's thread) would be refused as "async unsafe" otherwise.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(__file__).parent / "artifacts"
PHONE = {"width": 360, "height": 780}
DESKTOP = {"width": 1280, "height": 900}
DEMO_LOGIN = ("demo@example.com", "demo-pass-2026")


def pytest_collection_modifyitems(config, items):
    for item in items:
        if Path(str(item.fspath)).parent == Path(__file__).parent:
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        message = f"Chromium не найден ({CHROMIUM}): apt-get install chromium"
        if os.environ.get("E2E_REQUIRED"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def demo_data(transactional_db) -> None:
    call_command("seed_demo", verbosity=0)


class PageErrors(list):
    """Console errors and failed requests of a page (a CSP violation shows up here)."""


@pytest.fixture
def page_factory(browser, live_server) -> Iterator:
    contexts = []

    def make(viewport: dict = DESKTOP):
        context = browser.new_context(viewport=viewport, locale="ru-RU", base_url=live_server.url)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        errors = PageErrors()
        page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.errors = errors
        return page

    yield make
    for context in contexts:
        context.close()


def screenshot(page, name: str) -> Path:
    """Save a full-page screenshot as a CI artifact (tests/e2e/artifacts/, ignored by git)."""
    ARTIFACTS.mkdir(exist_ok=True)
    width = page.viewport_size["width"]
    path = ARTIFACTS / f"{name}-{width}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def log_in(page, email: str, password: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Электронная почта").fill(email)
    page.get_by_label("Пароль").fill(password)
    page.get_by_role("button", name="Войти").click()
    page.wait_for_url("**/")
