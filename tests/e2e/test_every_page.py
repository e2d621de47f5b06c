"""Every cabinet page of the demo person at 360 px and 1280 px: a screenshot of each (in
tests/e2e/artifacts/), checked by axe-core, and no page scrolls sideways."""

import pytest

from .conftest import DEMO_LOGIN, DESKTOP, PHONE, log_in, screenshot_checked

# Each section of the sidebar and the pages a person opens from them.
PAGES = [
    ("/", "home"),
    ("/policies/", "policies"),
    ("/policies/add/", "policy-add"),
    ("/policies/add-child/", "policy-add-child"),
    ("/policies/activate/", "policy-activate"),
    ("/clinics/", "clinics"),
    ("/clinics/map/", "clinics-map"),
    ("/appointments/", "appointments"),
    ("/cases/", "cases"),
    ("/claims/", "claims"),
    ("/appeals/", "appeals"),
    ("/appeals/new/", "appeal-new"),
    ("/guarantee-letters/", "guarantee-letters"),
    ("/copay/", "copay"),
    ("/documents/", "documents"),
    ("/profile/", "profile"),
    ("/profile/consents/", "consents"),
    ("/offers/", "offers"),
    ("/shop/", "shop"),
]


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_every_cabinet_page_fits_the_screen(demo_data, page_factory, viewport):
    page = page_factory(viewport)
    log_in(page, *DEMO_LOGIN)
    failures = []
    for path, name in PAGES:
        page.goto(path)
        try:
            screenshot_checked(page, f"page-{name}")
        except AssertionError as error:
            failures.append(str(error))
    assert not failures, "\n".join(failures)
