from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from cabinet.webhooks import stripe_webhook
from claims.views_cases import cases as cases_view
from payments.views import copay_page
from policies.views import policy_verify
from portal.core import views as core_views
from portal.esia import views as esia_views
from shop import views as shop_views

admin.site.site_header = _("Личный кабинет застрахованного — администрирование")
admin.site.site_title = _("Администрирование")
admin.site.index_title = _("Разделы")

handler400 = "portal.core.errors.bad_request"
handler403 = "portal.core.errors.permission_denied"
handler404 = "portal.core.errors.page_not_found"
handler500 = "portal.core.errors.server_error"

urlpatterns = [
    path("", include("cabinet.urls")),
    path("healthz/", core_views.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("accounts/", include("portal.accounts.urls_auth")),
    # allauth's logout, through ESIA's logout for a person who logged in through ESIA
    path("accounts/logout/", esia_views.logout, name="account_logout"),
    path("accounts/", include("allauth.urls")),
    path("verify/<str:token>/", policy_verify, name="policy_verify"),
    path("clinics/", include("clinics.urls")),
    path("clinics/", include("feedback.urls_clinics")),
    path("appointments/", include("clinics.appointment_urls")),
    path("claims/", include("claims.urls")),
    path("cases/", cases_view, name="cases"),
    path("appeals/", include("feedback.urls")),
    path("copay/", copay_page, name="copay"),
    path("copay/", include("payments.urls")),
    path("payments/webhooks/stripe/", stripe_webhook, name="stripe_webhook"),
    path("shop/", include("shop.urls")),
    path("offers/", shop_views.offers_view, name="offers"),
    path("guarantee-letters/", include("feedback.urls_letters")),
]

# Development and tests only: production installs no devtools and refuses ESIA_EMULATOR.
if apps.is_installed("devtools") and settings.ESIA_EMULATOR:
    urlpatterns.append(path("esia-emulator/", include("devtools.esia_emulator.urls")))

if apps.is_installed("devtools") and settings.RSA_EMULATOR:
    urlpatterns.append(path("rsa-emulator/", include("devtools.rsa_emulator")))

if settings.DEBUG:
    from django.contrib.staticfiles.urls import staticfiles_urlpatterns

    urlpatterns += staticfiles_urlpatterns()
