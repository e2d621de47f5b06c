"""«Личная информация» (/profile/...): the logged-in person's data, security and account. The
pages that reach other apps (edit/, data/, delete/) are cabinet's, joined to these under the
same namespace by cabinet.urls."""

from django.urls import path

from . import views, views_consents, views_notifications

app_name = "accounts"
urlpatterns = [
    path("", views.profile, name="profile"),
    path("phone/", views.phone_change, name="phone_change"),
    path("phone/confirm/", views.phone_change_confirm, name="phone_change_confirm"),
    path("pin/", views.pin_change, name="pin_change"),
    path("identity/<int:pk>/", views.identifier_change, name="identifier_change"),
    path("identity/<int:pk>/code/", views.identifier_change_code, name="identifier_change_code"),
    path("identity/<int:pk>/esia/", views.identifier_change_esia, name="identifier_change_esia"),
    path(
        "identity/<int:pk>/cancel/", views.identifier_change_cancel, name="identifier_change_cancel"
    ),
    path("sessions/end/", views.sessions_end, name="sessions_end"),
    path("devices/<int:pk>/forget/", views.device_forget, name="device_forget"),
    path("deleted/", views.account_deleted, name="account_deleted"),
    path("notifications/", views_notifications.notifications, name="notifications"),
    path("notifications/push/", views_notifications.push_subscription, name="push_subscription"),
    path("consents/", views_consents.consents, name="consents"),
    path("consents/health/", views_consents.health_consent, name="health_consent"),
    path(
        "consents/health/withdraw/",
        views_consents.health_consent_withdraw_view,
        name="health_consent_withdraw",
    ),
]
