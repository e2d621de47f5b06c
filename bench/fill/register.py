"""Rows of the insurer's register: policyholders, contracts, programs, insured persons, and the
people with a cabinet (users, consents, links, policies bought and held)."""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterator

from bench import vocab
from bench.subjects import HR_EMAIL, OPERATOR_EMAIL

from .plan import CONSENT_VERSION, UNUSABLE_PASSWORD, money_text, person_name
from .rows import Rows


class RegisterRows(Rows):
    # --- the register ------------------------------------------------------------------------
    def policyholders(self) -> Iterator[tuple]:
        for h in range(self.plan.policyholders):
            inn = f"77{h + 1:08d}"
            yield h + 1, f"ООО «Работодатель {h + 1}»", inn

    def contracts(self) -> Iterator[tuple]:
        centres = json.dumps([{"name": "Пульс 24/7", "phone": "+78003024419"}], ensure_ascii=False)
        for h in range(self.plan.policyholders):
            yield (
                h + 1,
                h + 1,
                f"ДМС-{self.today.year}-{h + 1:05d}",
                self.year_start,
                self.year_end,
                centres,
            )

    def care_kinds(self) -> Iterator[tuple]:
        for i, (code, name, order) in enumerate(vocab.CARE_KINDS):
            yield i + 1, code, name, order

    def programs(self) -> Iterator[tuple]:
        shapes = vocab.PROGRAM_SHAPES
        for q in range(self.plan.programs):
            code, name, _kinds = shapes[q % len(shapes)]
            share = self.plan.copay_share(q)
            title = f"{name} с со-оплатой {share} %" if share else name
            yield q + 1, q // len(shapes) + 1, code, title, share, q % len(shapes) == 2

    def program_care_kinds(self) -> Iterator[tuple]:
        n = 0
        shapes = vocab.PROGRAM_SHAPES
        for q in range(self.plan.programs):
            for code in shapes[q % len(shapes)][2]:
                n += 1
                yield n, q + 1, self.care_kind_ids[code]

    def insured_persons(self) -> Iterator[tuple]:
        plan = self.plan
        for p in range(self.plan.scale.insured):
            last, first, middle = person_name(p)
            q = plan.program_of_person(p)
            contract_id = q // len(vocab.PROGRAM_SHAPES) + 1
            if p < plan.employees:
                birth = datetime.date(1962, 1, 1) + datetime.timedelta(days=(p * 7919) % 14_600)
                relation, parent_id, email = "employee", None, f"person{p + 1}@bench.example"
                phone = f"+79{p + 100_000_000:09d}"
            else:
                j = p - plan.employees
                # 1 to 14 years old: a child may be linked until 15.
                birth = self.today - datetime.timedelta(days=365 + (j * 3571) % 4_745)
                relation, parent_id, email, phone = "child", plan.parent_of_child(j) + 1, "", ""
            yield (
                p + 1,
                f"77-{contract_id:05d}-{p + 1:08d}",
                last,
                first,
                middle,
                birth,
                email,
                phone,
                contract_id,
                q + 1,
                self.year_start,
                self.year_end,
                relation,
                parent_id,
            )

    # --- people with a cabinet ----------------------------------------------------------------
    def users(self) -> Iterator[tuple]:
        for e in range(self.plan.users):
            last, first, middle = person_name(e)
            joined = self.now - datetime.timedelta(days=e % 700, minutes=e % 1440)
            yield (
                e + 1,
                UNUSABLE_PASSWORD,
                f"person{e + 1}@bench.example",
                first,
                last,
                middle,
                False,
                True,
                False,
                joined,
                datetime.date(1962, 1, 1) + datetime.timedelta(days=(e * 7919) % 14_600),
                f"+79{e + 100_000_000:09d}",
                joined,
            )
        # The staff the staff pages are measured as.
        for uid, email, last, first in (
            (self.plan.operator_id, OPERATOR_EMAIL, "Операторова", "Ольга"),
            (self.plan.hr_id, HR_EMAIL, "Кадрова", "Елена"),
        ):
            yield (
                uid,
                UNUSABLE_PASSWORD,
                email,
                first,
                last,
                "",
                True,
                True,
                False,
                self.now,
                None,
                "",
                None,
            )

    def consents(self) -> Iterator[tuple]:
        for e in range(self.plan.users):
            yield e + 1, e + 1, "personal_data", CONSENT_VERSION, self.now

    def policy_links(self) -> Iterator[tuple]:
        plan = self.plan
        n = 0
        for e in range(plan.users):
            n += 1
            yield n, e + 1, e + 1, "self", self.now - datetime.timedelta(days=e % 300)
        for j in range(plan.children):
            parent = plan.parent_of_child(j)
            if parent < plan.users:
                n += 1
                linked = self.now - datetime.timedelta(days=j % 200)
                yield n, parent + 1, plan.employees + j + 1, "child", linked

    def policies(self) -> Iterator[tuple]:
        """A DMS policy for every insured person, a ВЗР one for the premium programs' employees,
        then the policies the users bought."""
        plan = self.plan
        n = 0
        for p in range(plan.scale.insured):
            n += 1
            contract_id = plan.program_of_person(p) // len(vocab.PROGRAM_SHAPES) + 1
            number = f"77-{contract_id:05d}-{p + 1:08d}"
            yield (n, "dms", number, None, p + 1, self.year_start, self.year_end, "active",
                   "0.00", "{}", "")  # fmt: skip
        for e in range(plan.employees):
            if plan.program_of_employee(e) % len(vocab.PROGRAM_SHAPES) == 2:
                n += 1
                yield (n, "vzr", f"VZR-{e + 1:08d}", None, e + 1, self.year_start, self.year_end,
                       "active", "0.00", '{"territory": "Весь мир"}', "")  # fmt: skip
        for b in range(plan.bought_policies):
            n += 1
            product = vocab.BOUGHT_PRODUCTS[b % len(vocab.BOUGHT_PRODUCTS)][0]
            starts = self.today - datetime.timedelta(days=b % 200)
            data = {"vehicle": {"model": vocab.CAR_MODELS[b % len(vocab.CAR_MODELS)]}}
            if product not in ("osago", "kasko"):
                data = {"sum_insured": 500_000 + (b % 10) * 100_000}
            yield (
                n,
                product,
                f"{product.upper()}-{b + 1:09d}",
                (b * 3) % plan.users + 1,
                None,
                starts,
                starts + datetime.timedelta(days=364),
                "active",
                money_text(350_000 + (b % 40) * 25_000),
                json.dumps(data, ensure_ascii=False),
                "2025.1",
            )

    def bought_policy_id(self, b: int) -> int:
        """The id of bought policy b: after the DMS policies and the ВЗР ones (`policies`)."""
        return self.plan.scale.insured + self.plan.vzr_policies + b + 1
