"""allauth mounts these at /accounts/esia/login/ and /accounts/esia/login/callback/; the store
apps' return address (portal.esia.app) is /accounts/esia/app/."""

from allauth.socialaccount.providers.oauth2.urls import default_urlpatterns
from django.urls import path

from . import views
from .provider import EsiaProvider

urlpatterns = [
    *default_urlpatterns(EsiaProvider),
    path("esia/app/", views.app_return, name="esia_app_return"),
]
