from django.urls import path

from . import views

app_name = "claims"
urlpatterns = [
    path("", views.claim_list, name="list"),
    path("new/", views.claim_new, name="new"),
    path("<int:pk>/", views.claim_detail, name="detail"),
    path("<int:pk>/documents/", views.claim_document_upload, name="document_upload"),
    path("<int:pk>/documents/send/", views.claim_documents_send, name="documents_send"),
    path(
        "<int:pk>/documents/<int:document_id>/",
        views.claim_document_download,
        name="document_download",
    ),
]
