"""The decision deadline of a payout case: the rules' term counted from the day of submission,
moved by the days documents were awaited (the term stands still while they are)."""

import datetime
from dataclasses import dataclass

from django.utils import timezone

from .models import Claim
from .rules import DayCount, days_after, days_between, decision_term_text, rules_for


@dataclass(frozen=True)
class DecisionTerms:
    days: int
    count: DayCount
    rule: str

    @property
    def text(self) -> str:
        """«20 календарных дней, не считая нерабочих праздничных»"""
        return decision_term_text(self.days, self.count)


def decision_terms(claim: Claim) -> DecisionTerms | None:
    """The terms kept with the claim at submission; for an older claim, the product's rules."""
    if claim.decision_days:
        return DecisionTerms(
            days=claim.decision_days,
            count=DayCount(claim.decision_day_count or DayCount.CALENDAR),
            rule=claim.decision_rule,
        )
    rules = rules_for(claim.policy.product)
    if rules is None:
        return None
    return DecisionTerms(days=rules.decision_days, count=rules.day_count, rule=str(rules.rule))


@dataclass(frozen=True)
class Deadline:
    due_on: datetime.date
    terms: DecisionTerms
    paused: bool  # documents are awaited now: the date moves on each day until they come
    paused_days: int  # counted days the term stood still, the current pause included
    overdue: bool


def decision_deadline(claim: Claim, *, today: datetime.date | None = None) -> Deadline | None:
    """When the decision is due; None once it is made (or for a product without rules)."""
    if claim.is_decided:
        return None
    terms = decision_terms(claim)
    if terms is None:
        return None
    today = today or timezone.localdate()
    paused_days = claim.paused_days
    if claim.paused_since is not None:
        paused_days += days_between(claim.paused_since, today, terms.count)
    due_on = days_after(claim.submitted_on, terms.days + paused_days, terms.count)
    return Deadline(
        due_on=due_on,
        terms=terms,
        paused=claim.paused_since is not None,
        paused_days=paused_days,
        overdue=claim.paused_since is None and today > due_on,
    )
