"""Passport numbers are encrypted at rest and read back in clear only through the model."""

import pytest
from django.db import connection

from portal.accounts.models import User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def raw_passport_column(user: User) -> str:
    table = connection.ops.quote_name(User._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT passport FROM {table} WHERE id = %s", [user.pk])  # noqa: S608
        return cursor.fetchone()[0]


def test_value_read_back_equals_what_was_saved():
    # given
    user = UserFactory()
    user.set_passport("4510", "123456")
    user.save()

    # when
    again = User.objects.get(pk=user.pk)

    # then
    assert again.passport == "4510123456"


def test_database_holds_no_clear_passport_digits():
    user = UserFactory()
    user.set_passport("4510", "123456")
    user.save()

    stored = raw_passport_column(user)

    assert stored
    assert "4510" not in stored
    assert "123456" not in stored


def test_the_same_passport_is_encrypted_differently_each_time():
    first, second = UserFactory.create_batch(2)
    first.passport = second.passport = "4510123456"
    first.save()
    second.save()

    assert raw_passport_column(first) != raw_passport_column(second)


def test_empty_passport_stays_empty():
    user = UserFactory()

    assert raw_passport_column(user) == ""
    assert User.objects.get(pk=user.pk).passport == ""


def test_masked_passport_hides_the_middle():
    user = UserFactory()
    user.set_passport("4510", "123456")

    masked = user.passport_masked

    assert masked == "45** ******56"
    assert "10" not in masked and "1234" not in masked
    assert UserFactory.build().passport_masked == ""
