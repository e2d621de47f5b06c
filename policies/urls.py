"""/policies/: the policies' own pages; «Мои полисы» and a policy's card (with its co-pay debt)
are cabinet's, joined to these under the same namespace by cabinet.urls."""

from django.urls import path

from . import views

app_name = "policies"
urlpatterns = [
    path("<int:pk>/pdf/", views.policy_pdf, name="pdf"),
    path("<int:pk>/pdf/status/", views.policy_pdf_status, name="pdf_status"),
    path("<int:pk>/program/pdf/", views.program_pdf, name="program_pdf"),
    path("add/", views.policy_add, name="add"),
    path("add-child/", views.policy_add_child, name="add_child"),
    path("activate/", views.policy_activate, name="activate"),
]
