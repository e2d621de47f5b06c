"""The emulator's REST API of a person's data (/rs/prns/<oid>, its documents and contacts):
answered only to a bearer token the emulator issued, within its session and scope."""

from django.core.cache import cache
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .persons import BY_OID
from .views import ERRORS_ACCESS, _session_alive, _token_key

# --- /rs/prns: the person's data -------------------------------------------------------------


def _bearer(
    request: HttpRequest, oid: str, needs: set[str]
) -> tuple[set[str], JsonResponse | None]:
    header = request.headers.get("Authorization", "")
    scheme, _sep, value = header.partition(" ")
    if scheme != "Bearer" or not value:
        return set(), _unauthorized("invalid_request")
    # ESIA knows the tokens it issued: one it did not, an expired one, or one of an ended
    # session is refused
    claims = cache.get(_token_key(value))
    now = timezone.now().timestamp()
    if claims is None or claims["exp"] < now or not _session_alive(claims["urn:esia:sid"]):
        return set(), _unauthorized("invalid_token")
    scope = set(str(claims["scope"]).split())
    if str(claims["urn:esia:sbj_id"]) != oid or not scope & needs:
        return scope, JsonResponse(
            {"error": "access_denied", "error_description": ERRORS_ACCESS}, status=403
        )
    return scope, None


def _unauthorized(error: str) -> JsonResponse:
    response = JsonResponse({"error": error}, status=401)
    response["WWW-Authenticate"] = f'Bearer error="{error}"'
    return response


def _collection(request: HttpRequest, oid: str, kind: str, elements: list[dict]) -> JsonResponse:
    embed = request.GET.get("embed") == "(elements)"
    base = request.build_absolute_uri(request.path)
    items = elements if embed else [f"{base}/{e['id']}" for e in elements]
    return JsonResponse(
        {
            "stateFacts": ["hasSize"],
            "size": len(elements),
            "eTag": f"{kind}{oid}",
            "elements": items,
        }
    )


@never_cache
@require_GET
def person(request: HttpRequest, oid: str) -> JsonResponse:
    scope, refused = _bearer(request, oid, {"fullname", "birthdate", "gender", "snils", "inn"})
    if refused:
        return refused
    found = BY_OID.get(oid)
    if found is None:
        return JsonResponse(
            {"error": "access_denied", "error_description": ERRORS_ACCESS}, status=404
        )
    return JsonResponse(found.prns(scope))


@never_cache
@require_GET
def person_documents(request: HttpRequest, oid: str) -> JsonResponse:
    _scope, refused = _bearer(request, oid, {"id_doc"})
    if refused:
        return refused
    return _collection(request, oid, "docs", BY_OID[oid].docs())


@never_cache
@require_GET
def person_contacts(request: HttpRequest, oid: str) -> JsonResponse:
    scope, refused = _bearer(request, oid, {"mobile", "email", "contacts"})
    if refused:
        return refused
    return _collection(request, oid, "ctts", BY_OID[oid].ctts(scope))
