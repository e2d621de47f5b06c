"""Session security: the idle and absolute session limits, and 2FA for staff in the admin."""

import time
from urllib.parse import urlencode

from allauth.account.authentication import get_authentication_records
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

# Seconds since the epoch: when the session logged in, and when it was last seen.
LOGIN_AT_KEY = "portal_login_at"
SEEN_AT_KEY = "portal_seen_at"
# Writing the session on every request would be a database write per click: a minute of
# precision on the idle limit is enough.
SEEN_AT_RESOLUTION = 60


class SessionIdleMiddleware:
    """Log out a session idle for SESSION_IDLE_SECONDS, or older than SESSION_COOKIE_AGE since
    its login, whatever the activity (ASVS V7.3.1–2)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = int(time.time())
            session = request.session
            login_at = session.setdefault(LOGIN_AT_KEY, now)
            seen_at = session.get(SEEN_AT_KEY, now)
            idle = now - seen_at > settings.SESSION_IDLE_SECONDS
            if idle or now - login_at > settings.SESSION_COOKIE_AGE:
                logout(request)
                messages.info(
                    request,
                    ngettext(
                        "Сеанс завершён после %(minutes)s минуты бездействия. Войдите снова",
                        "Сеанс завершён после %(minutes)s минут бездействия. Войдите снова",
                        settings.SESSION_IDLE_SECONDS // 60,
                    )
                    % {"minutes": settings.SESSION_IDLE_SECONDS // 60}
                    if idle
                    else _("Сеанс завершён: истёк срок его действия. Войдите снова"),
                )
                query = urlencode({"next": request.get_full_path()})
                login_url = f"{reverse('account_login')}?{query}"
                if request.headers.get("HX-Request"):
                    # An htmx fragment must not swap the login page into its target.
                    return HttpResponse(status=204, headers={"HX-Redirect": login_url})
                return HttpResponseRedirect(login_url)
            if now - seen_at >= SEEN_AT_RESOLUTION or SEEN_AT_KEY not in session:
                session[SEEN_AT_KEY] = now
        return self.get_response(request)


def session_passed_mfa(request: HttpRequest) -> bool:
    return any(
        record.get("method") == "mfa"
        for record in get_authentication_records(request, request.user)
    )


class StaffMfaRequiredMiddleware:
    """The admin opens only for staff with an activated TOTP authenticator whose session passed
    it (ASVS V6.3.3). Staff without one are sent to set it up; a session that did not pass it
    (say, one from before the setup) is asked for a code. The admin's own login form, which
    knows nothing of 2FA, is replaced by allauth's."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        admin_root = reverse("admin:index")
        if request.path.startswith(admin_root):
            response = self._check(request, admin_root)
            if response is not None:
                return response
        return self.get_response(request)

    def _check(self, request: HttpRequest, admin_root: str) -> HttpResponse | None:
        user = request.user
        if not user.is_authenticated:
            if request.path == reverse("admin:login"):
                next_url = request.GET.get("next") or admin_root
                query = urlencode({"next": next_url})
                return HttpResponseRedirect(f"{reverse('account_login')}?{query}")
            return None
        if not user.is_staff or request.path == reverse("admin:logout"):
            return None
        has_totp = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
        if not has_totp:
            messages.warning(
                request,
                _(
                    "Чтобы открыть администрирование, включите двухфакторную аутентификацию: "
                    "добавьте ключ в приложение-аутентификатор и введите код из него"
                ),
            )
            return HttpResponseRedirect(reverse("mfa_activate_totp"))
        if not session_passed_mfa(request):
            messages.info(request, _("Подтвердите вход кодом из приложения-аутентификатора"))
            query = urlencode({"next": request.get_full_path()})
            return HttpResponseRedirect(f"{reverse('mfa_reauthenticate')}?{query}")
        return None
