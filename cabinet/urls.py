"""The cabinet's routes at the paths they always had: "" and /documents/ here; its pages of
«Мои полисы» and «Личная информация» join those apps' own routes under their namespaces."""

from django.urls import path

from . import views
from .documents import my_documents

urlpatterns = [
    path("", views.home, name="home"),
    path("documents/", my_documents, name="documents"),
]
