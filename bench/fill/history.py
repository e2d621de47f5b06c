"""Rows of what the insured did: DMS service lines, appeals and guarantee letters, claims with
their events."""

from __future__ import annotations

import datetime
from collections.abc import Iterator

from django.utils import timezone

from bench import vocab

from .plan import money_text
from .rows import Rows


class HistoryRows(Rows):
    # --- DMS services -------------------------------------------------------------------------
    def service_lines(self) -> Iterator[tuple]:
        plan = self.plan
        rng = self.rng
        insured = plan.scale.insured
        shapes = len(vocab.PROGRAM_SHAPES)
        days = [self.today - datetime.timedelta(days=d) for d in range(366)]
        months = [d.strftime("%Y%m") for d in days]
        icd_default = vocab.ICD10
        for i in range(plan.scale.service_lines):
            p = i % insured
            q = plan.program_of_person(p)
            code, name, kind, price = rng.choice(self.shape_services[q % shapes])
            clinic = plan.program_clinic(q, (i // insured) * 13 + p)
            ago = rng.randrange(1, 366)
            quantity = 2 if i % 17 == 0 else 1
            amount = price * quantity * (90 + rng.randrange(21)) // 100
            share = plan.copay_share(q)
            if share:
                copay, state = amount * share // 100, "unpaid" if ago <= 30 else "paid"
            else:
                copay, state = 0, "none"
            icd = ("K02.1", "Кариес дентина") if kind == "dental" else rng.choice(icd_default)
            yield (
                i + 1,
                clinic,
                f"{clinic}/{months[ago]}",
                i + 1,  # line numbers are unique over the whole set, so any register is unique
                p + 1,
                code,
                name,
                self.care_kind_ids[kind],
                days[ago],
                quantity,
                money_text(amount),
                money_text(copay),
                state,
                icd[0],
                icd[1],
            )

    # --- appeals and guarantee letters --------------------------------------------------------
    APPEAL_KINDS = ("question", "review", "complaint", "thanks", "not_provided")
    APPEAL_SUBJECTS = {
        "question": "Вопрос о программе страхования",
        "review": "Отзыв о приёме врача",
        "complaint": "Жалоба на качество обслуживания",
        "thanks": "Благодарность врачу",
        "not_provided": "Услуга не была оказана",
    }

    def _appeal(self, a: int) -> tuple[int, str, str, int | None, int | None, datetime.datetime]:
        """(user id, kind, status, service line id, clinic id, created) of appeal a."""
        plan = self.plan
        u = (a * 7) % plan.users
        kind = self.APPEAL_KINDS[a % len(self.APPEAL_KINDS)]
        line = None
        if kind == "not_provided":
            # A line of the author's own register rows: line i belongs to person i % insured.
            per_person = max(1, plan.scale.service_lines // plan.scale.insured)
            i = u + ((a // 5) % per_person) * plan.scale.insured
            if i < plan.scale.service_lines:
                line = i + 1
            else:
                kind = "complaint"
        clinic = None
        if kind in ("review", "complaint", "thanks"):
            clinic = plan.program_clinic(plan.program_of_employee(u), a)
        ago = (a * 13) % 120
        if ago > 45:
            status = "closed"
        elif ago > 20:
            status = "answered"
        elif ago > 5:
            status = "in_progress"
        else:
            status = "new"
        if a % 50 == 0 and ago > 30:
            status = "in_progress"  # a few overdue, as in life
        created = self.now - datetime.timedelta(days=ago, minutes=a % 600)
        return u + 1, kind, status, line, clinic, created

    def appeals(self) -> Iterator[tuple]:
        for a in range(self.plan.scale.appeals):
            user, kind, status, line, clinic, created = self._appeal(a)
            yield (
                a + 1,
                f"ОБР-{a + 1:08d}",
                user,
                kind,
                status,
                self.APPEAL_SUBJECTS[kind],
                timezone.localdate(created) + datetime.timedelta(days=30),
                line,
                clinic,
                created,
                created,
            )

    def appeal_messages(self) -> Iterator[tuple]:
        n = 0
        for a in range(self.plan.scale.appeals):
            user, kind, status, _line, _clinic, created = self._appeal(a)
            n += 1
            yield n, a + 1, user, False, "Прошу рассмотреть моё обращение. " * 3, created
            if status in ("answered", "closed"):
                n += 1
                answer = "Ваше обращение рассмотрено, по результатам проверки сообщаем..."
                sent = created + datetime.timedelta(days=2)
                yield n, a + 1, self.plan.operator_id, True, answer, sent

    def guarantee_letters(self) -> Iterator[tuple]:
        plan = self.plan
        statuses = ("requested", "issued", "refused", "expired")
        kinds = (self.care_kind_ids["hospital"], self.care_kind_ids["diagnostics"])
        for g in range(plan.guarantee_letters):
            u = (g * 11) % plan.users
            status = statuses[g % len(statuses)]
            number, valid = "", None
            if status in ("issued", "expired"):
                number = f"ГП-{g + 1:08d}"
                valid = self.today + datetime.timedelta(days=30 if status == "issued" else -10)
            created = self.now - datetime.timedelta(days=g % 60)
            clinic = plan.program_clinic(plan.program_of_employee(u), g)
            yield (g + 1, u + 1, u + 1, clinic, kinds[g % 2], status, number, valid,
                   created, created)  # fmt: skip

    # --- claims ---------------------------------------------------------------------------------
    CLAIM_PATHS = (
        ("submitted",),
        ("submitted", "documents_requested"),
        ("submitted", "under_review"),
        ("submitted", "under_review", "approved"),
        ("submitted", "under_review", "refused"),
        ("submitted", "under_review", "approved", "paid"),
    )

    def claims(self) -> Iterator[tuple]:
        plan = self.plan
        first_bought = self.bought_policy_id(0)
        for c in range(plan.scale.claims):
            b = c % plan.bought_policies
            _product, event_type, place = vocab.BOUGHT_PRODUCTS[b % len(vocab.BOUGHT_PRODUCTS)]
            status = self.CLAIM_PATHS[c % len(self.CLAIM_PATHS)][-1]
            approved = (
                money_text(1_500_000 + (c % 50) * 100_000)
                if status in ("approved", "paid")
                else None
            )
            event_at = self.now - datetime.timedelta(days=1 + (c * 7) % 200, hours=c % 24)
            created = event_at + datetime.timedelta(days=1)
            yield (
                c + 1,
                f"УБ-{c + 1:08d}",
                first_bought + b,
                event_type,
                event_at,
                place,
                "Описание обстоятельств страхового события.",
                "{}",
                status,
                approved,
                created,
                created,
            )

    def claim_events(self) -> Iterator[tuple]:
        plan = self.plan
        n = 0
        for c in range(plan.scale.claims):
            b = c % plan.bought_policies
            holder = (b * 3) % plan.users + 1
            at = self.now - datetime.timedelta(days=(c * 7) % 200)
            previous = ""
            for step, status in enumerate(self.CLAIM_PATHS[c % len(self.CLAIM_PATHS)]):
                n += 1
                by = holder if step == 0 else plan.operator_id
                yield n, c + 1, previous, status, at + datetime.timedelta(days=step), by, ""
                previous = status
