"""A person sees only their own policies: bought by them, or of insured persons linked to them."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from policies.selectors import insured_persons_for_user, policies_for_user
from tests.factories import (
    InsuredPersonFactory,
    PolicyFactory,
    PolicyLinkFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def detail(policy) -> str:
    return reverse("policies:detail", args=[policy.pk])


def test_own_policy_opens(person_client, dms_policy):
    response = person_client.get(detail(dms_policy))

    assert response.status_code == 200
    assert dms_policy.number in response.content.decode()


def test_another_persons_policy_is_not_found(person_client, dms_policy):
    # given
    stranger_policy = PolicyFactory()
    PolicyLinkFactory(insured_person=stranger_policy.insured_person)

    # when
    response = person_client.get(detail(stranger_policy))

    # then
    assert response.status_code == 404
    assert stranger_policy.number not in response.content.decode()


def test_another_persons_bought_policy_is_not_found(person_client, dms_policy):
    osago = PolicyFactory(osago=True)

    assert person_client.get(detail(osago)).status_code == 404


def test_own_childs_linked_policy_opens(person_client, user, insured):
    # given
    child = InsuredPersonFactory(child=True, parent=insured)
    PolicyLinkFactory(user=user, insured_person=child)
    child_policy = PolicyFactory(insured_person=child)

    # when
    response = person_client.get(detail(child_policy))

    # then
    assert response.status_code == 200
    assert child.full_name in response.content.decode()


def test_childs_policy_without_a_link_is_not_found(person_client, insured):
    # a child in the register is not visible to the parent until linked
    child_policy = PolicyFactory(insured_person=InsuredPersonFactory(child=True, parent=insured))

    assert person_client.get(detail(child_policy)).status_code == 404


def test_bought_policy_held_by_the_user_opens(person_client, user):
    osago = PolicyFactory(osago=True, holder=user)

    assert person_client.get(detail(osago)).status_code == 200


def test_unlinked_policy_is_not_found_any_more(person_client, user, insured, dms_policy):
    # given
    insured.links.filter(user=user).update(unlinked_at=timezone.now())

    # when
    response = person_client.get(detail(dms_policy))

    # then
    assert response.status_code == 404
    assert dms_policy not in policies_for_user(user)
    assert insured not in insured_persons_for_user(user)


def test_policy_relinked_to_someone_else_is_gone_for_the_first_user(user, insured, dms_policy):
    # given
    insured.links.update(unlinked_at=timezone.now())
    newcomer = UserFactory()
    PolicyLinkFactory(user=newcomer, insured_person=insured)

    # then
    assert list(policies_for_user(user)) == []
    assert list(policies_for_user(newcomer)) == [dms_policy]


def test_policies_for_user_returns_each_policy_once(user, insured):
    # given: a policy the user both holds and sees through a link, whose insured person was also
    # linked before (by the user and by someone else) and unlinked
    long_ago = timezone.now() - datetime.timedelta(days=400)
    for previous_owner in (user, UserFactory()):
        PolicyLinkFactory(
            user=previous_owner, insured_person=insured, linked_at=long_ago, unlinked_at=long_ago
        )
    both_ways = PolicyFactory(insured_person=insured, holder=user)
    vzr = PolicyFactory(insured_person=insured, product="vzr")
    osago = PolicyFactory(osago=True, holder=user)

    # when
    found = list(policies_for_user(user))

    # then
    assert sorted(p.pk for p in found) == sorted([both_ways.pk, vzr.pk, osago.pk])
    assert list(insured_persons_for_user(user)) == [insured]


def test_policies_for_user_is_empty_for_a_new_person():
    assert list(policies_for_user(UserFactory())) == []


def test_policies_for_user_loads_the_card_data_in_two_queries(
    user, insured, django_assert_num_queries
):
    # one query for the linked insured persons' ids, one for the policies with their card data
    PolicyFactory(insured_person=insured)
    PolicyFactory(insured_person=insured, product="vzr")

    with django_assert_num_queries(2):
        names = [
            (p.insured_person.program.name, p.insured_person.contract.policyholder.name)
            for p in policies_for_user(user)
        ]
    assert len(names) == 2
