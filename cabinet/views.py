"""The cabinet's pages that span apps: the dashboard, the policy cards with their co-pay debt,
the person's data changes, download and deletion."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from policies.models import Policy
from policies.selectors import policies_for_user


def home(request: HttpRequest) -> HttpResponse:
    """The dashboard for a logged-in person, the landing page otherwise."""
    if not request.user.is_authenticated:
        return render(request, "core/landing.html")
    # Drafts (an unfinished purchase) have no card in «Мои полисы»: the dashboard leaves them out.
    policies = list(policies_for_user(request.user).exclude(status=Policy.Status.DRAFT))
    return render(request, "core/dashboard.html", {"policies": policies})
