"""Who calls the API: the session token of allauth's headless login for apps (X-Session-Token),
checked by allauth's own ninja security class; each person's calls are counted by the portal's
limiter like the pages' actions (portal.core.ratelimits)."""

from allauth.headless.contrib.ninja.security import XSessionTokenAuth
from ninja.errors import Throttled

from portal.core.ratelimits import rate_limit_hit


class SessionTokenAuth(XSessionTokenAuth):
    openapi_in = "header"
    openapi_name = "X-Session-Token"
    openapi_description = (
        "Токен сессии из ответа входа /_allauth/app/v1/auth/login (meta.session_token) "
        "или из шагов входа /api/v1/auth/…"
    )

    def __call__(self, request):
        user = super().__call__(request)
        # the API is the insured persons': staff work in the admin, behind their second factor
        if user is None or not user.is_active or user.is_staff:
            return None
        if not rate_limit_hit("api_user", key=f"api:{user.pk}"):
            raise Throttled(wait=60)
        return user


session_token = SessionTokenAuth()
