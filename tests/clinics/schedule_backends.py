"""Schedule backends for tests: stand-ins for a clinic's own system, plugged in through the
CLINIC_SCHEDULE_BACKENDS setting exactly as a real one would be."""

import time

from clinics.schedules.builtin import BuiltinSchedule


class LocklessSchedule(BuiltinSchedule):
    """A remote schedule that says «free» without reserving anything: only the database's
    constraint keeps two bookings of one time apart."""

    pause = 0.0

    def hold(self, slot):
        time.sleep(self.pause)
        return slot


class SlowLocklessSchedule(LocklessSchedule):
    """Answers after a pause, so that two concurrent bookings both get past the hold."""

    pause = 0.5


class SlowBuiltinSchedule(BuiltinSchedule):
    """The built-in tables, holding the row lock a little longer before the booking is written."""

    def hold(self, slot):
        locked = super().hold(slot)
        time.sleep(0.5)
        return locked
