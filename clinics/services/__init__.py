"""Writes of the clinics section: bookings, saved places, reports about clinics, notifications."""
