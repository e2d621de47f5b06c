"""Fixtures of the policies tests: a clean attempt counter, a private storage of the test's own,
the register row of a newcomer (Кузнецова of the demo register), and on-commit callbacks run."""

import datetime

import pytest
from django.core.cache import cache

from tests.factories import InsuredPersonFactory, UserFactory


@pytest.fixture(autouse=True)
def _fresh_attempt_counters():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def private_storage(settings, tmp_path):
    """Generated PDFs go to the test's own folder, never to var/private."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "private"), "base_url": None},
        },
    }
    return tmp_path / "private"


@pytest.fixture
def register_row(db):
    """A register row nobody has linked yet: «Кузнецова Ольга Игоревна», 15.02.1990."""
    return InsuredPersonFactory(
        policy_number="ДМС-0147-000900",
        last_name="Кузнецова",
        first_name="Ольга",
        middle_name="Игоревна",
        birth_date=datetime.date(1990, 2, 15),
    )


@pytest.fixture
def newcomer(db):
    """A fresh account with the data of the register row (and a passport)."""
    user = UserFactory(
        last_name="Кузнецова",
        first_name="Ольга",
        middle_name="Игоревна",
        birth_date=datetime.date(1990, 2, 15),
    )
    user.set_passport("4512", "654321")
    user.save()
    return user


@pytest.fixture
def newcomer_client(client, newcomer):
    client.force_login(newcomer)
    return client


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks):
    """Run transaction.on_commit callbacks (the queued Celery tasks, eager in tests)."""

    def run():
        return django_capture_on_commit_callbacks(execute=True)

    return run
