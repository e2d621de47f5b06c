"""The cabinet's routes at the paths they always had: "" and /documents/ are its own; its pages
of «Мои полисы» and «Личная информация» join those apps' routes under their namespaces
(`policies:list`, `accounts:data_export`), as before."""

from django.urls import include, path

from policies import urls as policies_urls
from portal.accounts import urls as accounts_urls

from . import pwa, views
from .documents import my_documents

policies_patterns = [
    path("", views.policy_list, name="list"),
    path("<int:pk>/", views.policy_detail, name="detail"),
    path("<int:pk>/card/", pwa.policy_ecard, name="ecard"),
    *policies_urls.urlpatterns,
]

profile_patterns = [
    path("edit/", views.profile_edit, name="profile_edit"),
    path("data/", views.data_export, name="data_export"),
    path("delete/", views.account_delete, name="account_delete"),
    path(
        "consents/personal-data/withdraw/",
        views.personal_data_consent_withdraw,
        name="personal_data_withdraw",
    ),
    path("access-log/", views.access_log, name="access_log"),
    *accounts_urls.urlpatterns,
]

urlpatterns = [
    path("", views.home, name="home"),
    path("documents/", my_documents, name="documents"),
    path("profile/", include((profile_patterns, accounts_urls.app_name))),
    path("policies/", include((policies_patterns, policies_urls.app_name))),
]
