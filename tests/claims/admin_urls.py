"""The portal's URLs plus an admin site whose ClaimAdmin has the operators' actions, so that
claims/admin_actions.py is tested through HTTP whether or not claims/admin.py wires it in yet."""

from django.contrib import admin
from django.urls import path

from claims.admin import ClaimAdmin
from claims.admin_actions import ClaimDocumentDownloadInlineMixin, ClaimOperatorAdminMixin
from claims.models import Claim
from portal.urls import urlpatterns as portal_urlpatterns


def _with(mixin, base):
    return (base,) if issubclass(base, mixin) else (mixin, base)


inlines = []
for inline in ClaimAdmin.inlines:
    if inline.model.__name__ == "ClaimDocument":
        extra = {}
        for attribute in ("fields", "readonly_fields"):
            names = tuple(getattr(inline, attribute) or ())
            if attribute == "readonly_fields" or names:
                extra[attribute] = names if "download_link" in names else (*names, "download_link")
        inline = type("OpsDocumentInline", _with(ClaimDocumentDownloadInlineMixin, inline), extra)
    inlines.append(inline)

OpsClaimAdmin = type(
    "OpsClaimAdmin", _with(ClaimOperatorAdminMixin, ClaimAdmin), {"inlines": inlines}
)

site = admin.AdminSite(name="ops")
site.register(Claim, OpsClaimAdmin)

urlpatterns = [*portal_urlpatterns, path("ops-admin/", site.urls)]
