from django.urls import path

from . import views_letters

urlpatterns = [
    path("", views_letters.letter_list, name="guarantee_letters"),
    path("<int:pk>/pdf/", views_letters.letter_pdf, name="guarantee_letter_pdf"),
]
