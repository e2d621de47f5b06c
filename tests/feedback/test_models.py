"""What the database refuses in appeals and guarantee letters."""

import datetime

import pytest
from django.utils import timezone

from feedback.models import Appeal, GuaranteeLetter
from tests.factories import AppealFactory, AppealMessageFactory, GuaranteeLetterFactory

pytestmark = pytest.mark.django_db


def test_not_provided_appeal_names_its_service_line(violates):
    with violates("appeal_not_provided_names_service"):
        AppealFactory(kind=Appeal.Kind.NOT_PROVIDED, service_line=None)


def test_not_provided_appeal_with_its_service_line_is_kept():
    appeal = AppealFactory(not_provided=True)

    assert appeal.service_line is not None
    assert list(appeal.service_line.appeals.all()) == [appeal]


@pytest.mark.parametrize("kind", [Appeal.Kind.REVIEW, Appeal.Kind.COMPLAINT, Appeal.Kind.THANKS])
def test_other_appeals_need_no_service_line(kind):
    appeal = AppealFactory(kind=kind)
    message = AppealMessageFactory(appeal=appeal)

    assert message.author == appeal.user
    assert appeal.service_line is None


def test_overdue_is_an_open_appeal_past_its_due_date():
    yesterday = timezone.localdate() - datetime.timedelta(days=1)

    assert AppealFactory(due_on=yesterday).is_overdue
    assert not AppealFactory(due_on=yesterday, status=Appeal.Status.ANSWERED).is_overdue
    assert not AppealFactory().is_overdue


def test_issued_guarantee_letter_needs_a_number(violates):
    with violates("guarantee_letter_issued_has_number"):
        GuaranteeLetterFactory(
            status=GuaranteeLetter.Status.ISSUED,
            number="",
            valid_until=timezone.localdate() + datetime.timedelta(days=30),
        )


def test_issued_guarantee_letter_needs_a_validity_date(violates):
    with violates("guarantee_letter_issued_has_number"):
        GuaranteeLetterFactory(
            status=GuaranteeLetter.Status.ISSUED, number="ГП-1", valid_until=None
        )


def test_requested_letter_has_no_number_yet_and_issued_one_has_both():
    requested = GuaranteeLetterFactory()
    issued = GuaranteeLetterFactory(issued=True)

    assert requested.number == "" and requested.valid_until is None
    assert issued.number and issued.valid_until > timezone.localdate()


def test_guarantee_letter_number_is_unique(violates):
    issued = GuaranteeLetterFactory(issued=True)
    GuaranteeLetterFactory()  # many requests have no number yet

    with violates():
        GuaranteeLetterFactory(issued=True, number=issued.number)
