from django.urls import path

from . import views

urlpatterns = [
    path("", views.appeal_list, name="appeals"),
    path("new/", views.appeal_new, name="appeal_new"),
    path("<int:pk>/", views.appeal_detail, name="appeal_detail"),
    path("<int:pk>/answer.pdf", views.appeal_answer_pdf, name="appeal_answer_pdf"),
    path("<int:pk>/files/<int:attachment_id>/", views.appeal_attachment, name="appeal_attachment"),
]
