"""The base of the bulk tables' row generators (bench.fill.steps.Generator joins them)."""

from __future__ import annotations

import datetime
import random

from django.utils import timezone

from bench import vocab

from .plan import Plan


class Rows:
    """What every table's rows are drawn from: the plan, one seeded random generator (its draws
    follow the order of STEPS, so a seed gives the same data set), and the dates of the fill."""

    def __init__(self, plan: Plan, seed: int) -> None:
        self.plan = plan
        self.rng = random.Random(seed)
        self.now = timezone.now()
        self.today = timezone.localdate()
        self.year_start = datetime.date(self.today.year, 1, 1)
        self.year_end = datetime.date(self.today.year, 12, 31)
        self.care_kind_ids = {code: i + 1 for i, (code, _n, _o) in enumerate(vocab.CARE_KINDS)}
        shapes = vocab.PROGRAM_SHAPES
        # Services each program shape covers, to draw service lines from.
        self.shape_services = [
            [s for s in vocab.SERVICES if s[2] in kinds] for _c, _n, kinds in shapes
        ]
