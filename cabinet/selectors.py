"""Reads that put several apps' data together for one page."""

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from payments.selectors import copay_debt
from policies.cards import PolicyCard
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
