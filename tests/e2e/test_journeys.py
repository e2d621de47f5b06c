"""Journeys the feature files do not walk, and the accessibility sweep of every page of the
cabinet: each page at a 360 px phone width and at a desktop width, checked with axe-core."""

import pytest
from django.urls import reverse

from claims.models import Claim
from clinics.models import Clinic
from feedback.models import Appeal
from policies.models import Policy
from policies.services import policy_verify_token_ensure

from .conftest import DEMO_LOGIN, DESKTOP, PHONE, axe_report, axe_violations, log_in

VIEWPORTS = pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])

PUBLIC_PAGES = (
    "/",
    "/accounts/login/",
    "/accounts/signup/",
    "/accounts/password/reset/",
    "/accounts/esia/login/",
    "/admin/login/",
)
CABINET_PAGES = (
    "/",
    "/profile/",
    "/profile/edit/",
    "/profile/pin/",
    "/profile/phone/",
    "/profile/delete/",
    "/policies/",
    "/policies/add/",
    "/policies/add-child/",
    "/policies/activate/",
    "/documents/",
    "/clinics/",
    "/clinics/map/",
    "/appointments/",
    "/cases/",
    "/claims/",
    "/claims/new/",
    "/appeals/",
    "/appeals/new/",
    "/copay/",
    "/copay/terms/",
    "/shop/",
    "/shop/osago/",
    "/shop/kasko/",
    "/shop/property/",
    "/shop/accident/",
    "/shop/oncology/",
    "/offers/",
    "/guarantee-letters/",
)


def demo_object_pages() -> list[str]:
    owner = DEMO_LOGIN[0]
    policy = Policy.objects.filter(insured_person__links__user__email=owner).first()
    return [
        reverse("policies:detail", args=[policy.pk]),
        reverse("clinic_detail", args=[Clinic.objects.filter(online_booking=True).first().pk]),
        reverse("claims:detail", args=[Claim.objects.filter(policy__holder__email=owner)[0].pk]),
        *[reverse("appeal_detail", args=[a.pk]) for a in Appeal.objects.filter(user__email=owner)],
        reverse("policy_verify", args=[policy_verify_token_ensure(policy=policy)]),
    ]


def pages_violations(page, paths) -> list[str]:
    found = []
    for path in paths:
        page.goto(path)
        violations = axe_violations(page)
        if violations:
            found.append(f"{path}:\n{axe_report(violations)}")
    return found


@VIEWPORTS
def test_every_page_passes_axe(demo_data, page_factory, viewport):
    # given: a visitor, then the demo person
    visitor = page_factory(viewport)
    person = page_factory(viewport)
    log_in(person, *DEMO_LOGIN)

    # when: each page is opened and checked
    found = pages_violations(visitor, PUBLIC_PAGES)
    found += pages_violations(person, [*CABINET_PAGES, *demo_object_pages()])

    # then
    assert not found, "\n\n".join(found)
