from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from portal.core import views as core_views
from portal.core.views import section_pending

admin.site.site_header = _("Личный кабинет застрахованного — администрирование")
admin.site.site_title = _("Администрирование")
admin.site.index_title = _("Разделы")

urlpatterns = [
    path("", core_views.home, name="home"),
    path("healthz/", core_views.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("profile/", include("portal.accounts.urls")),
    path("policies/", include("policies.urls")),
    path("documents/", section_pending, {"title": _("Мои документы")}, name="documents"),
    path("clinics/", section_pending, {"title": _("Перечень ЛПУ")}, name="clinics"),
    path("appointments/", section_pending, {"title": _("Мои записи к врачу")}, name="appointments"),
    path("cases/", section_pending, {"title": _("Мои страховые случаи")}, name="cases"),
    path("appeals/", section_pending, {"title": _("Мои обращения")}, name="appeals"),
    path("copay/", section_pending, {"title": _("Со-оплатная программа")}, name="copay"),
    path("shop/", section_pending, {"title": _("Купить полис онлайн")}, name="shop"),
    path("offers/", section_pending, {"title": _("Специальные предложения")}, name="offers"),
    path(
        "guarantee-letters/",
        section_pending,
        {"title": _("Гарантийные письма")},
        name="guarantee_letters",
    ),
]

if settings.DEBUG:
    from django.contrib.staticfiles.urls import staticfiles_urlpatterns

    urlpatterns += staticfiles_urlpatterns()
