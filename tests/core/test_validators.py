"""Free text refuses invisible control characters with a Russian message; the admin's text fields
do too; a JSON field of the admin refuses a 10,000-digit number instead of failing."""

import pytest
from django.contrib import admin
from django.core.exceptions import ValidationError

from clinics.models import Clinic
from feedback.forms import MessageForm
from portal.accounts.models import User
from portal.core.forms import JSONFormField
from portal.core.validators import refuse_control_characters


@pytest.mark.parametrize(
    "text",
    ["Иван\x1bов", "счёт \u202eкодп", "a\x00b", "\x7f", "\x9b31m", "\u2066x\u2069", "\x0b"],
)
def test_control_characters_are_refused(text):
    with pytest.raises(ValidationError) as refused:
        refuse_control_characters(text)

    assert "служебные невидимые символы" in refused.value.messages[0]


@pytest.mark.parametrize("text", ["Строка\nвторая\r\n\tс табуляцией", "Ёлка — «кавычки» №5", ""])
def test_ordinary_text_passes(text):
    refuse_control_characters(text)


def test_an_appeal_message_is_limited_and_clean():
    too_long = MessageForm(data={"body": "Ж" * 10_000})
    invisible = MessageForm(data={"body": "Добрый день\u202e"})

    assert not too_long.is_valid()
    assert "не более 5000 символов" in too_long.errors["body"][0]
    assert not invisible.is_valid()
    assert "невидимые символы" in invisible.errors["body"][0]
    assert MessageForm(data={"body": "Добрый день!\nСпасибо."}).is_valid()


def test_admin_text_fields_refuse_control_characters(rf):
    model_admin = admin.site.get_model_admin(Clinic)
    form_class = model_admin.get_form(rf.get("/"), None)

    field = form_class.base_fields["name"]

    assert refuse_control_characters in field.validators
    with pytest.raises(ValidationError):
        field.clean("Клиника\x1b[31m")


def test_a_json_field_refuses_a_huge_number_as_invalid_input():
    field = JSONFormField()

    with pytest.raises(ValidationError) as refused:
        field.clean("9" * 10_000)

    assert refused.value.code == "invalid"
    assert str(field.bound_data("9" * 10_000, None)) == "9" * 10_000


LONG_ADDRESS = "a" * 64 + "@" + ("b" * 62 + ".") * 3 + "c" * 40 + ".ru"  # 297: valid, past 254


@pytest.mark.django_db
def test_login_and_signup_refuse_an_address_past_the_models_limit(client):
    login = client.post("/accounts/login/", {"login": LONG_ADDRESS, "password": "x" * 10_000})
    signup = client.post("/accounts/signup/", {"email": LONG_ADDRESS, "password1": "x"})

    assert login.status_code == 200 and signup.status_code == 200
    assert "не более 254 символов" in login.content.decode()
    assert "не более 254 символов" in signup.content.decode()
    assert not User.objects.exists()
