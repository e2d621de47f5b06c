from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from api.esia import provider_signup_moved
from api.main import api
from cabinet import pwa
from cabinet.webhooks import stripe_webhook, yookassa_webhook
from claims.views_cases import cases as cases_view
from payments.views import copay_page
from policies.views import policy_verify
from portal.core import views as core_views
from portal.core.metrics import metrics_view
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
    path("livez/", core_views.livez, name="livez"),
    path("favicon.ico", core_views.favicon, name="favicon"),
    path("manifest.webmanifest", pwa.manifest, name="pwa_manifest"),
    path("sw.js", pwa.service_worker, name="pwa_service_worker"),
    path("offline/", pwa.offline, name="pwa_offline"),
    path("metrics/", metrics_view, name="metrics"),
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
    path("payments/webhooks/yookassa/", yookassa_webhook, name="yookassa_webhook"),
    path("shop/", include("shop.urls")),
    path("offers/", shop_views.offers_view, name="offers"),
    path("guarantee-letters/", include("feedback.urls_letters")),
    # The store apps: allauth's headless login for apps and the portal's API. A new person from
    # ESIA fills the portal's own signup step (/api/v1/auth/esia/signup), not allauth's plain one.
    path("_allauth/app/v1/auth/provider/signup", provider_signup_moved),
    path("_allauth/", include("allauth.headless.urls")),
    path("api/v1/", api.urls),
]

# Development and tests only: production installs no devtools and refuses ESIA_EMULATOR.
if apps.is_installed("devtools") and settings.ESIA_EMULATOR:
    urlpatterns.append(path("esia-emulator/", include("devtools.esia_emulator.urls")))

if apps.is_installed("devtools") and settings.FCM_EMULATOR:
    urlpatterns.append(path("fcm-emulator/", include("devtools.fcm_emulator")))
if apps.is_installed("devtools") and settings.PUSH_EMULATOR:
    urlpatterns.append(path("push-emulator/", include("devtools.push_emulator")))

if apps.is_installed("devtools") and settings.RSA_EMULATOR:
    urlpatterns.append(path("rsa-emulator/", include("devtools.rsa_emulator")))

if apps.is_installed("devtools") and settings.DADATA_EMULATOR:
    urlpatterns.append(
        path("dadata-emulator/suggestions/api/4_1/rs/", include("devtools.dadata_emulator"))
    )
if apps.is_installed("devtools") and settings.YOOKASSA_EMULATOR:
    urlpatterns.append(path("yookassa-emulator/", include("devtools.yookassa_emulator.urls")))

if settings.DEBUG:
    from django.contrib.staticfiles.urls import staticfiles_urlpatterns

    urlpatterns += staticfiles_urlpatterns()
