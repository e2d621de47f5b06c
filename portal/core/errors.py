"""Error pages in Russian, in the portal's layout, each with a way back: 400, 403, 404, 405, 500
and the CSRF failure (portal/urls.py names the handlers, CSRF_FAILURE_VIEW the last one).

The 500 page is rendered without the request's context processors or the user (they may be what
failed): a plain context of settings values, and a template that needs nothing else.

A GET of a page that only takes a POST (a form's result reloaded, a link to an action copied) is
sent to the page it belongs to: the nearest parent path that resolves (`/copay/7/card/` →
`/copay/`), with a message saying why; another method than GET gets the Russian 405 page.
"""

import logging
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseNotAllowed,
    HttpResponseRedirect,
    HttpResponseServerError,
)
from django.template import loader
from django.urls import Resolver404, resolve
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.csrf import requires_csrf_token

logger = logging.getLogger(__name__)

ADMIN_PREFIX = "/admin/"


def _back(request: HttpRequest) -> tuple[str, str]:
    """Where the page's «back» link leads: the admin's index for a staff page, the home page
    (the dashboard or the landing page) otherwise."""
    if request.path.startswith(ADMIN_PREFIX):
        return ADMIN_PREFIX, _("Вернуться в администрирование")
    return "/", _("Вернуться на главную")


def _previous(request: HttpRequest) -> str:
    """The page the person came from, if it is one of ours."""
    referer = request.headers.get("Referer", "")
    if referer and url_has_allowed_host_and_scheme(
        referer, allowed_hosts=set(settings.ALLOWED_HOSTS), require_https=request.is_secure()
    ):
        return referer
    return ""


def _render(request: HttpRequest, template: str, status: int, **context) -> HttpResponse:
    back_url, back_label = _back(request)
    body = loader.render_to_string(
        template,
        {
            "back_url": back_url,
            "back_label": back_label,
            "previous_url": _previous(request),
            **context,
        },
        request,
    )
    return HttpResponse(body, status=status)


@requires_csrf_token
def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    return _render(request, "errors/400.html", 400)


@requires_csrf_token
def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    return _render(request, "errors/403.html", 403)


@requires_csrf_token
def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    return _render(request, "errors/404.html", 404)


def method_not_allowed(request: HttpRequest, allowed: list[str]) -> HttpResponse:
    response = _render(request, "errors/405.html", 405)
    response["Allow"] = ", ".join(allowed)
    return response


@requires_csrf_token
def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    logger.warning("CSRF failure: %s %s (%s)", request.method, request.path, reason)
    return _render(request, "errors/csrf.html", 403, retry_url=request.path)


def server_error(request: HttpRequest) -> HttpResponse:
    body = loader.get_template("errors/500.html").render(
        {
            "PORTAL_NAME": settings.PORTAL_NAME,
            "INSURER_NAME": settings.INSURER_NAME,
            "HOTLINE_PHONE": settings.HOTLINE_PHONE,
            "HOTLINE_PHONE_DISPLAY": settings.HOTLINE_PHONE_DISPLAY,
            "back_url": _back(request)[0],
        }
    )
    return HttpResponseServerError(body)


def parent_page(path: str) -> str:
    """The nearest parent of `path` that is a page of the site ("/" at the latest)."""
    parts = [part for part in path.split("/") if part]
    while parts:
        parts.pop()
        candidate = "/" + "".join(f"{part}/" for part in parts)
        try:
            resolve(candidate)
        except Resolver404:
            continue
        return candidate
    return "/"


class MethodNotAllowedMiddleware:
    """A 405 answered to a GET or HEAD becomes a redirect to the page the action belongs to; to
    any other method, the Russian 405 page (Django's own is an empty body the browser shows as
    «HTTP ERROR 405»)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not isinstance(response, HttpResponseNotAllowed):
            return response
        view = getattr(request.resolver_match, "func", None)
        if getattr(view, "csrf_exempt", False):
            # An endpoint for programs (a provider's webhook, an emulated remote API), not a
            # page: its callers expect the plain 405 with its Allow header.
            return response
        allowed = [m.strip() for m in response.get("Allow", "").split(",") if m.strip()]
        if request.method in ("GET", "HEAD"):
            messages.info(
                request,
                _(
                    "Эта страница открывается только из формы. Вы на странице, к которой она "
                    "относится: начните отсюда."
                ),
                fail_silently=True,
            )
            return HttpResponseRedirect(parent_page(request.path))
        return method_not_allowed(request, allowed)
