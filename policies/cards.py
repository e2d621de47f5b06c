"""The cards of «Мои полисы»: what each policy shows, how policies are grouped.

A DMS policy and the ВЗР/ВПМК policy issued with it (the same insured person, a program that
includes ВЗР, overlapping terms) make one card, «Добровольное медицинское страхование +
Международный страховой полис», with a download button for each. The data is read by
cabinet.selectors.policy_cards_for_user in a fixed number of queries (the policies' part is
policies.selectors.card_policies_for_user, the co-pay debt payments').
"""

import contextlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from urllib.parse import urlencode

from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .formatting import money, phone_display, phone_href
from .models import CareKind, Policy, PolicyLink

PRODUCT_TITLES = {
    Policy.Product.DMS: _("Добровольное медицинское страхование"),
    Policy.Product.VZR: _("Международный страховой полис"),
    Policy.Product.OSAGO: _("ОСАГО — обязательное страхование автогражданской ответственности"),
    Policy.Product.KASKO: _("КАСКО — добровольное страхование автомобиля"),
    Policy.Product.PROPERTY: _("Страхование имущества"),
    Policy.Product.ACCIDENT: _("Страхование от несчастного случая"),
    Policy.Product.ONCOLOGY: _("Онкострахование"),
}
# Paths of the route map (SPEC), the stable contract between sections; not URL names, which the
# sections that own them may change.
CLINICS_PATH = "/clinics/"
COPAY_PATH = "/copay/"
SHOP_PATH = "/shop/"

DMS_WITH_VZR_TITLE = _("Добровольное медицинское страхование + Международный страховой полис")


class Group(models.TextChoices):
    """Sections of the page, in this order."""

    UNPAID = "unpaid", _("Ожидают оплаты")
    ACTIVE = "active", _("Действующие")
    NOT_STARTED = "not_started", _("Ещё не вступили в силу")
    EXPIRED = "expired", _("Завершённые")


GROUP_ORDER = list(Group)


def policy_group(policy: Policy) -> Group:
    if policy.status == Policy.Status.AWAITING_PAYMENT:
        return Group.UNPAID
    if policy.status in (Policy.Status.EXPIRED, Policy.Status.CANCELLED):
        return Group.EXPIRED
    return Group(policy.term_state)


@dataclass(frozen=True)
class ContactCentre:
    name: str
    phone: str

    @property
    def display(self) -> str:
        return phone_display(self.phone)

    @property
    def href(self) -> str:
        return phone_href(self.phone)


def object_facts(policy: Policy) -> list[tuple[str, str]]:
    """What a bought policy insures, from its product data, as (label, value) lines."""
    data = policy.product_data or {}
    facts: list[tuple[str, str]] = []
    vehicle = data.get("vehicle")
    if isinstance(vehicle, dict):
        name = " ".join(str(vehicle[k]) for k in ("make", "model") if vehicle.get(k))
        parts = [name]
        if vehicle.get("year"):
            parts.append(f"{vehicle['year']} г.")
        if vehicle.get("plate"):
            parts.append(str(vehicle["plate"]))
        facts.append((str(_("Транспортное средство")), ", ".join(p for p in parts if p)))
    for key, label in (
        ("title", _("Программа")),
        ("address", _("Адрес объекта")),
        ("object", _("Объект страхования")),
        ("territory", _("Территория")),
    ):
        if data.get(key):
            facts.append((str(label), str(data[key])))
    travellers = data.get("travellers")
    if isinstance(travellers, list) and travellers:
        names = [
            f"{t.get('last_name_latin', '')} {t.get('first_name_latin', '')}".strip()
            for t in travellers
            if isinstance(t, dict)
        ]
        facts.append((str(_("Путешественники")), ", ".join(names)))
    ages = data.get("ages")
    if isinstance(ages, list) and ages and not travellers:
        facts.append(
            (
                str(_("Путешественники")),
                str(_("%(count)s, возраст: %(ages)s"))
                % {"count": len(ages), "ages": ", ".join(str(a) for a in ages)},
            )
        )
    if data.get("sport_name"):
        facts.append((str(_("Спорт и активный отдых")), str(data["sport_name"])))
    if data.get("sum_insured"):
        currency = str(data.get("currency") or "руб.")
        with contextlib.suppress(ArithmeticError):  # a malformed amount is left out, not shown
            amount = money(Decimal(str(data["sum_insured"])), currency)
            facts.append((str(_("Страховая сумма")), amount))
    return facts


@dataclass
class PolicyCard:
    policy: Policy
    companion: Policy | None = None  # the ВЗР/ВПМК policy of the same DMS program
    debt: Decimal | None = None  # unpaid co-pay of the insured person; None: no co-pay program
    relation: str | None = None  # how the user is linked to the insured person (self / child)
    care_kinds: list[CareKind] = field(default_factory=list)

    @property
    def anchor(self) -> str:
        return f"policy-{self.policy.pk}"

    @property
    def title(self) -> str:
        if self.policy.product == Policy.Product.DMS and self.companion is not None:
            return str(DMS_WITH_VZR_TITLE)
        return str(PRODUCT_TITLES[Policy.Product(self.policy.product)])

    @property
    def group(self) -> Group:
        return policy_group(self.policy)

    @property
    def badge(self) -> str:
        policy = self.policy
        if policy.status == Policy.Status.CANCELLED:
            return str(_("Аннулирован"))
        group = self.group
        if group == Group.NOT_STARTED:
            return str(_("Вступит в силу %(day)s")) % {"day": f"{policy.starts_on:%d.%m.%Y}"}
        return str(
            {
                Group.UNPAID: _("Ожидает оплаты"),
                Group.ACTIVE: _("Действует"),
                Group.EXPIRED: _("Срок действия истёк"),
            }[group]
        )

    @property
    def is_medical(self) -> bool:
        """A register policy (DMS, ВЗР/ВПМК of a DMS program); a bought ВЗР is a bought card."""
        return self.policy.is_register

    @property
    def bought_pdf_url(self) -> str:
        """The PDF of a bought or activated policy once issued ("" otherwise)."""
        if not self.policy.has_pdf:
            return ""
        return reverse("policies:pdf", args=[self.policy.pk])

    @property
    def insured_person(self):
        return self.policy.insured_person

    @property
    def program(self):
        return self.policy.insured_person.program if self.policy.insured_person else None

    @property
    def has_copay(self) -> bool:
        return self.debt is not None

    @property
    def debt_display(self) -> str:
        return money(self.debt or Decimal("0"))

    @property
    def premium_display(self) -> str:
        return money(self.policy.premium)

    @property
    def contact_centres(self) -> list[ContactCentre]:
        person = self.policy.insured_person
        if person is None:
            return []
        return [
            ContactCentre(name=str(c.get("name", "")), phone=str(c.get("phone", "")))
            for c in person.contract.contact_centres or []
            if isinstance(c, dict) and c.get("phone")
        ]

    @property
    def object_facts(self) -> list[tuple[str, str]]:
        return object_facts(self.policy)

    @property
    def clinics_url(self) -> str:
        return f"{CLINICS_PATH}?{urlencode({'policy': self.policy.pk})}"

    def care_kind_url(self, kind: CareKind) -> str:
        query = urlencode({"policy": self.policy.pk, "care_kind": kind.code})
        return f"{CLINICS_PATH}?{query}"

    @property
    def care_kind_links(self) -> list[tuple[CareKind, str, str]]:
        """Each kind of care: its clinics on the map and list, and their list as a PDF (a DMS
        policy in force or about to be)."""
        with_pdf = (
            self.policy.product == Policy.Product.DMS
            and self.policy.status == Policy.Status.ACTIVE
            and self.group != Group.EXPIRED
        )
        return [
            (
                kind,
                self.care_kind_url(kind),
                f"{CLINICS_PATH}pdf/{self.policy.pk}/{kind.code}.pdf" if with_pdf else "",
            )
            for kind in self.care_kinds
        ]

    @property
    def program_pdf_url(self) -> str:
        if self.policy.product != Policy.Product.DMS or self.policy.insured_person_id is None:
            return ""
        return reverse("policies:program_pdf", args=[self.policy.pk])

    copay_path = COPAY_PATH
    shop_path = SHOP_PATH

    @property
    def can_add_child(self) -> bool:
        return (
            self.policy.product == Policy.Product.DMS
            and self.relation == PolicyLink.Relation.SELF
            and self.group != Group.EXPIRED
        )

    @property
    def starts_collapsed(self) -> bool:
        return self.group == Group.EXPIRED


def _overlaps(a: Policy, b: Policy) -> bool:
    return a.starts_on <= b.ends_on and b.starts_on <= a.ends_on


def cards_build(
    policies: Iterable[Policy],
    *,
    debts: dict[int, Decimal],
    relations: dict[int, str],
) -> list[PolicyCard]:
    """One card per policy, a ВЗР policy joined to its DMS policy; sorted into the page order."""
    policies = list(policies)
    vzr_by_person: dict[int, list[Policy]] = {}
    for policy in policies:
        if policy.product == Policy.Product.VZR and policy.insured_person_id:
            vzr_by_person.setdefault(policy.insured_person_id, []).append(policy)
    joined: set[int] = set()
    cards = []
    for policy in policies:
        if policy.pk in joined:
            continue
        card = PolicyCard(policy=policy)
        person = policy.insured_person
        if person is not None:
            card.relation = relations.get(person.pk)
            card.care_kinds = list(person.program.care_kinds.all())
            if person.program.has_copay:
                card.debt = debts.get(person.pk, Decimal("0"))
        if (
            policy.product == Policy.Product.DMS
            and person is not None
            and person.program.includes_vzr
        ):
            for vzr in vzr_by_person.get(person.pk, []):
                if vzr.pk not in joined and _overlaps(policy, vzr):
                    card.companion = vzr
                    joined.add(vzr.pk)
                    break
        cards.append(card)
    # A ВЗР policy that was made a card before its DMS policy came along is dropped again.
    cards = [c for c in cards if c.policy.pk not in joined]
    product_order = {p: i for i, p in enumerate(Policy.Product.values)}
    today = timezone.localdate()
    cards.sort(
        key=lambda c: (
            GROUP_ORDER.index(c.group),
            product_order[c.policy.product],
            c.relation != PolicyLink.Relation.SELF,
            -(c.policy.ends_on - today).days if c.group == Group.EXPIRED else 0,
            c.policy.number,
        )
    )
    return cards


@dataclass
class CardSection:
    group: Group
    cards: list[PolicyCard]

    @property
    def anchor(self) -> str:
        return f"group-{self.group.value}"


def cards_by_group(cards: list[PolicyCard]) -> list[CardSection]:
    sections = {g: CardSection(group=g, cards=[]) for g in GROUP_ORDER}
    for card in cards:
        sections[card.group].cards.append(card)
    return [s for s in sections.values() if s.cards]
