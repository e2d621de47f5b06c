"""One account per e-mail (in any letter case) and per passport."""

import pytest
from django.utils import timezone

from portal.accounts.models import Consent, User
from portal.core.fields import blind_index
from tests.factories import ConsentFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_email_is_unique_whatever_the_letter_case(violates):
    User.objects.create(email="Anna.Petrova@Example.com")

    with violates():
        User.objects.create(email="anna.petrova@example.com")


def test_manager_stores_the_email_in_lower_case_and_finds_it_in_any_case():
    user = User.objects.create_user("Ivan.Ivanov@Example.COM", "x-pass-2026")

    assert user.email == "ivan.ivanov@example.com"
    assert User.objects.get_by_natural_key("IVAN.IVANOV@example.com") == user


def test_one_account_per_passport(violates):
    # given
    first = UserFactory()
    first.set_passport("4510", "123456")
    first.save()
    second = UserFactory()
    second.set_passport("4510", "123456")

    # when / then
    with violates():
        second.save()


def test_accounts_without_a_passport_do_not_collide():
    users = UserFactory.create_batch(3)

    assert {u.passport_index for u in users} == {""}


def test_set_passport_keeps_a_blind_index_not_the_number():
    user = UserFactory()

    user.set_passport("4510", "123456")

    assert user.passport_index == blind_index("4510123456")
    assert "123456" not in user.passport_index


def test_one_active_consent_per_document_version(violates):
    # given
    consent = ConsentFactory()

    # then
    with violates():
        ConsentFactory(user=consent.user)

    consent.withdrawn_at = timezone.now()
    consent.save()
    again = ConsentFactory(user=consent.user)
    assert again.document == Consent.Document.PERSONAL_DATA
