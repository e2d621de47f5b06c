"""Brute force and sessions: django-axes locks a login after five failures (Russian page), a
password reset or an operator unlocks it; idle and old sessions end; «выйти везде»."""

import re
import time

import pytest
from axes.models import AccessAttempt
from django.core import mail
from django.urls import reverse

from portal.accounts.middleware import LOGIN_AT_KEY, SEEN_AT_KEY
from portal.accounts.models import AccountEvent, RememberedDevice
from portal.accounts.services import account_unlock

from .conftest import password_login

pytestmark = pytest.mark.django_db


def current_user(client):
    return client.get("/").context["user"]


def fail_logins(client, user, times: int):
    return [password_login(client, user, password="wrong-password-1") for _n in range(times)]


# --- lockout --------------------------------------------------------------------------------


def test_four_failures_still_let_the_right_password_in(client, person):
    fail_logins(client, person, 4)

    response = password_login(client, person)

    assert response.status_code == 302
    assert current_user(client) == person


def test_five_failures_lock_the_login_with_a_russian_page(client, person):
    # when
    responses = fail_logins(client, person, 5)
    after = password_login(client, person)

    # then: the fifth failure and then the right password get the lockout page
    assert [r.status_code for r in responses[:4]] == [200] * 4
    for locked in (responses[4], after):
        assert locked.status_code == 429
        assert "account/lockout.html" in [t.name for t in locked.templates]
        page = locked.content.decode()
        assert "Вход временно заблокирован" in page
        assert "неверно 5 раз подряд" in page
        assert reverse("account_reset_password") in page
    assert current_user(client).is_anonymous


def test_the_lockout_counts_the_email_in_any_letter_case(client, person):
    for email in (person.email.upper(), person.email, person.email.title(), person.email, " x"):
        client.post("/accounts/login/", {"login": email.strip(), "password": "wrong-1"})

    assert AccessAttempt.objects.get(username=person.email).failures_since_start == 4


def test_a_password_reset_by_email_unlocks_the_login(client, person):
    # given: a locked login
    fail_logins(client, person, 5)
    assert password_login(client, person).status_code == 429

    # when: the password is reset through the e-mailed link
    client.post(reverse("account_reset_password"), {"email": person.email})
    link = re.search(r"http://testserver(/accounts/password/reset/key/\S+/)", mail.outbox[-1].body)
    form_page = client.get(link.group(1), follow=True)
    assert form_page.status_code == 200
    set_url = form_page.redirect_chain[-1][0] if form_page.redirect_chain else link.group(1)
    done = client.post(set_url, {"password1": "Nw4-fresh-meadow", "password2": "Nw4-fresh-meadow"})
    assert done.status_code == 302

    # then: the new password logs in at once
    response = password_login(client, person, password="Nw4-fresh-meadow")
    assert response.status_code == 302
    assert current_user(client) == person
    assert AccountEvent.objects.filter(user=person, kind=AccountEvent.Kind.PASSWORD_RESET).exists()


def test_the_operator_unlocks_a_login(client, person):
    fail_logins(client, person, 5)

    cleared = account_unlock(email=person.email.upper())

    assert cleared == 1
    assert password_login(client, person).status_code == 302
    assert AccountEvent.objects.filter(user=person, kind=AccountEvent.Kind.UNLOCKED).exists()


def test_unlocking_a_login_that_is_not_locked_changes_nothing(person):
    assert account_unlock(email=person.email) == 0
    assert not AccountEvent.objects.filter(kind=AccountEvent.Kind.UNLOCKED).exists()


def test_the_lockout_page_renders_on_its_own(rf, person):
    from django.shortcuts import render

    request = rf.get("/")
    request.user = person
    response = render(
        request, "account/lockout.html", {"failure_limit": 5, "username": person.email}
    )

    assert "Вход временно заблокирован" in response.content.decode()


def test_password_reset_requests_are_rate_limited(client, person):
    statuses = [
        client.post(reverse("account_reset_password"), {"email": person.email}).status_code
        for _n in range(7)
    ]

    assert statuses[:5] == [302] * 5
    assert 429 in statuses[5:]
    assert len(mail.outbox) == 5


# --- sessions -------------------------------------------------------------------------------


def age_session(client, *, idle: int = 0, since_login: int = 0) -> None:
    session = client.session
    now = int(time.time())
    session[SEEN_AT_KEY] = now - idle
    session[LOGIN_AT_KEY] = now - since_login
    session.save()


def test_a_session_idle_for_30_minutes_ends(client, person, settings):
    # given
    client.force_login(person)
    age_session(client, idle=settings.SESSION_IDLE_SECONDS + 1)

    # when
    response = client.get(reverse("accounts:profile"))

    # then
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))
    assert "next=%2Fprofile%2F" in response.url
    assert current_user(client).is_anonymous


def test_an_idle_htmx_request_is_sent_to_the_login_page_as_a_whole(client, person, settings):
    client.force_login(person)
    age_session(client, idle=settings.SESSION_IDLE_SECONDS + 1)

    response = client.get(reverse("accounts:profile"), headers={"HX-Request": "true"})

    assert response.status_code == 204
    assert response["HX-Redirect"].startswith(reverse("account_login"))


def test_activity_within_the_idle_limit_keeps_the_session(client, person, settings):
    client.force_login(person)
    age_session(client, idle=settings.SESSION_IDLE_SECONDS - 60)

    assert client.get(reverse("accounts:profile")).status_code == 200
    assert client.session[SEEN_AT_KEY] >= int(time.time()) - 1


def test_a_session_ends_at_its_absolute_lifetime_even_when_active(client, person, settings):
    client.force_login(person)
    age_session(client, since_login=settings.SESSION_COOKIE_AGE + 1)

    response = client.get(reverse("accounts:profile"))

    assert response.status_code == 302
    assert current_user(client).is_anonymous


def test_log_out_everywhere_ends_the_other_sessions_and_keeps_this_one(client, person):
    # given: the person is logged in on two devices, one remembered for the PIN
    from django.test import Client

    other = Client()
    other.force_login(person)
    RememberedDevice.objects.create(user=person, device_hash="a" * 64)
    client.force_login(person)
    assert other.get(reverse("accounts:profile")).status_code == 200

    # when
    response = client.post(reverse("accounts:sessions_end"))

    # then
    assert response.status_code == 302
    assert client.get(reverse("accounts:profile")).status_code == 200
    assert other.get(reverse("accounts:profile")).status_code == 302
    assert current_user(other).is_anonymous
    assert not RememberedDevice.objects.filter(user=person).exists()
    assert AccountEvent.objects.filter(
        user=person, kind=AccountEvent.Kind.LOGGED_OUT_EVERYWHERE
    ).exists()


def test_sessions_made_before_the_session_token_existed_stay_valid(client, person):
    # An empty token keeps Django's own session hash: deploying the field logs nobody out.
    from django.contrib.auth.base_user import AbstractBaseUser

    assert person.session_token == ""
    assert person.get_session_auth_hash() == AbstractBaseUser._get_session_auth_hash(person)


def test_log_out_everywhere_needs_a_post(client, person):
    client.force_login(person)

    response = client.get(reverse("accounts:sessions_end"))

    assert response.status_code == 302 and response["Location"] == reverse("accounts:profile")
