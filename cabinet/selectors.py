"""Reads that put several apps' data together for one page."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from claims.models import Claim
from claims.selectors import claims_for_user
from clinics.models import Appointment
from clinics.selectors import appointments_for_user
from feedback.models import Appeal
from feedback.selectors import appeals_for_user
from payments.selectors import copay_debt
from policies.cards import Group, PolicyCard
from policies.selectors import PolicyCards, card_policies_for_user, linked_insured_ids, policy_cards
from portal.accounts.models import User
from portal.core.models import AuditLogEntry


def policy_cards_for_user(user: User) -> PolicyCards:
    """The cards of «Мои полисы» in four queries whatever the number of policies and services:
    the links, the policies with their register data, the kinds of care (policies'), the co-pay
    debts (payments')."""
    found = card_policies_for_user(user)
    persons = found.copay_person_ids
    debts = copay_debt(insured_person_ids=persons) if persons else {}
    return policy_cards(found, debts=debts)


def policy_card_for_user(user: User, pk: int) -> PolicyCard | None:
    """One card of «Мои полисы»: all the person's cards are read (a fixed number of queries) so
    that a ВЗР policy opens inside its DMS policy's card; someone else's id matches none."""
    return next(
        (
            card
            for card in policy_cards_for_user(user).cards
            if pk in (card.policy.pk, card.companion.pk if card.companion else None)
        ),
        None,
    )


@dataclass(frozen=True)
class Dashboard:
    """What the home page shows: the person's policy tiles and what waits for them."""

    cards: list[PolicyCard]
    debt: Decimal  # unpaid co-pay of every insured person the cabinet shows
    next_visit: Appointment | None
    claims_waiting: list[Claim]  # the insurer asked for documents
    appeals_answered: list[Appeal]  # an answer to read

    @property
    def has_unpaid(self) -> bool:
        """The brief's «Проверить наличие неоплаченных полисов»: a policy awaiting payment or a
        co-pay debt."""
        return self.debt > 0 or any(c.group == Group.UNPAID for c in self.cards)


def dashboard_for_user(user: User, *, now: datetime.datetime | None = None) -> Dashboard:
    """The home page in a fixed number of queries (the policy cards' four, then one each for
    the next visit, the claims and the appeals)."""
    now = now or timezone.now()
    cards = policy_cards_for_user(user).cards
    debt = sum((c.debt for c in cards if c.debt), Decimal("0"))
    next_visit = (
        appointments_for_user(user)
        .filter(status=Appointment.Status.BOOKED, slot__starts_at__gte=now)
        .select_related("slot__doctor__clinic", "insured_person")
        .order_by("slot__starts_at", "pk")
        .first()
    )
    claims = list(
        claims_for_user(user).filter(status=Claim.Status.DOCUMENTS_REQUESTED).order_by("-pk")[:5]
    )
    appeals = list(appeals_for_user(user).filter(status=Appeal.Status.ANSWERED).order_by("-pk")[:5])
    return Dashboard(
        cards=cards,
        debt=debt,
        next_visit=next_visit,
        claims_waiting=claims,
        appeals_answered=appeals,
    )


def access_log_for_user(user: User) -> QuerySet[AuditLogEntry]:
    """The staff audit entries about the person: their account (and rows naming it) and the
    medical data of the insured persons their cabinet shows (their own policy, their children's),
    newest first."""
    return (
        AuditLogEntry.objects.filter(
            Q(person=user) | Q(insured_person_id__in=linked_insured_ids(user))
        )
        .select_related("staff_user")
        .prefetch_related("staff_user__groups")
        .order_by("-at", "-pk")
    )


def access_log_rows(entries: list[AuditLogEntry]) -> list[dict]:
    """What the person is told of each entry: the staff member's role and staff number (their
    account's number), never the name."""
    rows = []
    for entry in entries:
        staff = entry.staff_user
        roles = sorted(group.name for group in staff.groups.all())
        if not roles:
            roles = [_("Администратор системы") if staff.is_superuser else _("Сотрудник")]
        rows.append(
            {
                "at": entry.at,
                "role": ", ".join(roles),
                "staff_number": staff.pk,
                "action": entry.get_action_display(),
                "what": entry.what,
            }
        )
    return rows
