"""«Активация полиса»: a boxed card becomes the person's policy once, after its waiting period."""

import datetime
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from policies.models import BoxedPolicyCard, Policy
from policies.services import DEMO_BOXED_CARDS, boxed_cards_seed
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
ACTIVATE = "/policies/activate/"


@pytest.fixture
def card(db):
    card = BoxedPolicyCard(
        number="НС-2026-000101",
        product=Policy.Product.ACCIDENT,
        title="«Защита 24» — от несчастного случая",
        waiting_days=5,
        term_days=365,
        sum_insured=Decimal("500000"),
        premium=Decimal("1990"),
    )
    card.set_code("4827-1593")
    card.save()
    return card


def activate(client, number="НС-2026-000101", code="4827-1593"):
    return client.post(ACTIVATE, {"number": number, "code": code})


def csrf_free(content: bytes) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", content.decode())


def test_the_form_has_number_and_code(person_client):
    content = person_client.get(ACTIVATE).content.decode()

    assert 'name="number"' in content and 'name="code"' in content


def test_a_card_becomes_the_persons_policy_after_the_waiting_period(
    person_client, user, card, time_machine
):
    time_machine.move_to("2026-04-01 12:00 +03:00", tick=False)
    person_client.force_login(user)

    response = activate(person_client, number=" нс-2026-000101 ", code="4827 1593")

    # the policy is the person's, starts after the waiting period, shows in «Мои полисы»
    policy = Policy.objects.get(number="НС-2026-000101")
    assert response.status_code == 302
    assert response["Location"] == f"/policies/#policy-{policy.pk}"
    assert (policy.holder, policy.product, policy.status) == (user, "accident", "active")
    assert policy.starts_on == datetime.date(2026, 4, 6)
    assert policy.ends_on == datetime.date(2027, 4, 5)
    assert policy.premium == Decimal("1990")
    card.refresh_from_db()
    assert (card.activated_by, card.policy) == (user, policy)
    content = person_client.get(reverse("policies:list")).content.decode()
    assert "Страхование от несчастного случая" in content
    assert "Вступит в силу 06.04.2026" in content
    assert "«Защита 24» — от несчастного случая" in content


def test_a_code_works_once(person_client, card):
    activate(person_client)
    other = UserFactory()
    person_client.force_login(other)

    content = activate(person_client).content.decode()

    assert "уже активирован" in content
    assert Policy.objects.filter(number=card.number).count() == 1
    assert not Policy.objects.filter(holder=other).exists()


def test_a_wrong_code_and_an_unknown_number_get_the_same_answer(person_client, card):
    wrong_code = activate(person_client, code="0000-0000")
    unknown = activate(person_client, number="НС-2026-000999", code="0000-0000")

    assert wrong_code.status_code == unknown.status_code == 200
    typed = csrf_free(wrong_code.content).replace('value="НС-2026-000101"', "N")
    assert typed == csrf_free(unknown.content).replace('value="НС-2026-000999"', "N")
    assert "Неверный номер полиса или код активации" in wrong_code.content.decode()
    assert not Policy.objects.exists()


def test_five_wrong_codes_for_a_number_lock_it_for_everyone(client, card):
    for _ in range(5):
        client.force_login(UserFactory())
        activate(client, code="0000-0000")
    client.force_login(UserFactory())

    response = activate(client)  # the right code, the sixth try at the number

    assert response.status_code == 429
    assert not Policy.objects.exists()


def test_ten_tries_a_person(person_client, card):
    for n in range(10):
        activate(person_client, number=f"НС-2026-{n:06d}")

    response = activate(person_client)

    assert response.status_code == 429
    assert not Policy.objects.exists()


def test_an_expired_card_is_refused(person_client, card):
    card.activate_by = datetime.date(2020, 1, 1)
    card.save()

    content = activate(person_client).content.decode()

    assert "Срок активации этого полиса истёк" in content
    assert not Policy.objects.exists()


def test_the_code_is_stored_hashed(card):
    assert "48271593" not in card.code_hash and "4827" not in card.code_hash
    assert card.check_code("4827-1593") and not card.check_code("4827-1594")


def test_a_boxed_card_is_of_a_boxed_product(violates):
    with violates("boxedcard_product_is_boxed"):
        BoxedPolicyCard.objects.create(number="X-1", product="dms", title="x", code_hash="x")


def test_an_activated_card_names_its_policy_and_who_activated_it(violates, user):
    with violates("boxedcard_activation_complete"):
        BoxedPolicyCard.objects.create(
            number="X-2",
            product="accident",
            title="x",
            code_hash="x",
            activated_by=user,
        )


def test_the_demo_cards_are_seeded_once(client):
    first = boxed_cards_seed()
    again = boxed_cards_seed()

    assert first == again == list(DEMO_BOXED_CARDS)
    assert BoxedPolicyCard.objects.count() == len(DEMO_BOXED_CARDS)
    user = UserFactory()
    client.force_login(user)
    for seed in DEMO_BOXED_CARDS:
        assert activate(client, number=seed.number, code=seed.code).status_code == 302
    assert Policy.objects.filter(holder=user).count() == len(DEMO_BOXED_CARDS)
