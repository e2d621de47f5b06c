"""Small frictions: «Отправить ещё раз» on the e-mail confirmation screen, and a person without a
password (signed in through Госуслуги only) told so instead of dots."""

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_confirmation_letter_is_sent_again(client):
    user = UserFactory(email="new@example.com")
    EmailAddress.objects.create(user=user, email=user.email, verified=False, primary=True)

    response = client.post(reverse("accounts_auth:email_resend"), {"email": "New@example.com"})

    assert response.status_code == 200
    assert "Отправить ещё раз" in response.content.decode()
    assert "отправили письмо ещё раз" in response.content.decode()
    assert [m.to for m in mail.outbox] == [["new@example.com"]]


def test_an_unknown_address_gets_the_same_answer_and_no_letter(client):
    response = client.post(reverse("accounts_auth:email_resend"), {"email": "nobody@example.com"})

    assert "отправили письмо ещё раз" in response.content.decode()
    assert mail.outbox == []


def test_the_screen_offers_to_send_again(client):
    html = client.get(reverse("account_email_verification_sent")).content.decode()
    assert "Отправить ещё раз" in html


def test_a_person_without_a_password_sees_it_is_not_set(client):
    user = UserFactory()
    user.set_unusable_password()
    user.save()
    client.force_login(user)

    html = client.get("/profile/").content.decode()

    assert "Пароль не задан" in html and "••••••••" not in html
    assert reverse("account_set_password") in html
