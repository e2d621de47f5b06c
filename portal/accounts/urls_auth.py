"""Our pages beside allauth's under /accounts/ (included before allauth.urls)."""

from django.urls import path

from . import auth_views

app_name = "accounts_auth"
urlpatterns = [
    path("pin-login/", auth_views.pin_login, name="pin_login"),
    path("confirm-phone/", auth_views.phone_confirm, name="phone_confirm"),
    path("confirm-email/resend/", auth_views.email_confirmation_resend, name="email_resend"),
    path(
        "consent/personal-data/",
        auth_views.consent_personal_data,
        name="consent_personal_data",
    ),
]
