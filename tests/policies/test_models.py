"""What the database refuses in the register and the policies, whatever the code above it does."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from policies.models import InsuredPerson, Policy, PolicyLink
from tests.factories import (
    ContractFactory,
    InsuredPersonFactory,
    PolicyFactory,
    PolicyholderFactory,
    PolicyLinkFactory,
    ProgramFactory,
    UserFactory,
    inn_is_valid,
)

pytestmark = pytest.mark.django_db

JAN_1 = datetime.date(2026, 1, 1)
DEC_31 = datetime.date(2026, 12, 31)


def test_policyholder_factory_gives_a_valid_inn_and_a_wrong_one_is_refused():
    holder = PolicyholderFactory()

    assert inn_is_valid(holder.inn)
    holder.full_clean()
    holder.inn = "12345"
    with pytest.raises(ValidationError) as error:
        holder.full_clean()
    assert "ИНН" in str(error.value)


def test_contract_cannot_end_before_it_starts(violates):
    ContractFactory(starts_on=JAN_1, ends_on=JAN_1)  # a one-day contract is fine

    with violates("contract_ends_after_start"):
        ContractFactory(starts_on=DEC_31, ends_on=JAN_1)


def test_insured_person_cannot_end_before_start(violates):
    with violates("insured_ends_after_start"):
        InsuredPersonFactory(starts_on=DEC_31, ends_on=JAN_1)


def test_policy_cannot_end_before_start(violates):
    with violates("policy_ends_after_start"):
        PolicyFactory(starts_on=DEC_31, ends_on=JAN_1)


def test_policy_premium_is_not_negative(violates):
    with violates("policy_premium_not_negative"):
        PolicyFactory(osago=True, premium=Decimal("-1.00"))


@pytest.mark.parametrize("share", ["0", "20", "100"])
def test_program_copay_share_within_0_and_100_is_kept(share):
    program = ProgramFactory(copay_share=Decimal(share))

    program.refresh_from_db()
    assert program.copay_share == Decimal(share)
    assert program.has_copay is (share != "0")


@pytest.mark.parametrize("share", ["-0.01", "100.01", "150"])
def test_program_copay_share_outside_0_and_100_is_refused(violates, share):
    with violates("program_copay_share_0_100"):
        ProgramFactory(copay_share=Decimal(share))


def test_child_needs_a_parent(violates):
    with violates("insured_child_has_parent"):
        InsuredPersonFactory(relation=InsuredPerson.Relation.CHILD, parent=None)


def test_employee_must_not_have_a_parent(violates):
    someone = InsuredPersonFactory()

    with violates("insured_child_has_parent"):
        InsuredPersonFactory(relation=InsuredPerson.Relation.EMPLOYEE, parent=someone)


def test_child_with_a_parent_is_kept():
    child = InsuredPersonFactory(child=True)

    assert child.parent.relation == InsuredPerson.Relation.EMPLOYEE
    assert list(child.parent.children.all()) == [child]


def test_dms_policy_needs_an_insured_person(violates):
    with violates("policy_owner_matches_product"):
        PolicyFactory(product=Policy.Product.DMS, insured_person=None, holder=UserFactory())


def test_vzr_policy_belongs_to_an_insured_person_or_to_its_buyer(violates):
    bought = PolicyFactory(product=Policy.Product.VZR, insured_person=None, holder=UserFactory())
    assert not bought.is_register and bought.has_pdf  # the insurer's document, once issued
    with violates("policy_owner_matches_product"):
        PolicyFactory(product=Policy.Product.VZR, insured_person=None, holder=None)


@pytest.mark.parametrize("product", [Policy.Product.OSAGO, Policy.Product.KASKO])
def test_bought_policy_needs_a_holder(violates, product):
    with violates("policy_owner_matches_product"):
        PolicyFactory(product=product, insured_person=InsuredPersonFactory(), holder=None)


def test_policies_with_the_right_owner_are_kept():
    dms = PolicyFactory()
    osago = PolicyFactory(osago=True)

    assert dms.insured_person is not None and dms.is_medical
    assert osago.holder is not None and not osago.is_medical


def test_policy_number_is_unique_per_product(violates):
    PolicyFactory(number="7700000001")
    PolicyFactory(osago=True, number="7700000001")  # another product may reuse it

    with violates():
        PolicyFactory(number="7700000001")


def test_a_register_policy_number_is_taken_once(violates):
    InsuredPersonFactory(policy_number="ДМС-0147-000123")

    with violates():
        InsuredPersonFactory(policy_number="ДМС-0147-000123")


def test_a_verify_token_is_given_to_one_policy_only_and_most_have_none(violates):
    # given: many policies without a token (NULL is not a value that could repeat)
    first, second, third = PolicyFactory.create_batch(3)
    assert {p.verify_token for p in (first, second, third)} == {None}
    Policy.objects.filter(pk=first.pk).update(verify_token="t" * 32)

    # when / then: the same token on another policy fails
    with violates():
        Policy.objects.filter(pk=second.pk).update(verify_token="t" * 32)
    assert Policy.objects.get(verify_token="t" * 32) == first


def test_one_active_link_per_insured_person(violates):
    # given
    person = InsuredPersonFactory()
    first = PolicyLinkFactory(insured_person=person)

    # when / then: a second active link fails
    with violates():
        PolicyLinkFactory(insured_person=person)

    # a new link after unlinking works
    first.unlinked_at = timezone.now()
    first.save()
    second = PolicyLinkFactory(insured_person=person)
    assert second.relation == PolicyLink.Relation.SELF
    assert person.links.filter(unlinked_at__isnull=True).get() == second
