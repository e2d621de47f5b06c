"""/clinics/: the network as a list and a map, one clinic with booking, saved places.

Names are not namespaced: the route map's `clinics` and `appointments` names are used by other
sections (the policy card links to `clinics`). The refusal report (/clinics/<pk>/report/) is
feedback's (feedback.urls_clinics): it makes an appeal."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.clinic_list, name="clinics"),
    path("map/", views.clinic_map, name="clinics_map"),
    path("geojson/", views.clinic_geojson, name="clinics_geojson"),
    path("places/", views.saved_place_save, name="saved_place_save"),
    path("address-suggestions/", views.address_suggestions, name="address_suggestions"),
    path("places/<str:kind>/delete/", views.saved_place_remove, name="saved_place_delete"),
    path("pdf/<int:policy_pk>/<slug:care_kind>.pdf", views.clinic_list_pdf, name="clinic_list_pdf"),
    path("<int:pk>/", views.clinic_detail, name="clinic_detail"),
    path("<int:pk>/book/<int:slot_pk>/", views.clinic_book, name="clinic_book"),
]
