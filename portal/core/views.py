from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from policies.models import Policy
from policies.selectors import policies_for_user

from .health import health_report


def home(request: HttpRequest) -> HttpResponse:
    """The dashboard for a logged-in person, the landing page otherwise."""
    if not request.user.is_authenticated:
        return render(request, "core/landing.html")
    # Drafts (an unfinished purchase) have no card in «Мои полисы»: the dashboard leaves them out.
    policies = list(policies_for_user(request.user).exclude(status=Policy.Status.DRAFT))
    return render(request, "core/dashboard.html", {"policies": policies})


@login_required
def section_pending(request: HttpRequest, title: str) -> HttpResponse:
    """A cabinet section that is not built yet says so plainly (no dead links in the menu)."""
    return render(request, "core/section_pending.html", {"title": title})


@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    healthy, report = health_report()
    return JsonResponse(
        {"status": "ok" if healthy else "down", "checks": report}, status=200 if healthy else 503
    )
