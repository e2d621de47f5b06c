"""The installable app (PWA): the manifest, the service worker at the site's root (scope `/`),
the offline page, and the e-card of a DMS policy that the service worker keeps for a reception
desk without signal.

What the service worker may keep is decided here, on the server: a page it may store carries
`X-Portal-Offline: keep`, and every page of a logged-in person carries `X-Portal-Person`, an
opaque id, so that a page of another person on the same device clears the previous person's
copies (static/pwa/sw.js). No page with diagnoses or the service history is ever marked."""

import hashlib
import hmac
import json
from functools import cache

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.contrib.staticfiles import finders
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import get_template
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from clinics.selectors import appointment_lists
from policies.models import Policy
from policies.pdf.qr import qr_svg_data_uri
from policies.services import policy_verify_token_ensure

from .selectors import policy_cards_for_user

KEEP_HEADER = "X-Portal-Offline"
PERSON_HEADER = "X-Portal-Person"
# What the app works offline with: its shell, the pages' styles and scripts.
PRECACHED_STATIC = (
    "css/portal.css",
    "portal/shell.js",
    "portal/favicon.svg",
    "vendor/htmx/htmx.min.js",
    "policies/cards.js",
    "pwa/register.js",
    "pwa/icon-192.png",
)


def person_id(user) -> str:
    """An opaque id of the person for the service worker (not the database id)."""
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, f"pwa-person:{user.pk}".encode(), hashlib.sha256).hexdigest()[:32]


def keep_offline(response: HttpResponse) -> HttpResponse:
    response[KEEP_HEADER] = "keep"
    return response


class PersonHeaderMiddleware:
    """Names the logged-in person on each page (X-Portal-Person) for the service worker."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not user.is_staff:
            response[PERSON_HEADER] = person_id(user)
        return response


@cache
def static_version() -> str:
    """Changes whenever the service worker or a precached file changes: a new cache of them."""
    digest = hashlib.sha256()
    paths = [get_template("pwa/sw.js").origin.name]
    paths += [finders.find(name) for name in PRECACHED_STATIC]
    for path in paths:
        if path:
            with open(path, "rb") as file:
                digest.update(file.read())
    return digest.hexdigest()[:12]


@require_GET
def manifest(request: HttpRequest) -> JsonResponse:
    data = {
        "name": settings.PORTAL_NAME,
        "short_name": settings.PWA_SHORT_NAME,
        "description": "Полисы, электронная карта ДМС с QR-кодом, клиники и запись к врачу",
        "lang": "ru",
        "dir": "ltr",
        "start_url": reverse("policies:list") + "?source=pwa",
        "scope": "/",
        "id": "/",
        "display": "standalone",
        "orientation": "portrait",
        "theme_color": settings.PWA_THEME_COLOR,
        "background_color": settings.PWA_BACKGROUND_COLOR,
        "icons": [
            {"src": static("pwa/icon-192.png"), "sizes": "192x192", "type": "image/png"},
            {"src": static("pwa/icon-512.png"), "sizes": "512x512", "type": "image/png"},
            {
                "src": static("pwa/icon-maskable-512.png"),
                "sizes": "512x512",
                "type": "image/png",
                "purpose": "maskable",
            },
        ],
    }
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False})
    response["Content-Type"] = "application/manifest+json; charset=utf-8"
    return response


@require_GET
@cache_control(no_cache=True, max_age=0)
def service_worker(request: HttpRequest) -> HttpResponse:
    response = render(
        request,
        "pwa/sw.js",
        {
            "config": json.dumps(
                {
                    "version": static_version(),
                    "precache": [static(name) for name in PRECACHED_STATIC],
                    "staticUrl": settings.STATIC_URL,
                    "offlineUrl": reverse("pwa_offline"),
                    "logoutUrl": reverse("account_logout"),
                    "loginUrl": reverse("account_login"),
                    "iconUrl": static("pwa/icon-192.png"),
                    "keepHeader": KEEP_HEADER,
                    "personHeader": PERSON_HEADER,
                }
            )
        },
        content_type="text/javascript; charset=utf-8",
    )
    response["Service-Worker-Allowed"] = "/"
    return response


@require_GET
def offline(request: HttpRequest) -> HttpResponse:
    """What the app shows for a page it has not kept (the same for everyone: no person in it)."""
    return render(request, "pwa/offline.html", {})


@login_required
@require_GET
def policy_ecard(request: HttpRequest, pk: int) -> HttpResponse:
    """The DMS policy's e-card: what a clinic's reception asks for, and the QR code that
    /verify/<token>/ checks; the Пульс phone and the person's next visits. Kept offline."""
    found = policy_cards_for_user(request.user)
    card = next(
        (
            c
            for c in found.cards
            if c.policy.pk == pk and c.policy.product == Policy.Product.DMS and c.is_medical
        ),
        None,
    )
    if card is None:
        raise Http404
    token = policy_verify_token_ensure(policy=card.policy)
    verify_url = request.build_absolute_uri(reverse("policy_verify", args=[token]))
    visits = [
        a
        for a in appointment_lists(request.user).upcoming
        if a.insured_person_id == card.policy.insured_person_id
    ]
    response = render(
        request,
        "pwa/ecard.html",
        {
            "card": card,
            "policy": card.policy,
            "qr": qr_svg_data_uri(verify_url),
            "verify_url": verify_url,
            "visits": visits[:5],
            "saved_at": timezone.localtime(),
        },
    )
    return keep_offline(response)
