"""django-axes' view of who is logging in: the e-mail as typed, in one letter case, so that
«Anna@Example.com» and «anna@example.com» share one failure counter and one lockout."""

from django.http import HttpRequest


def axes_username(request: HttpRequest, credentials: dict | None = None) -> str | None:
    value = None
    if credentials:
        # allauth authenticates with email=…; the admin's own form with username=….
        value = credentials.get("email") or credentials.get("username") or credentials.get("login")
    if value is None and request is not None:
        data = getattr(request, "data", None) or request.POST
        value = data.get("login") or data.get("username")
    if not value:
        return None
    return str(value).strip().lower()
