from django.urls import path
from django.utils.translation import gettext_lazy as _

from portal.core.views import section_pending

from . import views

app_name = "policies"
urlpatterns = [
    path("", views.policy_list, name="list"),
    path("<int:pk>/", views.policy_detail, name="detail"),
    path("add/", section_pending, {"title": _("Добавить полис")}, name="add"),
    path("add-child/", section_pending, {"title": _("Добавить полис ребёнка")}, name="add_child"),
    path("activate/", section_pending, {"title": _("Активация полиса")}, name="activate"),
]
