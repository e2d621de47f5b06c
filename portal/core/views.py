from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .health import health_report


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


@require_GET
@never_cache
def livez(request: HttpRequest) -> JsonResponse:
    """Liveness: the process answers. Checks nothing external (a database or Redis outage must
    not get every instance restarted; /healthz/ says which part is down)."""
    return JsonResponse({"status": "ok"})


@require_GET
def favicon(request: HttpRequest) -> HttpResponse:
    """/favicon.ico, which browsers ask for on pages that name no icon (a PDF, the emulators'
    pages): the portal's icon, not a 404."""
    return redirect(static("pwa/icon-192.png"), permanent=True)
