from django.urls import path

from . import views

app_name = "policies"
urlpatterns = [
    path("", views.policy_list, name="list"),
    path("<int:pk>/", views.policy_detail, name="detail"),
    path("<int:pk>/pdf/", views.policy_pdf, name="pdf"),
    path("<int:pk>/pdf/status/", views.policy_pdf_status, name="pdf_status"),
    path("add/", views.policy_add, name="add"),
    path("add-child/", views.policy_add_child, name="add_child"),
    path("activate/", views.policy_activate, name="activate"),
]
