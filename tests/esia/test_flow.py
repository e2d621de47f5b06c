"""The ESIA login end to end over HTTP: the portal's provider code against the emulator."""

import uuid

import pytest
from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount
from django.contrib.sessions.models import Session
from django.core import mail
from django.db import connection

from portal.accounts.models import AccountEvent, Consent, User
from portal.core.fields import blind_index
from portal.esia import crypto, jws
from tests.factories import UserFactory

from .conftest import (
    CALLBACK_PATH,
    DEMO_TWIN,
    KIM,
    ORLOVA,
    PIN,
    SOKOLOVA,
    Visitor,
    form_value,
    query,
    use_algorithm,
    use_jws_algorithm,
)

pytestmark = pytest.mark.django_db(transaction=True)

SIGNUP_PATH = "/accounts/3rdparty/signup/"


def _sign_up(visitor: Visitor, oid: str, email: str | None = None, pin: str = PIN):
    answer = visitor.esia_login(oid)
    assert answer.status_code == 302 and answer.headers["Location"] == SIGNUP_PATH
    page = visitor.get(SIGNUP_PATH)
    assert page.status_code == 200
    email = email if email is not None else form_value(page.text, "email")
    return visitor.post(SIGNUP_PATH, {"email": email, "pin1": pin, "pin2": pin}), page


@pytest.mark.parametrize("algorithm", [crypto.RSA, crypto.GOST])
def test_new_person_gives_email_and_pin_and_gets_a_filled_account(
    esia, esia_keys, visitor, algorithm
):
    # given: the portal signs with a registered key of the algorithm
    use_algorithm(esia, esia_keys, algorithm)

    # when: a person new to the portal logs in through ESIA
    to_esia = visitor.start_esia_login()
    authorize_url = to_esia.headers["Location"]
    params = query(authorize_url)
    answer = visitor.pick_person(visitor.consent_page(authorize_url), SOKOLOVA)
    callback = visitor.get(answer.headers["Location"])

    # then: the request is ESIA's v2/ac, with a UUID state and the scope in its fixed order
    assert authorize_url.startswith(f"{esia.ESIA_BASE_URL}/aas/oauth2/v2/ac?")
    assert str(uuid.UUID(params["state"])) == params["state"]
    assert params["scope"] == "openid fullname birthdate id_doc mobile email"
    assert (
        params["client_certificate_hash"]
        == crypto.certificate_hash(esia.ESIA_CERT_PATH, algorithm).upper()
    )
    # and the person lands on the last step, which asks only for an e-mail and a PIN
    assert callback.headers["Location"] == SIGNUP_PATH
    page = visitor.get(SIGNUP_PATH)
    assert "Соколова Мария Игоревна" in page.text
    assert "14.03.1989" in page.text
    assert form_value(page.text, "email") == "m.sokolova@example.ru"
    fields = set(_input_names(page.text)) - {"csrfmiddlewaretoken", "next"}
    assert fields == {"email", "pin1", "pin2"}
    # the pending signup in the session holds the passport encrypted only
    for session in Session.objects.all():
        assert "345678" not in str(session.get_decoded())

    # when: they keep the e-mail from ESIA and choose a PIN
    done = visitor.post(SIGNUP_PATH, {"email": "m.sokolova@example.ru", "pin1": PIN, "pin2": PIN})

    # then: the account is made, filled from ESIA, and the person is in the cabinet
    assert done.status_code == 302 and done.headers["Location"] == "/"
    user = User.objects.get(email="m.sokolova@example.ru")
    assert (user.last_name, user.first_name, user.middle_name) == ("Соколова", "Мария", "Игоревна")
    assert user.birth_date.isoformat() == "1989-03-14" and not user.no_middle_name
    assert user.passport == "4512345678"
    assert user.passport_index == blind_index("4512345678")
    assert user.phone == "+79165550123" and user.phone_confirmed_at is not None
    assert user.check_pin(PIN) and not user.has_usable_password()
    assert EmailAddress.objects.get(user=user).verified
    assert Consent.objects.filter(user=user, document=Consent.Document.PERSONAL_DATA).exists()
    assert AccountEvent.objects.filter(user=user, kind=AccountEvent.Kind.REGISTERED).exists()
    account = SocialAccount.objects.get(user=user)
    assert (account.provider, account.uid) == ("esia", SOKOLOVA)
    assert "345678" not in str(account.extra_data)
    with connection.cursor() as cursor:
        cursor.execute("SELECT passport FROM accounts_user WHERE id = %s", [user.pk])
        stored = cursor.fetchone()[0]
    assert "345678" not in stored  # encrypted at rest
    assert visitor.get("/profile/").status_code == 200


def test_login_with_gost_everywhere_as_on_the_esia_test_stand(esia, esia_keys, visitor):
    # given: the portal signs raw GOST, ESIA signs its id_token GOST3410_2012_256, and the
    # portal accepts that algorithm alone, with ESIA's GOST certificate
    use_algorithm(esia, esia_keys, crypto.GOST, "raw")
    use_jws_algorithm(esia, esia_keys, jws.GOST_JWA)

    # when
    done, page = _sign_up(visitor, SOKOLOVA)

    # then
    assert "Соколова Мария Игоревна" in page.text
    assert done.status_code == 302 and done.headers["Location"] == "/"
    assert SocialAccount.objects.get(uid=SOKOLOVA).user.email == "m.sokolova@example.ru"


def test_returning_person_logs_in_without_the_signup_step(esia, live_server):
    # given: a person signed up through ESIA
    first = Visitor(live_server.url)
    done, _page = _sign_up(first, SOKOLOVA)
    assert done.headers["Location"] == "/"
    user = User.objects.get(email="m.sokolova@example.ru")

    # when: they come back on another device
    again = Visitor(live_server.url)
    answer = again.esia_login(SOKOLOVA)

    # then: straight into the same account
    assert answer.status_code == 302 and answer.headers["Location"] == "/"
    assert again.get("/profile/").status_code == 200
    assert User.objects.count() == 1
    assert SocialAccount.objects.get(uid=SOKOLOVA).user == user


def test_existing_account_with_the_same_email_is_not_taken_over(esia, visitor):
    # given: an account, with a password, on the address the ESIA person has
    owner = UserFactory(email="m.sokolova@example.ru")
    EmailAddress.objects.create(user=owner, email=owner.email, verified=True, primary=True)

    # when: the ESIA person logs in
    answer = visitor.esia_login(SOKOLOVA)

    # then: they are not logged into that account but asked for their own e-mail
    assert answer.headers["Location"] == SIGNUP_PATH
    assert visitor.get("/profile/").status_code == 302
    refused = visitor.post(
        SIGNUP_PATH, {"email": "M.Sokolova@example.ru", "pin1": PIN, "pin2": PIN}
    )
    assert refused.status_code == 200
    assert "Учётная запись с этим адресом электронной почты уже есть" in refused.text
    assert not SocialAccount.objects.exists() and User.objects.count() == 1

    # when: they give another address
    other = visitor.post(SIGNUP_PATH, {"email": "maria@example.org", "pin1": PIN, "pin2": PIN})

    # then: a second account, whose address is to be confirmed; the first one is untouched
    assert other.status_code == 302
    assert SocialAccount.objects.get(uid=SOKOLOVA).user.email == "maria@example.org"
    assert not EmailAddress.objects.get(email="maria@example.org").verified
    assert [m.to for m in mail.outbox] == [["maria@example.org"]]
    owner.refresh_from_db()
    assert owner.passport == "" and owner.last_name != "Соколова"


def test_passport_already_in_another_account_is_refused_with_a_clear_message(esia, visitor):
    # given: an account with the passport the ESIA person has
    holder = UserFactory(email="holder@example.com")
    holder.set_passport("4512", "345678")
    holder.save()

    # when
    done, page = _sign_up(visitor, SOKOLOVA)

    # then
    assert "Кабинет с паспортом из ваших Госуслуг уже зарегистрирован" in page.text
    assert done.status_code == 200
    assert "привяжите Госуслуги" in done.text
    assert User.objects.count() == 1 and not SocialAccount.objects.exists()


def test_signup_step_checks_the_pin(esia, visitor):
    visitor.esia_login(SOKOLOVA)
    weak = visitor.post(
        SIGNUP_PATH, {"email": "m.sokolova@example.ru", "pin1": "1234", "pin2": "1234"}
    )
    differ = visitor.post(
        SIGNUP_PATH, {"email": "m.sokolova@example.ru", "pin1": PIN, "pin2": "4827"}
    )
    assert "слишком легко угадать" in weak.text
    assert "PIN-коды не совпадают" in differ.text
    assert not User.objects.exists()


def test_person_without_email_and_passport_in_esia(esia, visitor):
    # when: a person whose ESIA account has no passport and an unverified e-mail signs up
    done, page = _sign_up(visitor, ORLOVA, email="katya@example.org")

    # then: an account without a passport, whose e-mail is to be confirmed
    assert "не передан" in page.text
    assert done.status_code == 302
    user = User.objects.get(email="katya@example.org")
    assert user.passport == "" and user.passport_index == ""
    assert user.last_name == "Орлова"
    assert not EmailAddress.objects.get(user=user).verified
    assert len(mail.outbox) == 1


def test_person_without_patronymic(esia, visitor):
    done, _page = _sign_up(visitor, KIM, email="kim@example.org")
    assert done.status_code == 302
    user = User.objects.get(email="kim@example.org")
    assert user.middle_name == "" and user.no_middle_name


def test_logged_in_person_connects_esia_from_the_profile(esia, visitor, client):
    # given: a person with an account made by the ordinary signup, logged in
    user = UserFactory(email="demo@example.com", last_name="Смирнов", first_name="Алексей")
    user.set_passport("4510", "123456")
    user.save()
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    client.force_login(user)
    visitor.session.cookies.set("sessionid", client.cookies["sessionid"].value)
    assert visitor.get("/accounts/3rdparty/").status_code == 200

    # when: they link their ESIA account (the same passport and e-mail)
    answer = visitor.esia_login(DEMO_TWIN, process="connect")

    # then: ESIA is linked to this account, which keeps its data
    assert answer.status_code == 302 and answer.headers["Location"] == "/accounts/3rdparty/"
    assert SocialAccount.objects.get(uid=DEMO_TWIN).user == user
    assert "Госуслуги, учётная запись 1000299653" in visitor.get("/accounts/3rdparty/").text
    assert User.objects.count() == 1

    # when: later, logged out, they log in through ESIA
    fresh = Visitor(visitor.base_url)
    again = fresh.esia_login(DEMO_TWIN)

    # then: into the linked account directly
    assert again.headers["Location"] == "/"
    assert fresh.get("/profile/").status_code == 200


def test_esia_account_linked_elsewhere_is_not_connected_again(esia, visitor, client, live_server):
    # given: an ESIA person already has their own account
    _sign_up(Visitor(live_server.url), SOKOLOVA)
    other = UserFactory(email="other@example.com")
    client.force_login(other)
    visitor.session.cookies.set("sessionid", client.cookies["sessionid"].value)

    # when: someone else, logged in, links the same ESIA account
    answer = visitor.esia_login(SOKOLOVA, process="connect")

    # then: refused; the ESIA account stays with its owner
    page = visitor.follow(answer)
    assert "уже привязана к другому кабинету" in page.text
    assert SocialAccount.objects.get(uid=SOKOLOVA).user.email == "m.sokolova@example.ru"


def test_person_refusing_on_esia_comes_back_to_a_cancelled_page(esia, visitor):
    to_esia = visitor.start_esia_login()
    back = visitor.pick_person(visitor.consent_page(to_esia.headers["Location"]), SOKOLOVA, "deny")
    assert query(back.headers["Location"])["error"] == "access_denied"
    answer = visitor.get(back.headers["Location"])
    assert answer.headers["Location"] == "/accounts/3rdparty/login/cancelled/"
    assert "отменён" in visitor.get(answer.headers["Location"]).text


def test_login_page_of_the_provider_is_russian_and_posts(esia, visitor):
    page = visitor.get("/accounts/esia/login/")
    assert page.status_code == 200
    assert "Продолжить на Госуслугах" in page.text
    assert CALLBACK_PATH not in page.text


def _input_names(html: str) -> list[str]:
    import re

    return re.findall(r'<input[^>]*name="([^"]+)"', html)
