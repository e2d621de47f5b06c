"""Nothing at signup tells a stranger who is registered (allauth's enumeration prevention,
extended to the passport and to the portal's SMS step): a signup with a known e-mail or passport
walks the same pages, in the same order, with the same messages and the same SMS, as a new one;
it creates nothing, and the owner is told by e-mail."""

import datetime
import re
import uuid

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings as django_settings
from django.contrib.auth.hashers import MD5PasswordHasher
from django.core import mail
from django.db import transaction
from django.test import Client
from django.urls import reverse

from portal.accounts.models import AccountEvent, Consent, PhoneVerification, User
from tests.factories import DEFAULT_PASSWORD, UserFactory

from .conftest import last_sms_code, sms_messages
from .test_signup import SIGNUP_URL, good_form

pytestmark = pytest.mark.django_db

T0 = datetime.datetime(2026, 3, 2, 10, 0, tzinfo=datetime.UTC)
PHONE_URL = reverse("accounts_auth:phone_confirm")
# Differ at every page or walk by nature: the CSRF token, and the (wrong) code typed back.
VARYING = re.compile(r'(name="(?:csrfmiddlewaretoken|code)" value=)"[^"]*"')


class CountingHasher(MD5PasswordHasher):
    """Django's test hasher, counting what it hashes: the costly work of a signup."""

    algorithm = "counting_md5"
    encoded = 0

    def encode(self, password, salt):
        CountingHasher.encoded += 1
        return super().encode(password, salt)


@pytest.fixture(autouse=True)
def counting_hasher(settings):
    settings.PASSWORD_HASHERS = ["tests.accounts.test_signup_enumeration.CountingHasher"]
    CountingHasher.encoded = 0


def renew_counters(settings) -> None:
    """A fresh cache namespace: the rate-limit counters of an earlier walk are forgotten."""
    settings.CACHES = {
        name: {**config, "KEY_PREFIX": f"test-{uuid.uuid4().hex}"}
        for name, config in django_settings.CACHES.items()
    }


def step(method: str, response) -> tuple:
    """What a stranger sees of one answer: the page, and which templates made it (the letters'
    templates aside: they go to the owner's mailbox)."""
    html = VARYING.sub(r"\1", response.content.decode()) if response.status_code == 200 else ""
    return (
        method,
        response.request["PATH_INFO"],
        response.status_code,
        response.get("Location"),
        [t.name for t in response.templates if not t.name.startswith("account/email/")],
        html,
    )


def signup_walk(client: Client, outbox, clock, *, pause: int = 61) -> dict:
    """The whole signup as a person makes it, at the same moments: the form, the SMS page, a
    resend asked too soon, a wrong code, another number (after a pause: beyond 180 s the
    e-mail's resend limit is over), the right code, «check your e-mail»."""
    clock.move_to(T0, tick=False)
    sms_before = len(sms_messages(outbox))
    hashed_before = CountingHasher.encoded
    steps = [step("GET", client.get(SIGNUP_URL))]
    steps.append(step("POST", client.post(SIGNUP_URL, good_form())))
    steps.append(step("GET", client.get(PHONE_URL)))
    steps.append(step("POST", client.post(PHONE_URL, {"action": "resend"})))
    steps.append(step("GET", client.get(PHONE_URL)))
    code = last_sms_code(outbox)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    steps.append(step("POST", client.post(PHONE_URL, {"code": wrong})))
    clock.move_to(T0 + datetime.timedelta(seconds=pause), tick=False)
    changed = client.post(PHONE_URL, {"action": "change", "new-phone": "+7 916 555-00-77"})
    steps.append(step("POST", changed))
    steps.append(step("GET", client.get(PHONE_URL)))
    steps.append(step("POST", client.post(PHONE_URL, {"code": last_sms_code(outbox)})))
    steps.append(step("GET", client.get(reverse("account_email_verification_sent"))))
    return {
        "steps": steps,
        "sms": [message["phone"] for message in sms_messages(outbox)[sms_before:]],
        "hashed": CountingHasher.encoded - hashed_before,
        "logged_in": client.get("/").context["user"].is_authenticated,
    }


def new_signup_walk(sms_outbox, clock, settings, *, pause: int = 61) -> dict:
    """The walk of a new signup with the same form, then undone (rows rolled back, counters and
    mailbox emptied), so that it can be compared with the walk that follows."""
    with transaction.atomic():
        walk = signup_walk(Client(), sms_outbox, clock, pause=pause)
        assert User.objects.filter(email="anna.petrova@example.com").exists()
        transaction.set_rollback(True)
    renew_counters(settings)
    mail.outbox.clear()
    return walk


def owner(**fields) -> User:
    user = UserFactory(**fields)
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


def assert_nothing_created(users_before: int) -> None:
    assert User.objects.count() == users_before
    assert not EmailAddress.objects.filter(user__isnull=True).exists()
    assert Consent.objects.count() == 0
    assert PhoneVerification.objects.count() == 0
    assert not AccountEvent.objects.filter(kind=AccountEvent.Kind.REGISTERED).exists()


def test_a_new_signup_walks_the_sms_step_to_the_check_your_email_page(
    client, sms_outbox, time_machine
):
    walk = signup_walk(client, sms_outbox, time_machine)

    [(get_form), (post_form), (sms_page), *_rest, (last_post), (email_page)] = walk["steps"]
    assert get_form[2:4] == (200, None)
    assert post_form[2:4] == (302, PHONE_URL)
    assert sms_page[4][0] == "account/phone_confirm.html"
    assert "Подтверждающее письмо отправлено на anna.petrova@example.com" in sms_page[5]
    assert last_post[2:4] == (302, reverse("account_email_verification_sent"))
    assert email_page[4][0] == "account/verification_sent.html"
    assert walk["sms"] == ["+79165551234", "+79165550077"]
    assert walk["hashed"] == 2  # the password and the PIN
    assert not walk["logged_in"]
    assert User.objects.get(email="anna.petrova@example.com").phone_confirmed_at is not None


@pytest.mark.parametrize("pause", [61, 200])
def test_a_signup_with_a_registered_email_walks_the_pages_of_a_new_one(
    client, sms_outbox, time_machine, settings, pause
):
    # given: what a new signup shows, and then an account with the address
    expected = new_signup_walk(sms_outbox, time_machine, settings, pause=pause)
    registered = owner(email="anna.petrova@example.com")
    users = User.objects.count()

    # when: a stranger signs up with that address
    walk = signup_walk(client, sms_outbox, time_machine, pause=pause)

    # then: the same pages, answers, messages, SMS and work; nothing created or changed
    assert walk == expected
    assert_nothing_created(users)
    registered.refresh_from_db()
    assert registered.check_password(DEFAULT_PASSWORD)
    assert registered.phone != "+79165551234"
    # and the owner is told, in Russian, with the way back in
    letter = mail.outbox[0]
    assert {m.to[0] for m in mail.outbox} == {"anna.petrova@example.com"}
    assert "Попытка регистрации с вашим адресом" in letter.subject
    assert "уже есть" in letter.body
    assert "/accounts/password/reset/" in letter.body


def test_the_address_is_known_in_any_letter_case(client, sms_outbox):
    owner(email="anna.petrova@example.com")
    users = User.objects.count()

    response = client.post(SIGNUP_URL, good_form(email="Anna.Petrova@Example.COM"))

    assert response.status_code == 302
    assert response["Location"] == PHONE_URL
    assert_nothing_created(users)
    assert [m.to for m in mail.outbox] == [["anna.petrova@example.com"]]
    assert "Попытка регистрации" in mail.outbox[0].subject


@pytest.mark.parametrize("pause", [61, 200])
def test_a_signup_with_a_registered_passport_walks_the_pages_of_a_new_one(
    client, sms_outbox, time_machine, settings, pause
):
    # given: what a new signup shows, and then an account with the passport (another address)
    expected = new_signup_walk(sms_outbox, time_machine, settings, pause=pause)
    registered = owner(email="passport.owner@example.com")
    registered.set_passport("4512", "654321")
    registered.save()
    users = User.objects.count()

    # when: a stranger signs up with the passport and an address of their own
    walk = signup_walk(client, sms_outbox, time_machine, pause=pause)

    # then: the same pages, answers, messages, SMS and work; nothing created or changed
    assert walk == expected
    assert_nothing_created(users)
    registered.refresh_from_db()
    assert registered.passport == "4512654321"
    assert registered.email == "passport.owner@example.com"
    # and the passport's owner is told, in Russian; the stranger's address gets nothing
    letter = mail.outbox[0]
    assert [m.to for m in mail.outbox] == [["passport.owner@example.com"]]
    assert "Попытка регистрации с вашим паспортом" in letter.subject
    assert "паспорта, которые указаны в вашей учётной записи" in letter.body
    assert "/accounts/login/" in letter.body
    assert "/accounts/password/reset/" in letter.body
    assert django_settings.HOTLINE_PHONE_DISPLAY in letter.body
    assert "654321" not in letter.body


def test_a_known_address_and_a_known_passport_of_two_people_tell_both(client, sms_outbox):
    owner(email="anna.petrova@example.com")
    passport_owner = owner(email="passport.owner@example.com")
    passport_owner.set_passport("4512", "654321")
    passport_owner.save()
    users = User.objects.count()

    response = client.post(SIGNUP_URL, good_form())

    assert response["Location"] == PHONE_URL
    assert_nothing_created(users)
    assert sorted(m.to[0] for m in mail.outbox) == [
        "anna.petrova@example.com",
        "passport.owner@example.com",
    ]


def test_the_owner_of_both_the_address_and_the_passport_gets_one_letter(client, sms_outbox):
    registered = owner(email="anna.petrova@example.com")
    registered.set_passport("4512", "654321")
    registered.save()

    client.post(SIGNUP_URL, good_form())

    [letter] = mail.outbox
    assert letter.to == ["anna.petrova@example.com"]


def test_a_stranger_cannot_pass_the_sms_step_without_the_code(client, sms_outbox):
    owner(email="anna.petrova@example.com")
    client.post(SIGNUP_URL, good_form())
    code = last_sms_code(sms_outbox)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"

    answers = [client.post(PHONE_URL, {"code": wrong}) for _ in range(3)]
    last = client.post(PHONE_URL, {"code": code})

    assert [a.status_code for a in answers] == [200, 200, 200]
    assert "Осталось попыток: 2" in answers[0].content.decode()
    assert "Попытки исчерпаны" in answers[2].content.decode()
    assert last.status_code == 200
    assert "Попытки ввода кода исчерпаны" in last.content.decode()


def test_tries_sent_side_by_side_are_counted_all_the_same(client, sms_outbox):
    from django.contrib.sessions.models import Session

    # given: a signup without an account at its SMS step, and its session as it is now
    owner(email="anna.petrova@example.com")
    client.post(SIGNUP_URL, good_form())
    code = last_sms_code(sms_outbox)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    session = Session.objects.get(pk=client.session.session_key)

    # when: three wrong tries each read that same session (as requests run side by side do)
    for _ in range(3):
        client.post(PHONE_URL, {"code": wrong})
        Session.objects.filter(pk=session.pk).update(session_data=session.session_data)
    last = client.post(PHONE_URL, {"code": code})

    # then: the three tries are spent, as with an account's code
    assert "Попытки ввода кода исчерпаны" in last.content.decode()


def test_the_sms_step_of_a_signup_without_an_account_keeps_no_code_in_the_clear(client, sms_outbox):
    from django.contrib.sessions.models import Session

    owner(email="anna.petrova@example.com")
    client.post(SIGNUP_URL, good_form())
    code = last_sms_code(sms_outbox)

    stored = "".join(str(s.get_decoded()) for s in Session.objects.all())
    assert code not in stored
    assert "654321" not in stored  # nor the passport


def test_a_phone_confirmed_by_another_account_tells_nothing_either(
    client, sms_outbox, time_machine, settings
):
    # given: what a new signup shows, and then another account with the same confirmed phone
    expected = new_signup_walk(sms_outbox, time_machine, settings)
    owner(phone="+79165551234")

    # when
    walk = signup_walk(client, sms_outbox, time_machine)

    # then: the same pages, and the account is made (a phone is no one's key to the cabinet)
    assert walk == expected
    assert User.objects.filter(email="anna.petrova@example.com").exists()


def test_login_and_reset_tell_nothing_about_an_address_either(client):
    registered = owner(email="anna.petrova@example.com")

    known = client.post(
        "/accounts/login/", {"login": registered.email, "password": "not-the-password"}
    )
    unknown = client.post(
        "/accounts/login/", {"login": "nobody@example.com", "password": "not-the-password"}
    )
    reset_known = client.post("/accounts/password/reset/", {"email": registered.email})
    reset_unknown = client.post("/accounts/password/reset/", {"email": "nobody@example.com"})

    assert known.status_code == unknown.status_code == 200
    assert known.context["form"].errors == unknown.context["form"].errors
    assert reset_known.status_code == reset_unknown.status_code == 302
    assert reset_known["Location"] == reset_unknown["Location"]
