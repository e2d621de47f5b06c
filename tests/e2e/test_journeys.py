"""Journeys the feature files do not walk, and the accessibility sweep of every page of the
cabinet: each page at a 360 px phone width and at a desktop width, checked with axe-core."""

import logging
import re

import pytest
from django.urls import reverse

from claims.models import Claim
from clinics.models import Clinic
from devtools.demo.logins import DEMO_PASSPORT
from feedback.models import Appeal
from policies.models import Policy
from policies.services import policy_verify_token_ensure
from portal.accounts.models import User
from tests.esia.conftest import PIN as ESIA_PIN
from tests.esia.conftest import esia, esia_keys  # noqa: F401  (fixtures)
from tests.payments.conftest import localstripe_url  # noqa: F401  (the session fixture)

from .conftest import (
    DEMO_LOGIN,
    DESKTOP,
    PHONE,
    axe_report,
    axe_violations,
    log_in,
    screenshot,
)
from .test_accounts import sign_up, sms_outbox  # noqa: F401  (the fixture)
from .test_appeals import OPERATOR_LOGIN
from .test_copay import stripe_in_browser  # noqa: F401  (the fixture)
from .test_copay import test_bind_card_and_pay_the_debt as bind_card_and_pay_journey
from .test_esia import esia_to_the_signup_step
from .test_hr import HR_LOGIN, staff_groups, staff_log_in  # noqa: F401  (the fixture)

VIEWPORTS = pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])

PUBLIC_PAGES = (
    "/",
    "/accounts/login/",
    "/accounts/signup/",
    "/accounts/password/reset/",
    "/accounts/esia/login/",
    "/admin/login/",
)
CABINET_PAGES = (
    "/",
    "/profile/",
    "/profile/edit/",
    "/profile/pin/",
    "/profile/phone/",
    "/profile/delete/",
    "/policies/",
    "/policies/add/",
    "/policies/add-child/",
    "/policies/activate/",
    "/documents/",
    "/clinics/",
    "/clinics/map/",
    "/appointments/",
    "/cases/",
    "/claims/",
    "/claims/new/",
    "/appeals/",
    "/appeals/new/",
    "/copay/",
    "/copay/terms/",
    "/shop/",
    "/shop/osago/",
    "/shop/kasko/",
    "/shop/property/",
    "/shop/accident/",
    "/shop/oncology/",
    "/shop/travel/",
    "/offers/",
    "/guarantee-letters/",
    "/no-such-page/",
)
HR_ADMIN_PAGES = (
    "/admin/",
    "/admin/policies/contract/",
    "/admin/policies/insuredperson/",
    "/admin/employers/importbatch/",
)
OPERATOR_ADMIN_PAGES = (
    "/admin/",
    "/admin/feedback/appeal/",
    "/admin/claims/claim/",
    "/admin/claims/serviceline/",
    "/admin/clinics/clinic/",
    "/admin/feedback/guaranteeletter/",
    "/admin/policies/insuredperson/",
)


def demo_object_pages() -> list[str]:
    owner = DEMO_LOGIN[0]
    policy = Policy.objects.filter(insured_person__links__user__email=owner).first()
    return [
        reverse("policies:detail", args=[policy.pk]),
        reverse("clinic_detail", args=[Clinic.objects.filter(online_booking=True).first().pk]),
        reverse("claims:detail", args=[Claim.objects.filter(policy__holder__email=owner)[0].pk]),
        *[reverse("appeal_detail", args=[a.pk]) for a in Appeal.objects.filter(user__email=owner)],
        reverse("policy_verify", args=[policy_verify_token_ensure(policy=policy)]),
    ]


def pages_violations(page, paths) -> list[str]:
    found = []
    for path in paths:
        page.goto(path)
        violations = axe_violations(page)
        if violations:
            found.append(f"{path}:\n{axe_report(violations)}")
    return found


@VIEWPORTS
def test_every_page_passes_axe(demo_data, page_factory, viewport):
    # given: a visitor, then the demo person
    visitor = page_factory(viewport)
    person = page_factory(viewport)
    log_in(person, *DEMO_LOGIN)

    # when: each page is opened and checked
    found = pages_violations(visitor, PUBLIC_PAGES)
    found += pages_violations(person, [*CABINET_PAGES, *demo_object_pages()])

    # then
    assert not found, "\n\n".join(found)


@VIEWPORTS
def test_the_admin_pages_of_hr_and_operators_pass_axe(
    staff_groups,  # noqa: F811
    page_factory,
    viewport,
):
    from django.core.cache import cache

    found = []
    for login, paths in ((HR_LOGIN, HR_ADMIN_PAGES), (OPERATOR_LOGIN, OPERATOR_ADMIN_PAGES)):
        cache.clear()  # a TOTP code is accepted once per period
        page = page_factory(viewport)
        staff_log_in(page, *login)
        appeal = Appeal.objects.first()
        extra = [f"/admin/feedback/appeal/{appeal.pk}/change/"] if login == OPERATOR_LOGIN else []
        found += pages_violations(page, [*paths, *extra])

    assert not found, "\n\n".join(found)


# The focused element, and whether the focus is drawn (an outline that is not 'none').
FOCUSED = """() => {
    const el = document.activeElement;
    const style = getComputedStyle(el);
    return {
        id: el.id, tag: el.tagName.toLowerCase(), text: (el.innerText || el.value || '').trim(),
        outlined: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0,
    };
}"""


def tab_to(page, matches, limit: int = 60) -> dict:
    """Press Tab until the focused element matches; every stop on the way must show its focus."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        assert focused["outlined"], f"фокус не виден на {focused}"
        if matches(focused):
            return focused
    raise AssertionError(f"Tab не дошёл до нужного элемента за {limit} нажатий")


@VIEWPORTS
def test_login_and_an_appeal_by_keyboard_alone(demo_data, page_factory, viewport):
    page = page_factory(viewport)

    # the skip link comes first and takes the focus to the content
    page.goto("/accounts/login/")
    skip = tab_to(page, lambda el: el["tag"] == "a", limit=1)
    assert skip["text"] == "Перейти к содержанию"
    assert page.get_by_role("link", name="Перейти к содержанию").is_visible()
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"

    # the login form: Tab to each field, type, Enter submits
    tab_to(page, lambda el: el["id"] == "id_login")
    page.keyboard.type(DEMO_LOGIN[0])
    tab_to(page, lambda el: el["id"] == "id_password", limit=3)
    page.keyboard.type(DEMO_LOGIN[1])
    screenshot(page, "keyboard-login")
    page.keyboard.press("Enter")
    page.wait_for_url("**/")
    assert "Здравствуйте, Алексей" in page.get_by_role("heading", level=1).inner_text()

    # a form with radio buttons, a text field, a text area and a button
    page.goto("/appeals/new/")
    tab_to(page, lambda el: el["tag"] == "input" and el["id"].startswith("id_kind"))
    page.keyboard.press("Space")
    checked = "document.querySelector('input[name=kind]:checked').value"
    for _ in range(4):  # the arrows move the choice within the group, to «Благодарность»
        if page.evaluate(checked) == "thanks":
            break
        page.keyboard.press("ArrowDown")
    assert page.evaluate(checked) == "thanks"
    tab_to(page, lambda el: el["id"] == "id_subject")
    page.keyboard.type("Спасибо регистратуре")
    tab_to(page, lambda el: el["id"] == "id_body", limit=3)
    page.keyboard.type("Быстро нашли запись и всё объяснили.")
    tab_to(page, lambda el: el["tag"] == "button" and el["text"] == "Отправить")
    screenshot(page, "keyboard-appeal")
    page.keyboard.press("Enter")

    # then: the appeal is registered
    page.wait_for_url(re.compile(r"/appeals/\d+/$"))
    assert page.get_by_text("Спасибо регистратуре").first.is_visible()
    appeal = Appeal.objects.get(user__email=DEMO_LOGIN[0], subject="Спасибо регистратуре")
    assert appeal.kind == Appeal.Kind.THANKS
    assert page.errors == []


# --- Secrets at rest ----------------------------------------------------------------------------
# Not the fraction of a decimal number: a timing in the logs («succeeded in 0.0074150689…s»)
# passes the Luhn check one time in ten.
CARD_CANDIDATE = re.compile(r"(?<!\d)(?<!\d[.,])\d(?:[ -]?\d){12,18}(?!\d)")
TEXT_COLUMN_TYPES = ("char", "text", "json", "clob")
PASSPORT = ("4511", "654321")  # the registration's; the demo person's is DEMO_PASSPORT
ESIA_PASSPORT = ("4512", "345678")  # the emulator's «Соколова Мария Игоревна»


def luhn_valid(digits: str) -> bool:
    total = 0
    for position, digit in enumerate(reversed(digits)):
        n = int(digit)
        if position % 2:
            n = n * 2 - 9 if n > 4 else n * 2
        total += n
    return total % 10 == 0


def card_numbers_in(text: str) -> list[str]:
    """13–19 digits, spaces or dashes between them allowed, that pass the Luhn check."""
    found = []
    for match in CARD_CANDIDATE.finditer(text):
        digits = re.sub(r"\D", "", match.group())
        if 13 <= len(digits) <= 19 and luhn_valid(digits):
            found.append(digits)
    return found


def passport_in(text: str, series: str, number: str) -> bool:
    """The series and then the number in the clear, however written: «4510 123456», «45 10
    123456», or two fields of a form or JSON ({"series": "4510", "number": "123456"})."""
    series_digits = r"\D{0,3}".join([series[:2], series[2:]])
    return re.search(rf"(?<!\d){series_digits}\D{{0,40}}{number}(?!\d)", text) is not None


def database_texts():
    """(table.column, raw value) of every text, char and JSON column of every model's table, read
    with SQL (no field decrypts anything), and every session's decoded data."""
    from django.apps import apps
    from django.contrib.sessions.models import Session
    from django.db import connection

    with connection.cursor() as cursor:
        for model in apps.get_models():
            columns = [
                field.column
                for field in model._meta.concrete_fields
                if any(
                    kind in (field.db_type(connection) or "").lower() for kind in TEXT_COLUMN_TYPES
                )
            ]
            if not columns:
                continue
            table = connection.ops.quote_name(model._meta.db_table)
            names = ", ".join(connection.ops.quote_name(column) for column in columns)
            cursor.execute(f"SELECT {names} FROM {table}")  # noqa: S608 - names from the models
            for row in cursor.fetchall():
                for column, value in zip(columns, row, strict=True):
                    if value is not None:
                        yield f"{model._meta.db_table}.{column}", str(value)
    for session in Session.objects.all():
        yield "django_session (decoded)", repr(session.get_decoded())


def secrets_found(texts, passports: list[tuple[str, str]]) -> list[str]:
    found = []
    for where, text in texts:
        found += [f"{where}: номер карты {digits}" for digits in card_numbers_in(text)]
        if any(passport_in(text, *passport) for passport in passports):
            found.append(f"{where}: паспорт в открытом виде")
    return found


def test_the_scanner_finds_what_it_looks_for():
    # the negative controls: planted secrets are found, look-alikes are not
    planted = [
        ("a", "оплачено картой 4242 4242 4242 4242"),
        ("b", '{"card": "5555-5555-5555-4444"}'),
        ("c", "паспорт 4511 654321 выдан"),
        ("d", "45 11 654321"),
        ("h", '{"passport_series": "4511", "passport_number": "654321"}'),
    ]
    innocent = [
        ("e", "полис ДМС-0147-000900, телефон +7 916 555-12-34"),
        ("f", "4242 4242 4242 4241"),  # fails the Luhn check
        ("i", "Task succeeded in 0.007415068999762298s"),  # a fraction that passes Luhn
        ("g", "паспорт 4511 654322"),
    ]

    assert len(secrets_found(planted, [PASSPORT])) == len(planted)
    assert secrets_found(innocent, [PASSPORT]) == []


def test_no_card_number_or_passport_in_the_clear_after_the_journeys(
    demo_data,
    stripe_in_browser,  # noqa: F811
    esia,  # noqa: F811
    sms_outbox,  # noqa: F811
    page_factory,
    caplog,
    capfd,
):
    from django.contrib.sessions.backends.db import SessionStore
    from django.db import transaction

    caplog.set_level(logging.DEBUG)

    # given: the co-pay journey (the card typed into the provider's form, the debt paid) and a
    # registration with a passport
    bind_card_and_pay_journey(demo_data, stripe_in_browser, page_factory, DESKTOP)
    sign_up(page_factory(PHONE), sms_outbox, email="secrets@example.com", passport=PASSPORT,
            shots="secrets-signup")  # fmt: skip
    user = User.objects.get(email="secrets@example.com")
    assert user.passport == "".join(PASSPORT)  # stored, encrypted
    passports = [PASSPORT, DEMO_PASSPORT, ESIA_PASSPORT]

    # and an ESIA login: read while ESIA's answer waits in the session for the last step, then
    # finished
    esia_page = page_factory(PHONE)
    esia_to_the_signup_step(esia_page)
    assert secrets_found(database_texts(), passports) == []
    esia_page.locator("input[name=pin1]").fill(ESIA_PIN)
    esia_page.locator("input[name=pin2]").fill(ESIA_PIN)
    esia_page.get_by_role("button", name="Создать кабинет").click()
    esia_page.wait_for_url("**/")
    assert User.objects.get(email="m.sokolova@example.ru").passport == "".join(ESIA_PASSPORT)

    # when: the database and the logs are read
    captured = capfd.readouterr()
    logs = [("log records", caplog.text), ("stdout", captured.out), ("stderr", captured.err)]
    found = secrets_found([*database_texts(), *logs], passports)

    # then
    assert found == []

    # and a passport stored in the clear would be found, in a column or in a session (planted,
    # then rolled back)
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(middle_name="паспорт 4511 654321")
        session = SessionStore()
        session["pending_signup"] = {"passport_series": "4511", "passport_number": "654321"}
        session.create()
        assert secrets_found(database_texts(), passports) == [
            "accounts_user.middle_name: паспорт в открытом виде",
            "django_session (decoded): паспорт в открытом виде",
        ]
        transaction.set_rollback(True)
