"""The cabinet's pages that span apps: the dashboard, the policy cards with their co-pay debt,
the person's data changes, download and deletion."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from policies.models import Policy
from policies.selectors import policies_for_user

from .selectors import policy_cards_for_user


def home(request: HttpRequest) -> HttpResponse:
    """The dashboard for a logged-in person, the landing page otherwise."""
    if not request.user.is_authenticated:
        return render(request, "core/landing.html")
    # Drafts (an unfinished purchase) have no card in «Мои полисы»: the dashboard leaves them out.
    policies = list(policies_for_user(request.user).exclude(status=Policy.Status.DRAFT))
    return render(request, "core/dashboard.html", {"policies": policies})


@login_required
def policy_list(request: HttpRequest) -> HttpResponse:
    found = policy_cards_for_user(request.user)
    return render(
        request,
        "policies/policy_list.html",
        {"policies": found.policies, "sections": found.sections, "has_unpaid": found.has_unpaid},
    )


@login_required
def policy_detail(request: HttpRequest, pk: int) -> HttpResponse:
    # All the person's cards are read (a fixed number of queries) so that a ВЗР policy opens
    # inside its DMS policy's card; someone else's id matches none of them: 404.
    found = policy_cards_for_user(request.user)
    card = next(
        (c for c in found.cards if pk in (c.policy.pk, c.companion.pk if c.companion else None)),
        None,
    )
    if card is None:
        raise Http404
    return render(request, "policies/policy_detail.html", {"card": card, "policy": card.policy})
