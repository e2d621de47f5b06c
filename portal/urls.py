from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from claims.views_cases import cases as cases_view
from payments.views import copay_page
from payments.webhooks import stripe_webhook
from policies.views import policy_verify
from portal.core import views as core_views
from portal.core.documents import my_documents
from shop import views as shop_views

admin.site.site_header = _("Личный кабинет застрахованного — администрирование")
admin.site.site_title = _("Администрирование")
admin.site.index_title = _("Разделы")

handler400 = "portal.core.errors.bad_request"
handler403 = "portal.core.errors.permission_denied"
handler404 = "portal.core.errors.page_not_found"
handler500 = "portal.core.errors.server_error"

urlpatterns = [
    path("", core_views.home, name="home"),
    path("healthz/", core_views.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("accounts/", include("portal.accounts.urls_auth")),
    path("accounts/", include("allauth.urls")),
    path("profile/", include("portal.accounts.urls")),
    path("policies/", include("policies.urls")),
    path("documents/", my_documents, name="documents"),
    path("verify/<str:token>/", policy_verify, name="policy_verify"),
    path("clinics/", include("clinics.urls")),
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

if settings.ESIA_EMULATOR:  # development and tests only: production refuses to start with it
    urlpatterns.append(path("esia-emulator/", include("portal.esia.emulator.urls")))

if settings.DEBUG:
    from django.contrib.staticfiles.urls import staticfiles_urlpatterns

    urlpatterns += staticfiles_urlpatterns()
