"""/appointments/: the person's bookings, with cancel, move and the calendar file."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.appointment_list, name="appointments"),
    path("<int:pk>/cancel/", views.appointment_cancel_view, name="appointment_cancel"),
    path("<int:pk>/move/", views.appointment_move_view, name="appointment_move"),
    path("<int:pk>/calendar.ics", views.appointment_calendar, name="appointment_calendar"),
]
