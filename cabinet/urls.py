"""The cabinet's routes at the paths they always had: "" and /documents/ are its own; its pages
of «Мои полисы» join the policies' routes under their namespace (`policies:list`), as before."""

from django.urls import include, path

from policies import urls as policies_urls

from . import views
from .documents import my_documents

policies_patterns = [
    path("", views.policy_list, name="list"),
    path("<int:pk>/", views.policy_detail, name="detail"),
    *policies_urls.urlpatterns,
]

urlpatterns = [
    path("", views.home, name="home"),
    path("documents/", my_documents, name="documents"),
    path("policies/", include((policies_patterns, policies_urls.app_name))),
]
