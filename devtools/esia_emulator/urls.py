"""The emulator's endpoints, under the same paths as ESIA's (mounted at /esia-emulator/)."""

from django.urls import path

from . import rest, views

app_name = "esia_emulator"
urlpatterns = [
    path("aas/oauth2/v2/ac", views.authorize, name="authorize"),
    path("aas/oauth2/v3/te", views.token, name="token"),
    path("idp/ext/Logout", views.logout, name="logout"),
    path("rs/prns/<str:oid>", rest.person, name="person"),
    path("rs/prns/<str:oid>/docs", rest.person_documents, name="documents"),
    path("rs/prns/<str:oid>/ctts", rest.person_contacts, name="contacts"),
]
