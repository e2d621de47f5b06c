"""Accounts in the browser: registration with the SMS code and the e-mail link, then the PIN
login on a remembered device and the profile page."""

import json
import re
from pathlib import Path

import pytest
from allauth.account.models import EmailAddress
from django.core import mail

from portal.accounts.models import User
from tests.factories import DEFAULT_PASSWORD, UserFactory

from .conftest import DESKTOP, PHONE, screenshot

CODE_RE = re.compile(r"\b(\d{6})\b")


@pytest.fixture
def sms_outbox(settings, tmp_path) -> Path:
    # The live server runs in a thread of this process: it sees the changed setting.
    settings.SMS_OUTBOX_DIR = tmp_path / "sms"
    return settings.SMS_OUTBOX_DIR


def last_sms_code(outbox: Path) -> str:
    newest = max(outbox.glob("*.json"), key=lambda path: path.stat().st_mtime_ns)
    return CODE_RE.search(json.loads(newest.read_text(encoding="utf-8"))["text"]).group(1)


def sign_up(
    page,
    outbox: Path,
    *,
    email: str,
    passport: tuple[str, str],
    shots: str = "signup",
    follow_link: bool = True,
):
    """Registration as a person makes it: the form, the code from the SMS, the e-mail link."""
    # the form
    page.goto("/accounts/signup/")
    page.get_by_label("Электронная почта").fill(email)
    page.locator("#id_password1").fill("Zk7-plum-river")
    page.get_by_label("Пароль ещё раз").fill("Zk7-plum-river")
    page.get_by_label("Фамилия").fill("Петрова")
    page.locator("#id_first_name").fill("Анна")
    page.locator("#id_middle_name").fill("Сергеевна")
    page.get_by_label("Дата рождения").fill("1990-05-17")
    page.get_by_label("Серия паспорта").fill(passport[0])
    page.get_by_label("Номер паспорта").fill(passport[1])
    page.get_by_label("Мобильный телефон").fill("+7 916 555-12-34")
    page.locator("#id_pin1").fill("2580")
    page.get_by_label("PIN-код ещё раз").fill("2580")
    page.locator("#id_consent").check()
    screenshot(page, f"{shots}-filled")
    page.get_by_role("button", name="Зарегистрироваться").click()

    # the SMS code
    page.wait_for_url("**/accounts/confirm-phone/")
    assert "+7 916 ***-**-34" in page.content()
    screenshot(page, f"{shots}-sms")
    page.get_by_label("Код из SMS").fill(last_sms_code(outbox))
    page.get_by_role("button", name="Подтвердить").click()

    # the e-mail link
    page.wait_for_url("**/accounts/confirm-email/")
    assert page.get_by_role("heading", name="Подтвердите адрес почты").is_visible()
    if not follow_link:
        return
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", mail.outbox[-1].body).group(0)
    page.goto(link)
    page.get_by_role("button", name="Подтвердить").click()
    page.wait_for_url("**/")


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_a_person_registers_confirms_phone_and_email_and_sees_the_dashboard(
    transactional_db, page_factory, sms_outbox, viewport
):
    page = page_factory(viewport)
    email = f"anna.{viewport['width']}@example.com"

    sign_up(page, sms_outbox, email=email, passport=("4512", f"65{viewport['width']:04d}"))

    # the cabinet
    assert "Здравствуйте, Анна" in page.get_by_role("heading", level=1).inner_text()
    screenshot(page, "signup-dashboard")
    user = User.objects.get(email=email)
    assert user.phone_confirmed_at is not None
    assert page.errors == []


def test_a_signup_with_a_registered_passport_looks_new_and_only_the_owner_is_told(
    transactional_db, page_factory, sms_outbox
):
    # given: an account with the passport
    owner = UserFactory(email="passport.owner@example.com")
    owner.set_passport("4512", "650001")
    owner.save()

    # when: a stranger registers with it: the same form, SMS step and «check your e-mail» page
    page = page_factory(PHONE)
    sign_up(page, sms_outbox, email="stranger@example.com", passport=("4512", "650001"),
            shots="signup-known-passport", follow_link=False)  # fmt: skip

    # then: nothing is created, and the letter goes to the passport's owner alone
    assert not User.objects.filter(email="stranger@example.com").exists()
    assert [m.to for m in mail.outbox] == [["passport.owner@example.com"]]
    assert page.errors == []


def test_signup_errors_are_shown_at_their_fields(transactional_db, page_factory):
    page = page_factory(PHONE)
    page.goto("/accounts/signup/")
    page.get_by_label("Фамилия").fill("Petrova")
    page.get_by_label("Серия паспорта").fill("451")
    page.get_by_role("button", name="Зарегистрироваться").click()

    page.wait_for_load_state()
    assert page.locator(".field--invalid").count() >= 5
    assert page.get_by_text("Только русские буквы").is_visible()
    assert page.get_by_text("Серия паспорта — ровно 4 цифры").is_visible()
    screenshot(page, "signup-errors")
    assert page.errors == []


@pytest.fixture
def person(transactional_db):
    user = UserFactory(email="pin.person@example.com", first_name="Мария")
    user.set_pin("2580")
    user.save()
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_a_remembered_device_logs_in_with_the_pin_and_shows_the_profile(
    person, page_factory, viewport
):
    page = page_factory(viewport)

    # a full login, with the device remembered
    page.goto("/accounts/login/")
    page.get_by_label("Электронная почта").fill(person.email)
    page.get_by_label("Пароль").fill(DEFAULT_PASSWORD)
    page.get_by_label("Запомнить это устройство").check()
    screenshot(page, "login")
    page.get_by_role("button", name="Войти", exact=True).click()
    page.wait_for_url("**/")
    page.goto("/profile/")
    assert page.get_by_role("heading", name="Личная информация").is_visible()
    assert page.get_by_text("это устройство").is_visible()
    screenshot(page, "profile")
    page.get_by_role("button", name="Выйти", exact=True).click()

    # the PIN alone, offered on the login page of this browser
    page.goto("/accounts/login/")
    page.get_by_role("link", name="Вход по PIN-коду").click()
    page.wait_for_url("**/accounts/pin-login/")
    screenshot(page, "pin-login")
    page.get_by_label("PIN-код").fill("2580")
    page.get_by_role("button", name="Войти", exact=True).click()
    page.wait_for_url("**/")
    assert "Здравствуйте, Мария" in page.get_by_role("heading", level=1).inner_text()
    assert page.errors == []
