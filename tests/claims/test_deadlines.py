"""The decision deadline: the rules' days counted from submission, standing still while
documents are requested."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone

from claims.deadlines import decision_deadline
from claims.models import Claim
from claims.rules import RULES, DayCount, days_after, days_between
from claims.services import claim_set_status
from policies.models import Policy

from .conftest import bought_policy, submit

pytestmark = pytest.mark.django_db
S = Claim.Status
MSK = datetime.timezone(datetime.timedelta(hours=3))


def test_osago_counts_calendar_days_except_public_holidays():
    # 40-ФЗ art. 12 p. 21: submitted on 25 December 2025, the 1st–8th of January are not counted
    start = datetime.date(2025, 12, 25)
    assert days_after(start, 20, DayCount.CALENDAR_EXCEPT_HOLIDAYS) == datetime.date(2026, 1, 22)
    assert days_after(start, 20, DayCount.CALENDAR) == datetime.date(2026, 1, 14)
    # an ordinary stretch: nothing skipped
    assert days_after(datetime.date(2026, 3, 10), 20, DayCount.CALENDAR_EXCEPT_HOLIDAYS) == (
        datetime.date(2026, 3, 30)
    )


def test_working_days_follow_the_production_calendar():
    # Wednesday 31 December 2025 + 5 working days = Friday 16 January 2026 (portal.core.dates)
    assert days_after(datetime.date(2025, 12, 31), 5, DayCount.WORKING) == datetime.date(
        2026, 1, 16
    )
    assert (
        days_between(datetime.date(2025, 12, 31), datetime.date(2026, 1, 16), DayCount.WORKING) == 5
    )
    assert (
        days_between(
            datetime.date(2026, 1, 1), datetime.date(2026, 1, 10), DayCount.CALENDAR_EXCEPT_HOLIDAYS
        )
        == 2
    )


def test_every_non_dms_product_has_rules_with_a_cited_deadline():
    assert set(RULES) == {p for p in Policy.Product.values if p != "dms"}
    for rules in RULES.values():
        assert rules.decision_days > 0 and str(rules.rule)
        assert rules.event_types and rules.refusals
    assert RULES["osago"].decision_days == 20
    assert "40-ФЗ" in str(RULES["osago"].rule)
    assert "repair" in RULES["kasko"].payouts and "repair" not in RULES["property"].payouts


def test_the_deadline_pauses_while_documents_are_requested(person, staff_user):
    # given: a КАСКО claim (30 working days) submitted on Monday 2 March 2026
    policy = bought_policy(
        person, starts_on=datetime.date(2026, 1, 1), ends_on=datetime.date(2026, 12, 31)
    )
    with time_machine.travel(datetime.datetime(2026, 3, 2, 10, 0, tzinfo=MSK), tick=False):
        claim = submit(person, policy, event_at=timezone.now() - datetime.timedelta(days=1))
        before = decision_deadline(claim)
    # 30 working days on (Monday 9 March is the day off moved from Sunday 8 March)
    assert before.due_on == datetime.date(2026, 4, 14)

    # when: documents are requested on Wednesday 4 March and come on Wednesday 11 March
    with time_machine.travel(datetime.datetime(2026, 3, 4, 12, 0, tzinfo=MSK), tick=False):
        claim_set_status(
            claim=claim, status=S.DOCUMENTS_REQUESTED, by=staff_user, requested=["photos"]
        )
    with time_machine.travel(datetime.datetime(2026, 3, 9, 12, 0, tzinfo=MSK), tick=False):
        waiting = decision_deadline(claim)
    with time_machine.travel(datetime.datetime(2026, 3, 11, 12, 0, tzinfo=MSK), tick=False):
        claim_set_status(claim=claim, status=S.UNDER_REVIEW, by=person)
        after = decision_deadline(claim)

    # then: while waiting, the date moves on with each working day (Thu 5, Fri 6 March so far)
    assert waiting.paused
    assert waiting.paused_days == 2
    assert waiting.due_on == datetime.date(2026, 4, 16)
    # and stays moved by the 4 working days of the pause once the documents came
    claim.refresh_from_db()
    assert claim.paused_days == 4 and claim.paused_since is None
    assert not after.paused
    assert after.due_on == datetime.date(2026, 4, 20)


def test_no_deadline_once_decided(person, kasko, staff_user):
    claim = submit(person, kasko)
    claim_set_status(claim=claim, status=S.UNDER_REVIEW, by=staff_user)
    assert decision_deadline(claim) is not None
    claim_set_status(claim=claim, status=S.APPROVED, by=staff_user, amount=Decimal("1000"))
    assert decision_deadline(claim) is None


def test_a_claim_without_stored_terms_takes_the_products(person, osago):
    claim = submit(person, osago)
    Claim.objects.filter(pk=claim.pk).update(decision_days=None, decision_day_count="")
    claim.refresh_from_db()
    deadline = decision_deadline(claim)
    assert deadline.terms.days == 20
    assert deadline.terms.count == DayCount.CALENDAR_EXCEPT_HOLIDAYS


def test_requesting_documents_needs_a_list_or_a_comment(person, kasko, staff_user):
    claim = submit(person, kasko)
    with pytest.raises(ValidationError, match="каких документов"):
        claim_set_status(claim=claim, status=S.DOCUMENTS_REQUESTED, by=staff_user)
    with pytest.raises(ValidationError, match="Неизвестный"):
        claim_set_status(
            claim=claim, status=S.DOCUMENTS_REQUESTED, by=staff_user, requested=["passport_scan"]
        )
    event = claim_set_status(
        claim=claim, status=S.DOCUMENTS_REQUESTED, by=staff_user, requested=["police", "police"]
    )
    assert event.details == {"requested": ["police"]}


def test_payment_records_amount_and_date_and_never_more_than_approved(person, kasko, staff_user):
    claim = submit(person, kasko)
    claim_set_status(claim=claim, status=S.UNDER_REVIEW, by=staff_user)
    claim_set_status(claim=claim, status=S.APPROVED, by=staff_user, amount=Decimal("48300.00"))

    with pytest.raises(ValidationError, match="больше одобренной"):
        claim_set_status(claim=claim, status=S.PAID, by=staff_user, amount=Decimal("48300.01"))
    with pytest.raises(ValidationError, match="будущем"):
        claim_set_status(
            claim=claim,
            status=S.PAID,
            by=staff_user,
            paid_on=timezone.localdate() + datetime.timedelta(days=1),
        )
    event = claim_set_status(claim=claim, status=S.PAID, by=staff_user, comment="п/п № 512")

    claim.refresh_from_db()
    assert claim.paid_amount == Decimal("48300.00") and claim.paid_on == timezone.localdate()
    assert event.details == {"amount": "48300.00", "paid_on": timezone.localdate().isoformat()}


def test_refusal_keeps_the_rule_quoted(person, kasko, staff_user):
    claim = submit(person, kasko)
    claim_set_status(claim=claim, status=S.UNDER_REVIEW, by=staff_user)
    event = claim_set_status(
        claim=claim,
        status=S.REFUSED,
        by=staff_user,
        comment="Водитель был в состоянии опьянения",
        rule="Правила, п. 4.3.2",
    )
    assert event.details == {"rule": "Правила, п. 4.3.2"}
