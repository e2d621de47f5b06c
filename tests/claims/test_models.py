"""What the database refuses in the service lines of clinic registers."""

from decimal import Decimal

import pytest

from tests.factories import ServiceLineFactory

pytestmark = pytest.mark.django_db


def test_register_line_is_unique_per_clinic(violates):
    # given
    line = ServiceLineFactory(register_number="R-2026-03", line_number=7)
    ServiceLineFactory(clinic=line.clinic, register_number="R-2026-04", line_number=7)
    ServiceLineFactory(register_number="R-2026-03", line_number=7)  # another clinic

    # when / then
    with violates():
        ServiceLineFactory(clinic=line.clinic, register_number="R-2026-03", line_number=7)


def test_copay_cannot_exceed_the_amount(violates):
    with violates("serviceline_copay_within_amount"):
        ServiceLineFactory(amount=Decimal("1000.00"), copay_amount=Decimal("1000.01"))


def test_copay_up_to_the_amount_is_kept():
    line = ServiceLineFactory(amount=Decimal("1000.00"), copay_amount=Decimal("1000.00"))

    line.refresh_from_db()
    assert line.copay_amount == line.amount == Decimal("1000.00")


def test_copay_and_amount_are_not_negative(violates):
    with violates("serviceline_copay_within_amount"):
        ServiceLineFactory(copay_amount=Decimal("-1.00"))
    with violates("serviceline_amount_positive"):
        ServiceLineFactory(amount=Decimal("-1.00"), copay_amount=Decimal("-2.00"))


def test_quantity_is_at_least_one(violates):
    with violates("serviceline_quantity_min_1"):
        ServiceLineFactory(quantity=0)
