"""A person who lost the phone confirms a change of login data written by support with a fresh
login through Госуслуги: over real HTTP against the ESIA emulator on the live server."""

import re
import time
from html import unescape

import pytest
from allauth.socialaccount.models import SocialAccount
from django.core.exceptions import ValidationError
from django.urls import reverse

from portal.accounts.models import IdentifierChangeRequest
from portal.accounts.services import (
    identifier_change_confirm_by_esia,
    identifier_change_request_create,
)
from portal.accounts.services.identity import esia_login_is_fresh
from tests.esia import conftest as esia_conftest
from tests.esia.conftest import CALLBACK_PATH, KIM, SOKOLOVA, Visitor
from tests.factories import StaffUserFactory

from .conftest import verified_person

# The ESIA tests' fixtures: the portal and the emulator on the live server, with session keys.
esia_keys = esia_conftest.esia_keys
esia = esia_conftest.esia
visitor = esia_conftest.visitor

NEW_PHONE = "+79035554433"


def _form_action(html: str, button_text: str) -> str:
    """The action of the form whose button says `button_text`."""
    for match in re.finditer(r'<form[^>]*action="([^"]*)"[^>]*>(.*?)</form>', html, re.S):
        if button_text in match.group(2):
            return unescape(match.group(1))
    raise AssertionError(f"no form with «{button_text}»")


def _person_with_esia(uid: str = SOKOLOVA):
    person = verified_person(email="lost.phone@example.com", phone="+79161112233")
    SocialAccount.objects.create(user=person, provider="esia", uid=uid)
    return person


def _log_in(visitor: Visitor, client, person) -> None:
    client.force_login(person)
    visitor.session.cookies.set("sessionid", client.cookies["sessionid"].value)


@pytest.mark.django_db(transaction=True)
def test_a_fresh_esia_login_confirms_a_phone_change_end_to_end(esia, visitor, client):
    # given: support wrote a phone change for a person whose ESIA account is linked
    person = _person_with_esia()
    change_request = identifier_change_request_create(
        user=person, staff_user=StaffUserFactory(), field="phone", new_value=NEW_PHONE
    )
    _log_in(visitor, client, person)
    page_path = reverse("accounts:identifier_change", args=[change_request.pk])
    page = visitor.get(page_path)
    assert page.status_code == 200
    assert "Подтвердить смену" not in _esia_part(page.text)

    # when: they log in through ESIA from the request's page, as themselves
    to_esia = visitor.post(_form_action(page.text, "Войти через Госуслуги"), {})
    assert to_esia.status_code == 302, to_esia.text[:300]
    back = visitor.pick_person(visitor.consent_page(to_esia.headers["Location"]), SOKOLOVA)
    assert CALLBACK_PATH in back.headers["Location"]
    landed = visitor.follow(visitor.get(back.headers["Location"]))

    # then: back on the page, which now offers to confirm
    assert landed.status_code == 200 and landed.url.endswith(page_path), landed.url
    assert "Вы вошли через Госуслуги" in landed.text
    done = visitor.post(_form_action(landed.text, "Подтвердить смену"), {})

    assert done.status_code == 302 and done.headers["Location"] == reverse("accounts:profile")
    person.refresh_from_db()
    change_request.refresh_from_db()
    assert person.phone == NEW_PHONE and person.phone_confirmed_at is not None
    assert (change_request.status, change_request.confirmed_by) == ("confirmed", "esia")


@pytest.mark.django_db(transaction=True)
def test_an_esia_login_as_someone_else_confirms_nothing(esia, visitor, client):
    # given: the person's linked ESIA account is Sokolova's; Kim's is another person's
    person = _person_with_esia()
    owner_of_kim = verified_person(email="kim.owner@example.com")
    SocialAccount.objects.create(user=owner_of_kim, provider="esia", uid=KIM)
    change_request = identifier_change_request_create(
        user=person, staff_user=StaffUserFactory(), field="phone", new_value=NEW_PHONE
    )
    _log_in(visitor, client, person)
    page = visitor.get(reverse("accounts:identifier_change", args=[change_request.pk]))

    # when: the ESIA login is Kim's — the session becomes Kim's owner's
    to_esia = visitor.post(_form_action(page.text, "Войти через Госуслуги"), {})
    back = visitor.pick_person(visitor.consent_page(to_esia.headers["Location"]), KIM)
    visitor.follow(visitor.get(back.headers["Location"]))
    answer = visitor.post(reverse("accounts:identifier_change_esia", args=[change_request.pk]), {})

    # then: the request is not theirs to see, and nothing changed
    assert answer.status_code == 404
    person.refresh_from_db()
    change_request.refresh_from_db()
    assert person.phone != NEW_PHONE and change_request.status == "pending"


def _esia_part(html: str) -> str:
    start = html.find('id="confirm-esia"')
    return html[start:] if start >= 0 else ""


# --- what counts as a fresh ESIA login ----------------------------------------------------------


@pytest.fixture
def esia_request(db):
    person = _person_with_esia()
    return identifier_change_request_create(
        user=person, staff_user=StaffUserFactory(), field="phone", new_value=NEW_PHONE
    )


def _record(uid=SOKOLOVA, method="socialaccount", at=None, ago: float = 0):
    at = at if at is not None else time.time() - ago
    return {"method": method, "provider": "esia", "uid": uid, "at": at}


@pytest.mark.parametrize(
    ("changes", "fresh"),
    [
        ({}, True),
        ({"uid": KIM}, False),  # another ESIA account
        ({"method": "password"}, False),
        ({"ago": 6 * 60}, False),  # older than five minutes
        ({"ago": -3600}, False),  # from the future
    ],
    ids=["fresh", "other-uid", "password", "stale", "future"],
)
def test_only_a_recent_login_with_the_linked_esia_account_counts(
    esia_request, time_machine, changes, fresh
):
    # the request was written ten minutes ago; the login is now (or as the case says)
    time_machine.move_to(esia_request.created_at, tick=False)
    time_machine.shift(600)

    answer = esia_login_is_fresh(
        user=esia_request.user,
        authentication_records=[_record(**changes)],
        since=esia_request.created_at,
    )

    assert answer is fresh


def test_an_esia_login_before_the_request_does_not_count(esia_request):
    before = esia_request.created_at.timestamp() - 1

    with pytest.raises(ValidationError, match="Госуслуги"):
        identifier_change_confirm_by_esia(
            change_request=esia_request, authentication_records=[_record(at=before)]
        )

    esia_request.refresh_from_db()
    assert esia_request.status == IdentifierChangeRequest.Status.PENDING
