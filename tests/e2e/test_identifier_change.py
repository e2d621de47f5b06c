"""A change of e-mail written by support, confirmed by the person in the browser: the notice on
the profile, the request's page, the SMS code to the current phone and the PIN (issue 17)."""

import json
import re
from pathlib import Path

import pytest
from allauth.account.models import EmailAddress

from portal.accounts.models import IdentifierChangeRequest, User
from portal.accounts.services import identifier_change_request_create
from tests.factories import DEFAULT_PASSWORD, StaffUserFactory, UserFactory

from .conftest import DESKTOP, PHONE, log_in, screenshot

CODE_RE = re.compile(r"\b(\d{6})\b")


@pytest.fixture
def sms_outbox(settings, tmp_path) -> Path:
    # The live server runs in a thread of this process: it sees the changed setting.
    settings.SMS_OUTBOX_DIR = tmp_path / "sms"
    return settings.SMS_OUTBOX_DIR


def last_sms_code(outbox: Path) -> str:
    newest = max(outbox.glob("*.json"), key=lambda path: path.stat().st_mtime_ns)
    return CODE_RE.search(json.loads(newest.read_text(encoding="utf-8"))["text"]).group(1)


@pytest.fixture
def change_request(transactional_db) -> IdentifierChangeRequest:
    person = UserFactory(email="old.mail@example.com", phone="+79161112233")
    person.set_pin("2580")
    person.save()
    EmailAddress.objects.create(user=person, email=person.email, verified=True, primary=True)
    return identifier_change_request_create(
        user=person, staff_user=StaffUserFactory(), field="email", new_value="new.mail@example.com"
    )


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_the_person_confirms_a_new_email_written_by_support(
    change_request, sms_outbox, page_factory, viewport
):
    page = page_factory(viewport)
    log_in(page, "old.mail@example.com", DEFAULT_PASSWORD)

    # the profile tells about the request and leads to it
    page.goto("/profile/")
    notice = page.get_by_role("status").filter(has_text="Поддержка подготовила смену")
    assert notice.is_visible()
    screenshot(page, "identifier-change-notice")
    page.get_by_role("link", name="Посмотреть и подтвердить").click()
    page.wait_for_url(f"**/profile/identity/{change_request.pk}/")
    assert page.get_by_text("new.mail@example.com").is_visible()
    screenshot(page, "identifier-change")

    # a code to the current phone, then the PIN and the code
    page.get_by_role("button", name="Получить код").click()
    assert page.get_by_text("+7 916 ***-**-33").first.is_visible()
    page.get_by_role("textbox", name="PIN-код").fill("1111")
    page.get_by_label("Код из SMS").fill(last_sms_code(sms_outbox))
    page.get_by_role("button", name="Подтвердить смену").click()
    assert page.get_by_text("Неверный PIN-код").is_visible()
    screenshot(page, "identifier-change-error")
    page.get_by_role("textbox", name="PIN-код").fill("2580")
    page.get_by_label("Код из SMS").fill(last_sms_code(sms_outbox))
    page.get_by_role("button", name="Подтвердить смену").click()

    page.wait_for_url("**/profile/")
    assert page.get_by_text("Готово: данные для входа изменены").is_visible()
    assert page.get_by_text("new.mail@example.com").is_visible()
    assert User.objects.get(pk=change_request.user_id).email == "new.mail@example.com"
    assert page.errors == []
