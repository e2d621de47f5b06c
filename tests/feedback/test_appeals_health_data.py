"""Appeals under the health-data rule (claims.health): the service's name shows on the appeal
pages only under the person's health-data consent, and the texts that are kept and sent (the
subject, the operator's answer on a disputed service, its PDF and e-mail) never hold it."""

import importlib
from decimal import Decimal

import pytest
from django.apps import apps
from django.core import mail

from claims.models import ServiceLine
from feedback import services
from feedback.models import Appeal, AppealMessage
from portal.accounts.services import health_consent_give, health_consent_withdraw
from tests.factories import ServiceLineFactory, StaffUserFactory

SERVICE = "Приём врача-гастроэнтеролога первичный"


@pytest.fixture
def line(insured):
    return ServiceLineFactory(
        insured_person=insured,
        service_name=SERVICE,
        amount=Decimal("680"),
        copay_amount=Decimal("136"),
        copay_state=ServiceLine.CopayState.UNPAID,
    )


def test_the_new_appeal_page_names_the_service_only_under_the_consent(person_client, user, line):
    url = f"/appeals/new/?service_line={line.pk}&kind=not_provided"

    page = person_client.get(url)
    assert line.clinic.name in page.content.decode()
    assert SERVICE not in page.content.decode()
    assert "наименование скрыто" in page.content.decode()
    assert "no-store" in page["Cache-Control"]

    health_consent_give(user=user)
    assert SERVICE in person_client.get(url).content.decode()


def test_the_appeal_page_and_list_follow_the_consent(person_client, user, line):
    appeal = services.appeal_create(
        user=user, kind=Appeal.Kind.COMPLAINT, body="Долго ждал", service_line=line
    )
    health_consent_give(user=user)
    assert SERVICE in person_client.get(f"/appeals/{appeal.pk}/").content.decode()

    health_consent_withdraw(user=user)

    for url in (f"/appeals/{appeal.pk}/", "/appeals/"):
        page = person_client.get(url).content.decode()
        assert SERVICE not in page, url
        assert appeal.number in page


def test_the_subject_and_the_dispute_answer_name_the_line_by_date_and_clinic(
    user, line, django_capture_on_commit_callbacks
):
    health_consent_give(user=user)  # even with it: the texts are kept and read later
    appeal = services.appeal_create(
        user=user, kind=Appeal.Kind.NOT_PROVIDED, body="Не был там", service_line=line
    )
    day = f"{line.service_date:%d.%m.%Y}"
    assert appeal.subject == f"Услуга не оказана: услуга от {day} ({line.clinic.name})"

    with django_capture_on_commit_callbacks(execute=True):
        services.service_dispute_settle(appeal=appeal, staff=StaffUserFactory(), confirmed=True)

    answer = AppealMessage.objects.get(appeal=appeal, from_staff=True)
    assert f"услуга от {day} ({line.clinic.name}) не была оказана" in answer.body
    assert SERVICE not in answer.body
    assert SERVICE not in mail.outbox[0].body


def test_old_appeals_lose_the_service_name_from_their_subject_and_answers(user, line):
    day = f"{line.service_date:%d.%m.%Y}"
    appeal = Appeal.objects.create(
        number="2026-000777",
        user=user,
        kind=Appeal.Kind.COMPLAINT,
        subject=f"Жалоба: {SERVICE}",
        due_on=line.service_date,
        service_line=line,
        clinic=line.clinic,
    )
    typed = Appeal.objects.create(
        number="2026-000778",
        user=user,
        kind=Appeal.Kind.COMPLAINT,
        subject="Про гастроэнтеролога",  # typed by the person: kept
        due_on=line.service_date,
        service_line=line,
    )
    answer = AppealMessage.objects.create(
        appeal=appeal,
        author=StaffUserFactory(),
        from_staff=True,
        body=f"Мы проверили: услуга «{SERVICE}» от {day} не была оказана.",
    )
    migration = importlib.import_module(
        "feedback.migrations.0005_health_appeal_texts_without_service_names"
    )

    migration.rewrite(apps, None)

    appeal.refresh_from_db()
    answer.refresh_from_db()
    typed.refresh_from_db()
    assert appeal.subject == f"Жалоба: услуга от {day} ({line.clinic.name})"
    assert answer.body == (f"Мы проверили: услуга от {day} ({line.clinic.name}) не была оказана.")
    assert typed.subject == "Про гастроэнтеролога"
