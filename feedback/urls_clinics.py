"""The clinic refusal report, under its clinic's path (/clinics/<pk>/report/)."""

from django.urls import path

from . import views_clinic_report

urlpatterns = [
    path("<int:pk>/report/", views_clinic_report.clinic_report, name="clinic_report"),
]
