"""allauth mounts these at /accounts/esia/login/ and /accounts/esia/login/callback/."""

from allauth.socialaccount.providers.oauth2.urls import default_urlpatterns

from .provider import EsiaProvider

urlpatterns = default_urlpatterns(EsiaProvider)
