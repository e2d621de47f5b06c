"""Rows of the clinic network: clinics, the programs' networks, doctors, slots, bookings."""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterator

from django.core.exceptions import ImproperlyConfigured

from bench import vocab

from .plan import MSK, person_name
from .rows import Rows


class NetworkRows(Rows):
    # --- clinics --------------------------------------------------------------------------------
    def clinics(self) -> Iterator[tuple]:
        weights = [c[3] for c in vocab.CITIES]
        for k in range(self.plan.scale.clinics):
            city, lat, lon, _w, code = self.rng.choices(vocab.CITIES, weights)[0]
            street = vocab.STREETS[k % len(vocab.STREETS)]
            brand = vocab.CLINIC_BRANDS[k % len(vocab.CLINIC_BRANDS)]
            phones = json.dumps([f"+7{code}{1_000_000 + (k * 7919) % 9_000_000}"])
            yield (
                k + 1,
                f"{brand} {k + 1}",
                f"г. {city}, {street}, д. {1 + (k * 7) % 150}",
                city,
                f"{lat + self.rng.uniform(-0.15, 0.15):.6f}",
                f"{lon + self.rng.uniform(-0.25, 0.25):.6f}",
                phones,
                "пн–пт 8:00–21:00, сб–вс 9:00–18:00",
                f"https://clinic{k + 1}.example.ru",
                k % 3 == 0,
                self.today - datetime.timedelta(days=k % 120),
            )

    def program_clinics(self) -> Iterator[tuple]:
        plan = self.plan
        hospital = self.care_kind_ids["hospital"]
        dental = self.care_kind_ids["dental"]
        shapes = vocab.PROGRAM_SHAPES
        n = 0
        for q in range(plan.programs):
            kinds = [self.care_kind_ids[c] for c in shapes[q % len(shapes)][2]]
            for w in range(plan.window):
                clinic = plan.program_clinic(q, w)
                for kind in kinds:
                    if kind == hospital and clinic % 3:
                        continue  # hospitals are fewer than outpatient clinics
                    n += 1
                    letter = kind == hospital or (kind == dental and clinic % 5 == 0)
                    yield n, q + 1, clinic, kind, letter

    def doctors(self) -> Iterator[tuple]:
        per_clinic = self.plan.scale.doctors_per_clinic
        if per_clinic > len(vocab.SPECIALTIES):
            raise ImproperlyConfigured("one doctor per specialty: raise SPECIALTIES first")
        for k in range(self.plan.scale.clinics):
            for d in range(per_clinic):
                n = k * per_clinic + d
                specialty, kind = vocab.SPECIALTIES[d]
                name = " ".join(person_name(n + 1_000_003))
                yield n + 1, k + 1, name, specialty, self.care_kind_ids[kind]

    def _slot_times(self) -> list[tuple[str, str, int]]:
        """(start, end, day offset) of each slot of a doctor: 14 days from 3 days ago, half-hour
        slots from 9:00. The same for every doctor, so computed once."""
        times = []
        for s in range(self.plan.scale.slots_per_doctor):
            offset = s % 14 - 3
            day = self.today + datetime.timedelta(days=offset)
            starts = datetime.datetime.combine(day, datetime.time(9), tzinfo=MSK)
            starts += datetime.timedelta(minutes=30 * (s // 14))
            ends = starts + datetime.timedelta(minutes=30)
            times.append((starts.isoformat(), ends.isoformat(), offset))
        return times

    def slots(self) -> Iterator[tuple]:
        times = self._slot_times()
        n = 0
        for doctor in range(1, self.plan.doctors + 1):
            for starts, ends, _offset in times:
                n += 1
                yield n, doctor, starts, ends

    def appointments(self) -> Iterator[tuple]:
        plan = self.plan
        count = plan.scale.appointments
        if plan.slots < count:
            raise ImproperlyConfigured(f"{plan.scale.name}: fewer slots than appointments")
        step = plan.slots // count
        times = self._slot_times()
        for a in range(count):
            slot = a * step  # distinct slots: no two bookings of one
            offset = times[slot % plan.scale.slots_per_doctor][2]
            status = "completed" if offset < 0 else "cancelled" if a % 10 == 9 else "booked"
            user = a % plan.users + 1
            created = self.now - datetime.timedelta(days=5 + a % 20)
            yield a + 1, slot + 1, user, user, status, created, created
