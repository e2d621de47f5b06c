"""The API of the store apps, /api/v1/ (django-ninja: typed endpoints over the same selectors and
services as the pages, the OpenAPI 3 schema made from them, and allauth's own security class
for its headless session tokens). Every object endpoint reads through a selector scoped to the
caller: another person's id is a 404, as on the pages (tests/core/test_access_sweep.py)."""

from ninja import NinjaAPI
from ninja.renderers import JSONRenderer

from . import (
    account,
    appeals,
    appointments,
    auth,
    cases,
    claims,
    clinics,
    copay,
    errors,
    esia,
    policies,
)
from .security import session_token


class RussianJSONRenderer(JSONRenderer):
    json_dumps_params = {"ensure_ascii": False}  # Russian text as it is, not as \u escapes


api = NinjaAPI(
    renderer=RussianJSONRenderer(),
    title="Личный кабинет застрахованного — API для мобильных приложений",
    version="1",
    description=(
        "Вход: /_allauth/app/v1/auth/login (e-mail и пароль) — токен сессии из meta.session_token "
        "передаётся в заголовке X-Session-Token; вход через Госуслуги — /api/v1/auth/esia/start, "
        "…/callback и …/signup. Ошибки — JSON: detail (по-русски), errors (поле → сообщения), "
        "fields (поле → подпись). Списки — по курсору: next."
    ),
    urls_namespace="api",
    auth=session_token,
    docs_url="/docs/",
    openapi_url="/openapi.json",
)
errors.install(api)

api.add_router("/auth/esia/", esia.router)
api.add_router("/auth/", auth.router)
api.add_router("/policies/", policies.router)
api.add_router("/clinics/", clinics.router)
api.add_router("/appointments/", appointments.router)
api.add_router("/cases/", cases.router)
api.add_router("/appeals/", appeals.router)
api.add_router("/copay/", copay.router)
api.add_router("/claims/", claims.router)
api.add_router("/", account.router)
