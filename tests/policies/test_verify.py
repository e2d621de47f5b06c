"""/verify/<token>/: public, says only whether the policy is valid today, with initials."""

import datetime

import pytest
from django.urls import reverse

from policies.models import Policy
from policies.services import policy_verify_token_ensure
from tests.factories import InsuredPersonFactory, PolicyFactory, today

pytestmark = pytest.mark.django_db


@pytest.fixture
def person():
    return InsuredPersonFactory(
        last_name="Смирнов", first_name="Алексей", middle_name="Петрович",
        birth_date=datetime.date(1988, 4, 12),
    )  # fmt: skip


def verify(client, policy):
    token = policy_verify_token_ensure(policy=policy)
    return client.get(reverse("policy_verify", args=[token]))


def test_a_valid_policy_says_so_with_initials_only(client, person):
    policy = PolicyFactory(insured_person=person)

    response = verify(client, policy)

    content = response.content.decode()
    assert response.status_code == 200
    assert f"Полис действителен на {today():%d.%m.%Y}" in content
    assert "С. А. П." in content
    for personal in ("Смирнов", "Алексей", "Петрович", "12.04.1988", "1988"):
        assert personal not in content
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


@pytest.mark.parametrize(
    "shape",
    [
        {"status": Policy.Status.CANCELLED},
        {"status": Policy.Status.EXPIRED},
        {"starts_on": today() - datetime.timedelta(days=400),
         "ends_on": today() - datetime.timedelta(days=35)},
        {"starts_on": today() + datetime.timedelta(days=3),
         "ends_on": today() + datetime.timedelta(days=300)},
    ],
    ids=["cancelled", "expired-status", "ended", "not-started"],
)  # fmt: skip
def test_a_policy_not_in_force_today_is_not_valid(client, person, shape):
    policy = PolicyFactory(insured_person=person, **shape)

    content = verify(client, policy).content.decode()

    assert "Полис не действует на" in content
    assert "Полис действителен" not in content


def test_an_unknown_token_is_not_found(client, db):
    response = client.get(reverse("policy_verify", args=["x" * 32]))

    assert response.status_code == 404
    assert "Полис не найден" in response.content.decode()


def test_the_token_is_random_made_once_and_not_the_id(person):
    policy = PolicyFactory(insured_person=person)

    token = policy_verify_token_ensure(policy=policy)

    assert len(token) >= 32 and str(policy.pk) != token
    assert policy_verify_token_ensure(policy=Policy.objects.get(pk=policy.pk)) == token
    other = PolicyFactory(insured_person=InsuredPersonFactory())
    assert policy_verify_token_ensure(policy=other) != token


def test_the_verify_page_needs_no_login(client, person):
    assert verify(client, PolicyFactory(insured_person=person)).status_code == 200
