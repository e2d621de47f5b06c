"""Browser journeys: Playwright driving Debian's Chromium (headless) against the live server.

Chromium comes from Debian (`apt-get install chromium`; `make test` and `.ci/run` install it);
Playwright cannot download its own browser here. Without Chromium the journeys are skipped, except
when E2E_REQUIRED is set (CI), where its absence is a failure.
"""

import json
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
AXE_SCRIPT = Path(__file__).parent / "vendor" / "axe.min.js"
AXE_FAILING_IMPACTS = ("serious", "critical")
AXE_CSP_NOISE = "Applying inline style violates the following Content Security Policy"
# Parts of a page that are not ours: the card form is the payment provider's (an iframe of
# Stripe's in production; localstripe's fake Stripe.js draws bare inputs in its place), and the
# map's tile layer is the tile server's pictures.
AXE_EXCLUDE = ["#card-element", ".leaflet-tile-pane"]


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


def axe_violations(page) -> list[dict]:
    """axe-core's serious and critical violations on the page as it is now.

    The script is evaluated through the DevTools protocol (page.evaluate), which the portal's
    CSP does not govern: a <script> tag added to the page would be refused, as it should be."""
    errors = getattr(page, "errors", [])
    errors_before = len(errors)
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE_SCRIPT.read_text(encoding="utf-8"))
    results = page.evaluate(
        """async (exclude) => await axe.run(
            {exclude: exclude.map((selector) => [selector])},
            {resultTypes: ["violations"]},
        )""",
        AXE_EXCLUDE,
    )
    # axe's own probes set inline styles on some pages, which the CSP refuses (and reports as a
    # console error): those are the checker's, not the page's.
    errors[errors_before:] = [e for e in errors[errors_before:] if not e.startswith(AXE_CSP_NOISE)]
    return [v for v in results["violations"] if v["impact"] in AXE_FAILING_IMPACTS]


def axe_report(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        targets = [json.dumps(node["target"], ensure_ascii=False) for node in violation["nodes"]]
        lines.append(
            f"{violation['id']} ({violation['impact']}): {violation['help']} — "
            f"{', '.join(targets[:8])}{' …' if len(targets) > 8 else ''}"
        )
    return "\n".join(lines)


def axe_check(page) -> None:
    """Fail on any serious or critical accessibility violation axe-core finds on the page."""
    violations = axe_violations(page)
    assert not violations, f"axe-core на {page.url}:\n{axe_report(violations)}"


def screenshot(page, name: str) -> Path:
    """Save a full-page screenshot as a CI artifact (tests/e2e/artifacts/, ignored by git), and
    check the page with axe-core: every page a journey shows is checked for accessibility."""
    ARTIFACTS.mkdir(exist_ok=True)
    width = page.viewport_size["width"]
    path = ARTIFACTS / f"{name}-{width}.png"
    page.screenshot(path=str(path), full_page=True)
    axe_check(page)
    return path


def horizontal_overflow(page) -> list[str]:
    """What sticks out of the page sideways (the page scrolls horizontally): the document wider
    than the window, and the outermost elements whose right edge passes it."""
    return page.evaluate(
        """() => {
            const width = document.documentElement.clientWidth;
            if (document.documentElement.scrollWidth <= width + 1) return [];
            const out = [];
            for (const el of document.body.querySelectorAll("*")) {
                const box = el.getBoundingClientRect();
                if (box.width === 0 || box.right <= width + 1) continue;
                if (el.parentElement && el.parentElement.getBoundingClientRect().right > width + 1)
                    continue;
                let label = el.tagName.toLowerCase();
                if (el.id) label += "#" + el.id;
                if (el.classList.length) label += "." + [...el.classList].join(".");
                out.push(`${label} (${Math.round(box.right)} px > ${width} px)`);
                if (out.length >= 8) break;
            }
            return out.length ? out : [`document ${document.documentElement.scrollWidth} px`];
        }"""
    )


def screenshot_checked(page, name: str) -> Path:
    """screenshot(), and fail when the page scrolls sideways at this width."""
    path = screenshot(page, name)
    overflow = horizontal_overflow(page)
    width = page.viewport_size["width"]
    assert not overflow, f"{page.url} при {width} px прокручивается вбок: {overflow}"
    return path


def log_in(page, email: str, password: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Электронная почта").fill(email)
    page.get_by_label("Пароль").fill(password)
    page.get_by_role("button", name="Войти").click()
    page.wait_for_url("**/")
