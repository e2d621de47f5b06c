"""Fixtures shared by the suite: a person with a linked DMS policy, staff users, logged-in clients.

Clients log in with `force_login`: django-axes' authentication backend needs the request, which
`client.login` does not pass.
"""

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager

import pytest
from django.db import IntegrityError, transaction

from tests.factories import (
    InsuredPersonFactory,
    PolicyFactory,
    PolicyLinkFactory,
    StaffUserFactory,
    SuperUserFactory,
    UserFactory,
)


@pytest.fixture
def broker(settings):
    """Celery's broker for one test: `broker.down()` makes it unreachable (tests/broker.py)."""
    from tests.broker import Broker

    broker = Broker(settings)
    yield broker
    broker.restore()


@pytest.fixture
def user(db):
    return UserFactory()


@pytest.fixture
def insured(user):
    """The register row of `user` themselves, linked to the account."""
    person = InsuredPersonFactory(
        last_name=user.last_name,
        first_name=user.first_name,
        middle_name=user.middle_name,
        birth_date=user.birth_date,
        email=user.email,
    )
    PolicyLinkFactory(user=user, insured_person=person)
    return person


@pytest.fixture
def dms_policy(insured):
    return PolicyFactory(insured_person=insured)


@pytest.fixture
def person_client(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def staff_user(db):
    return StaffUserFactory()


@pytest.fixture
def superuser(db):
    return SuperUserFactory()


def staff_login(client, user):
    """Log a staff user into the admin. Every admin test logs staff in through this one function,
    so that the staff two-factor requirement is met in one place: the user gets a TOTP
    authenticator (allauth.mfa), and the session is marked as having passed it the way allauth
    records a second factor (record_authentication, method "mfa")."""
    from allauth.account.internal.flows.login import record_authentication
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
    from django.http import HttpRequest

    authenticator = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
    if authenticator is None:
        authenticator = TOTP.activate(user, generate_totp_secret()).instance
    client.force_login(user)
    request = HttpRequest()
    request.session = client.session
    record_authentication(request, user, "mfa", id=authenticator.pk, type=authenticator.type)
    request.session.save()
    return client


@pytest.fixture
def superuser_client(client, superuser):
    return staff_login(client, superuser)


@contextmanager
def _violates(constraint: str | None = None) -> Iterator[None]:
    """The block must fail in the database; a CHECK constraint is also named in the error (both
    SQLite and PostgreSQL name it; for UNIQUE ones SQLite names the columns instead)."""
    with pytest.raises(IntegrityError) as failure, transaction.atomic():
        yield
    if constraint is not None:
        assert constraint in str(failure.value)


@pytest.fixture
def violates() -> Callable[..., AbstractContextManager[None]]:
    return _violates
