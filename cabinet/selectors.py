"""Reads that put several apps' data together for one page."""

from payments.selectors import copay_debt
from policies.selectors import PolicyCards, card_policies_for_user, policy_cards
from portal.accounts.models import User


def policy_cards_for_user(user: User) -> PolicyCards:
    """The cards of «Мои полисы» in four queries whatever the number of policies and services:
    the links, the policies with their register data, the kinds of care (policies'), the co-pay
    debts (payments')."""
    found = card_policies_for_user(user)
    persons = found.copay_person_ids
    debts = copay_debt(insured_person_ids=persons) if persons else {}
    return policy_cards(found, debts=debts)
