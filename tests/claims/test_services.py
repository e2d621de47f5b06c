"""claim_set_status: the only way a payout case moves, one allowed step and one event at a time."""

import re
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from claims.models import Claim, ClaimEvent
from claims.services import claim_set_status
from tests.factories import ClaimFactory, StaffUserFactory

pytestmark = pytest.mark.django_db

CYRILLIC = re.compile(r"[а-яё]", re.IGNORECASE)
S = Claim.Status


@pytest.fixture
def operator():
    return StaffUserFactory()


def assert_refused_and_unchanged(claim: Claim, **kwargs) -> ValidationError:
    """The call raises a ValidationError in Russian; the claim and its history stay as they were."""
    status_before, amount_before = claim.status, claim.approved_amount
    events_before = list(ClaimEvent.objects.filter(claim=claim).values_list("pk", flat=True))

    with pytest.raises(ValidationError) as refused:
        claim_set_status(claim=claim, **kwargs)

    for message in refused.value.messages:
        assert CYRILLIC.search(message), message
    stored = Claim.objects.get(pk=claim.pk)
    assert (stored.status, stored.approved_amount) == (status_before, amount_before)
    assert (claim.status, claim.approved_amount) == (status_before, amount_before)
    assert list(ClaimEvent.objects.filter(claim=claim).values_list("pk", flat=True)) == (
        events_before
    )
    return refused.value


def test_allowed_path_to_payout_writes_one_event_per_step(operator):
    # given
    claim = ClaimFactory()

    # when
    claim_set_status(claim=claim, status=S.UNDER_REVIEW, by=operator)
    claim_set_status(claim=claim, status=S.APPROVED, by=operator, amount=Decimal("48300.00"))
    claim_set_status(claim=claim, status=S.PAID, by=operator, comment="платёжное поручение 512")

    # then
    claim.refresh_from_db()
    assert claim.status == S.PAID
    assert claim.approved_amount == Decimal("48300.00")
    steps = list(claim.events.values_list("from_status", "to_status", "by", "comment"))
    assert steps == [
        (S.SUBMITTED, S.UNDER_REVIEW, operator.pk, ""),
        (S.UNDER_REVIEW, S.APPROVED, operator.pk, ""),
        (S.APPROVED, S.PAID, operator.pk, "платёжное поручение 512"),
    ]


def test_the_passed_claim_object_follows_the_stored_status(operator):
    claim = ClaimFactory(status=S.UNDER_REVIEW)

    event = claim_set_status(claim=claim, status=S.APPROVED, by=operator, amount=Decimal("1"))

    assert claim.status == S.APPROVED
    assert claim.approved_amount == Decimal("1")
    assert event.claim_id == claim.pk


def test_documents_can_be_requested_and_the_review_resumed(operator):
    claim = ClaimFactory()

    claim_set_status(claim=claim, status=S.DOCUMENTS_REQUESTED, by=operator, comment="фото ДТП")
    claim_set_status(claim=claim, status=S.UNDER_REVIEW, by=None)

    assert claim.events.count() == 2
    assert claim.events.last().by is None


def test_refusal_with_a_reason_is_recorded(operator):
    claim = ClaimFactory(status=S.UNDER_REVIEW)

    claim_set_status(claim=claim, status=S.REFUSED, by=operator, comment="п. 4.2 правил")

    claim.refresh_from_db()
    assert claim.status == S.REFUSED
    assert claim.events.get().comment == "п. 4.2 правил"


def test_skipping_steps_is_refused(operator):
    error = assert_refused_and_unchanged(ClaimFactory(), status=S.PAID, by=operator)

    assert "не допускается" in error.messages[0]


@pytest.mark.parametrize("final", [S.PAID, S.REFUSED])
@pytest.mark.parametrize("target", [S.SUBMITTED, S.UNDER_REVIEW, S.APPROVED, S.PAID])
def test_a_closed_case_never_moves(operator, final, target):
    claim = ClaimFactory(status=final)

    assert_refused_and_unchanged(
        claim, status=target, by=operator, amount=Decimal("100"), comment="повторно"
    )


@pytest.mark.parametrize("amount", [None, Decimal("0"), Decimal("-10.00")])
def test_approval_needs_a_positive_amount(operator, amount):
    claim = ClaimFactory(status=S.UNDER_REVIEW)

    error = assert_refused_and_unchanged(claim, status=S.APPROVED, by=operator, amount=amount)

    assert "сумму" in error.messages[0]


@pytest.mark.parametrize("comment", ["", "   "])
def test_refusal_needs_a_reason(operator, comment):
    claim = ClaimFactory(status=S.UNDER_REVIEW)

    error = assert_refused_and_unchanged(claim, status=S.REFUSED, by=operator, comment=comment)

    assert "причину" in error.messages[0]
