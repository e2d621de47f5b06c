"""SMS codes: six digits, stored hashed, valid five minutes, three tries, a new one no sooner
than 60 seconds after the last, and a limit per number."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from portal.accounts.models import AccountEvent, PhoneVerification
from portal.accounts.services import phone_verification_confirm, phone_verification_start
from tests.factories import UserFactory

from .conftest import last_sms_code, sms_messages

pytestmark = pytest.mark.django_db

SIGNUP = PhoneVerification.Purpose.SIGNUP
PHONE = "+79165551234"
T0 = datetime.datetime(2026, 3, 2, 10, 0, tzinfo=datetime.UTC)


@pytest.fixture
def person():
    return UserFactory(phone=PHONE, phone_confirmed_at=None)


@pytest.fixture
def clock(time_machine):
    time_machine.move_to(T0, tick=False)
    return time_machine


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def test_the_code_goes_out_in_the_sms_text_and_is_stored_only_hashed(person, sms_outbox):
    verification = phone_verification_start(user=person, phone=PHONE, purpose=SIGNUP)

    [message] = sms_messages(sms_outbox)
    code = last_sms_code(sms_outbox)
    assert message["phone"] == PHONE
    assert code in message["text"]
    assert len(code) == 6
    assert code not in verification.code_hash
    assert verification.expires_at - verification.sent_at == datetime.timedelta(minutes=5)


def test_the_right_code_confirms_the_phone(person, sms_outbox):
    phone_verification_start(user=person, phone=PHONE, purpose=SIGNUP)

    phone_verification_confirm(user=person, purpose=SIGNUP, code=last_sms_code(sms_outbox))

    person.refresh_from_db()
    assert person.phone == PHONE
    assert person.phone_confirmed_at is not None
    assert AccountEvent.objects.filter(user=person, kind=AccountEvent.Kind.PHONE_CONFIRMED).exists()


def test_the_code_expires_after_five_minutes(person, sms_outbox, clock):
    # given
    phone_verification_start(user=person, phone=PHONE, purpose=SIGNUP)
    code = last_sms_code(sms_outbox)

    # when: five minutes have passed
    clock.shift(datetime.timedelta(minutes=5))

    # then
    with pytest.raises(ValidationError) as refused:
        phone_verification_confirm(user=person, purpose=SIGNUP, code=code)
    assert refused.value.code == "sms_expired"
    person.refresh_from_db()
    assert person.phone_confirmed_at is None


def test_the_code_still_works_just_before_it_expires(person, sms_outbox, clock):
    phone_verification_start(user=person, phone=PHONE, purpose=SIGNUP)
    clock.shift(datetime.timedelta(minutes=4, seconds=59))

    phone_verification_confirm(user=person, purpose=SIGNUP, code=last_sms_code(sms_outbox))

    person.refresh_from_db()
    assert person.phone_confirmed_at is not None


def test_three_wrong_tries_spend_the_code(person, sms_outbox):
    # given
    phone_verification_start(user=person, phone=PHONE, purpose=SIGNUP)
    code = last_sms_code(sms_outbox)

    # when: three wrong codes
    messages = []
    for _try in range(3):
        with pytest.raises(ValidationError) as refused:
            phone_verification_confirm(user=person, purpose=SIGNUP, code=wrong(code))
        messages.append(refused.value.messages[0])

    # then: the right one no longer works
    assert "Осталось попыток: 2" in messages[0]
    assert "Осталось попыток: 1" in messages[1]
    assert "исчерпаны" in messages[2]
    with pytest.raises(ValidationError) as refused:
        phone_verification_confirm(user=person, purpose=SIGNUP, code=code)
    assert refused.value.code == "sms_exhausted"
    assert PhoneVerification.objects.get().attempts == 3
    person.refresh_from_db()
    assert person.phone_confirmed_at is None


def test_a_new_code_no_sooner_than_60_seconds(person, sms_outbox, clock):
    # given
    phone_verification_start(user=person, phone=PHONE, purpose=SIGNUP)

    # when: 59 seconds later
    clock.shift(datetime.timedelta(seconds=59))
    with pytest.raises(ValidationError) as refused:
        phone_verification_start(user=person, phone=PHONE, purpose=SIGNUP)

    # then: refused, and no second SMS; a second later it goes
    assert refused.value.code == "sms_too_soon"
    assert "1 с" in refused.value.messages[0]
    assert len(sms_messages(sms_outbox)) == 1
    clock.shift(datetime.timedelta(seconds=1))
    phone_verification_start(user=person, phone=PHONE, purpose=SIGNUP)
    assert len(sms_messages(sms_outbox)) == 2


def test_a_new_code_replaces_the_old_one(person, sms_outbox, clock):
    phone_verification_start(user=person, phone=PHONE, purpose=SIGNUP)
    first = last_sms_code(sms_outbox)
    clock.shift(datetime.timedelta(seconds=61))
    phone_verification_start(user=person, phone=PHONE, purpose=SIGNUP)
    second = last_sms_code(sms_outbox)

    if first != second:
        with pytest.raises(ValidationError):
            phone_verification_confirm(user=person, purpose=SIGNUP, code=first)
    phone_verification_confirm(user=person, purpose=SIGNUP, code=second)

    person.refresh_from_db()
    assert person.phone_confirmed_at is not None


def test_sms_to_one_number_are_limited_per_hour(person, sms_outbox, clock, settings):
    settings.PORTAL_RATE_LIMITS = {**settings.PORTAL_RATE_LIMITS, "sms_phone": "3/h"}
    for _n in range(3):
        phone_verification_start(user=person, phone=PHONE, purpose=SIGNUP)
        clock.shift(datetime.timedelta(seconds=61))

    with pytest.raises(ValidationError) as refused:
        phone_verification_start(user=person, phone=PHONE, purpose=SIGNUP)

    assert refused.value.code == "sms_rate_limited"
    assert len(sms_messages(sms_outbox)) == 3


def test_without_a_code_there_is_nothing_to_confirm(person):
    with pytest.raises(ValidationError) as refused:
        phone_verification_confirm(user=person, purpose=SIGNUP, code="123456")

    assert refused.value.code == "sms_no_code"


def test_a_failed_sms_gateway_leaves_no_code_behind(person, settings):
    settings.SMS_BACKEND = "portal.accounts.sms.HttpProviderBackend"
    settings.SMS_PROVIDER_URL = "http://127.0.0.1:9/sms"  # the discard port: connection refused

    with pytest.raises(ValidationError) as refused:
        phone_verification_start(user=person, phone=PHONE, purpose=SIGNUP)

    assert refused.value.code == "sms_failed"
    assert not PhoneVerification.objects.exists()


def test_the_signup_page_refuses_a_resend_within_60_seconds(client, sms_outbox):
    # given: a signup waiting for its code
    from .test_signup import good_form

    client.post("/accounts/signup/", good_form())

    # when
    response = client.post("/accounts/confirm-phone/", {"action": "resend"}, follow=True)

    # then
    assert "Новый код можно запросить через" in response.content.decode()
    assert len(sms_messages(sms_outbox)) == 1


def test_the_signup_page_says_how_many_tries_are_left(client, sms_outbox):
    from .test_signup import good_form

    client.post("/accounts/signup/", good_form())
    code = last_sms_code(sms_outbox)

    response = client.post("/accounts/confirm-phone/", {"code": wrong(code)})

    assert response.status_code == 200
    assert "Осталось попыток: 2" in response.context["code_form"].errors["code"][0]
    assert PhoneVerification.objects.get().confirmed_at is None
