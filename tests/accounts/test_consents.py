"""«Мои согласия» (/profile/consents/) and «Журнал доступа» (/profile/access-log/): every consent
the person gave with its text and «Отозвать»; the health-data consent withdrawn with the PIN;
the personal-data consent's withdrawal explained as the account's closure; the staff reads of
the person's data shown by role and staff number, never by name."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from portal.accounts.models import Consent
from portal.accounts.services import (
    consent_text,
    consent_text_hash,
    health_consent_give,
)
from portal.core import roles
from portal.core.models import AuditLogEntry
from tests.conftest import staff_login
from tests.factories import (
    InsuredPersonFactory,
    PolicyLinkFactory,
    ServiceLineFactory,
    StaffUserFactory,
)

from .conftest import PIN, verified_person

WITHDRAW = "/profile/consents/health/withdraw/"


def _active_health(user):
    return Consent.objects.filter(
        user=user, document=Consent.Document.HEALTH_DATA, withdrawn_at__isnull=True
    )


def test_the_text_holds_what_152_fz_art_9_part_4_asks_and_its_hash_is_kept(person):
    consent = health_consent_give(user=person)
    text = consent_text(document=consent.document, version=consent.version, user=person)

    for part in (
        "Кто обрабатывает",
        "Какие сведения",
        "Цель обработки",
        "Действия со сведениями",
        "Срок действия",
        "Как отозвать",
        "диагнозы по МКБ-10",
        person.last_name,
    ):
        assert part in text
    assert consent.text_hash == consent_text_hash(text)
    # given twice: one row
    assert health_consent_give(user=person).pk == consent.pk


def test_the_page_lists_every_consent_with_its_text_and_withdraw(client, person):
    Consent.objects.create(user=person, document="personal_data", version="2026-01")
    consent = health_consent_give(user=person)
    client.force_login(person)

    page = client.get("/profile/consents/").content.decode()

    assert "Согласие на обработку персональных данных" in page
    assert "Согласие на обработку сведений о состоянии здоровья" in page
    assert consent.text_hash in page and "Цель обработки" in page
    assert "в личном кабинете, подтверждено PIN-кодом" in page
    assert page.count("Отозвать") >= 2
    assert reverse("accounts:personal_data_withdraw") in page and WITHDRAW in page


def test_the_health_consent_is_withdrawn_with_the_pin(client, person):
    consent = health_consent_give(user=person)
    client.force_login(person)

    response = client.post(WITHDRAW, {"pin": PIN, "consent": consent.pk})

    assert response.status_code == 302
    consent.refresh_from_db()
    assert consent.withdrawn_at is not None
    assert "отозвано" in client.get("/profile/consents/").content.decode()


@pytest.mark.parametrize(
    ("data", "message"),
    [({}, "Обязательное поле"), ({"pin": "1111"}, "Неверный PIN-код")],
)
def test_a_withdrawal_without_the_right_pin_changes_nothing(client, person, data, message):
    health_consent_give(user=person)
    client.force_login(person)

    response = client.post(WITHDRAW, data)

    assert response.status_code == 400 and message in response.content.decode()
    assert _active_health(person).exists()


def test_a_consent_never_given_cannot_be_withdrawn(client, person):
    client.force_login(person)

    response = client.post(WITHDRAW, {"pin": PIN})

    assert response.status_code == 400
    assert "не было дано" in response.content.decode()
    assert not Consent.objects.filter(user=person, document="health_data").exists()


def test_another_persons_consent_id_changes_nothing(client, person):
    mine = health_consent_give(user=person)
    other = verified_person()
    theirs = health_consent_give(user=other)
    client.force_login(person)

    response = client.post(WITHDRAW, {"pin": PIN, "consent": theirs.pk})

    assert response.status_code == 400
    assert "не найдено" in response.content.decode()
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.withdrawn_at is None and theirs.withdrawn_at is None


def test_withdrawing_the_personal_data_consent_explains_the_account_is_closed(client, person):
    Consent.objects.create(user=person, document="personal_data", version="2026-01")
    client.force_login(person)
    url = reverse("accounts:personal_data_withdraw")

    page = client.get(url).content.decode()
    assert "отзыв закрывает учётную запись" in page and "Что будет удалено" in page

    # without the tick nothing happens
    client.post(url, {"password": "wrong", "pin": PIN})
    person.refresh_from_db()
    assert person.deleted_at is None

    from tests.factories import DEFAULT_PASSWORD

    response = client.post(url, {"password": DEFAULT_PASSWORD, "pin": PIN, "confirm": "on"})
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.deleted_at is not None
    assert not Consent.objects.filter(user=person, withdrawn_at__isnull=True).exists()


@pytest.fixture
def operator(db):
    staff = StaffUserFactory(last_name="Григорьева", first_name="Анна")
    staff.groups.add(Group.objects.get(name=roles.SUPPORT_OPERATOR))
    return staff


def test_the_access_log_shows_an_operators_view_of_a_service_line(client, person, operator):
    insured = InsuredPersonFactory()
    PolicyLinkFactory(user=person, insured_person=insured)
    line = ServiceLineFactory(insured_person=insured)
    someone_else = ServiceLineFactory()
    staff_login(client, operator)
    assert client.get(f"/admin/claims/serviceline/{line.pk}/change/").status_code == 200
    assert client.get(f"/admin/claims/serviceline/{someone_else.pk}/change/").status_code == 200
    entry = AuditLogEntry.objects.get(subject_id=str(line.pk))
    assert entry.insured_person_id == insured.pk
    client.logout()

    client.force_login(person)
    page = client.get("/profile/access-log/").content.decode()

    assert roles.SUPPORT_OPERATOR in page and f"№ {operator.pk}" in page
    assert "услуга ДМС с диагнозом по МКБ-10" in page
    assert "Григорьева" not in page
    assert page.count("<tr>") == 2  # the heading and the one read of this person's data


def test_the_access_log_shows_a_read_of_the_account_in_the_admin(client, person, superuser):
    staff_login(client, superuser)
    assert client.get(f"/admin/accounts/user/{person.pk}/change/").status_code == 200
    client.logout()
    assert AuditLogEntry.objects.filter(person=person).exists()

    client.force_login(person)
    page = client.get("/profile/access-log/").content.decode()

    assert "Администратор системы" in page and f"№ {superuser.pk}" in page
    assert superuser.last_name not in page


def test_an_empty_access_log_says_so(client, person):
    client.force_login(person)
    page = client.get("/profile/access-log/").content.decode()
    assert "ваши данные не открывали" in page


def test_the_weekly_email_lists_last_weeks_reads_to_who_asked_for_it(
    client, person, operator, mailoutbox
):
    import datetime

    import time_machine

    from cabinet.access_log import access_log_digests_send
    from portal.core.audit import audit_log_change

    client.force_login(person)
    client.post("/profile/access-log/", {"digest": "on"})
    person.refresh_from_db()
    assert person.access_log_digest
    quiet = verified_person()
    quiet.access_log_digest = True
    quiet.save()
    insured = InsuredPersonFactory()
    PolicyLinkFactory(user=person, insured_person=insured)
    line = ServiceLineFactory(insured_person=insured)
    monday = datetime.datetime(2026, 11, 30, 12, tzinfo=datetime.UTC)
    with time_machine.travel(monday + datetime.timedelta(days=2), tick=False):
        audit_log_change(
            staff_user=operator, subject=line, person_label="x", what="услуга ДМС с диагнозом"
        )

    with time_machine.travel(monday + datetime.timedelta(days=7), tick=False):
        assert access_log_digests_send() == 1

    (mail,) = mailoutbox
    assert mail.to == [person.email]
    assert roles.SUPPORT_OPERATOR in mail.body and f"№ {operator.pk}" in mail.body
    assert "Григорьева" not in mail.body and "/profile/access-log/" in mail.body

    client.post("/profile/access-log/", {})
    person.refresh_from_db()
    assert not person.access_log_digest


def test_the_beat_sends_the_weekly_email_and_runs_the_retention(settings, person, operator):
    from celery import current_app

    import cabinet.tasks  # noqa: F401  (registers the tasks)

    schedule = {
        entry["task"]: entry["schedule"] for entry in settings.CELERY_BEAT_SCHEDULE.values()
    }
    digest = schedule["cabinet.tasks.access_log_digests_send_task"]
    assert digest.day_of_week == {1}  # Mondays: the week that ended
    assert "cabinet.tasks.personal_data_retention_task" in schedule
    # the scheduled name is the task that sends the letters (none this week: nobody asked)
    assert current_app.tasks["cabinet.tasks.access_log_digests_send_task"].apply().get() == 0
