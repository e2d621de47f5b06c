"""Stand-ins for the hold of a clinic's own schedule system, put in place of
clinics.schedule.slot_hold (the booking service looks it up on the module at every call)."""

import time

from clinics.schedule import slot_hold


def hold_nothing(slot):
    """A remote schedule that says «free» without reserving anything: only the database's
    constraint keeps two bookings of one time apart."""
    return slot


def hold_nothing_slowly(slot):
    """Answers after a pause, so that two concurrent bookings both get past the hold."""
    time.sleep(0.5)
    return slot


def hold_slowly(slot):
    """The portal's own hold, keeping the row lock a little longer before the booking is written."""
    locked = slot_hold(slot)
    time.sleep(0.5)
    return locked
