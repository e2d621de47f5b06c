"""«Клиника отказала / врач недоступен»: an appeal in the operators' queue, numbered, due in 5
working days; and the numbering helper of feedback.services."""

import datetime

import pytest
import time_machine
from django.db import IntegrityError
from django.utils import timezone

from feedback.clinic_reports import clinic_refusal_report
from feedback.models import Appeal
from feedback.services import appeal_number_next, appeal_with_number, numbering
from tests.factories import AppealFactory, ClinicFactory

pytestmark = pytest.mark.django_db

NEW_YEARS_EVE = datetime.datetime(
    2025, 12, 31, 11, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=3))
)


def test_a_report_lands_as_a_clinic_refused_appeal(person_client, user):
    clinic = ClinicFactory(name="Клиника «Отказная»")

    response = person_client.post(
        f"/clinics/{clinic.pk}/report/", {"comment": "Регистратура не приняла полис"}, follow=True
    )

    appeal = Appeal.objects.get()
    assert appeal.kind == Appeal.Kind.CLINIC_REFUSED
    assert (appeal.user, appeal.clinic, appeal.status) == (user, clinic, Appeal.Status.NEW)
    assert appeal.subject == "Клиника отказала / врач недоступен: Клиника «Отказная»"
    assert appeal.messages.get().body == "Регистратура не приняла полис"
    assert appeal.number.startswith(f"О-{timezone.localdate().year}-")
    assert f"Обращение № {appeal.number} передано операторам" in response.text


def test_the_due_date_skips_the_new_year_holidays(user):
    clinic = ClinicFactory()

    with time_machine.travel(NEW_YEARS_EVE, tick=False):
        appeal, created = clinic_refusal_report(user=user, clinic=clinic)

    assert created
    assert appeal.due_on == datetime.date(2026, 1, 16)
    assert appeal.number == "О-2025-000001"
    assert appeal.messages.get().body.startswith("Клиника отказала в приёме")


def test_a_second_tap_the_same_day_makes_no_second_appeal(user):
    clinic = ClinicFactory()

    first, created = clinic_refusal_report(user=user, clinic=clinic)
    again, created_again = clinic_refusal_report(user=user, clinic=clinic, comment="Ещё раз")

    assert created and not created_again
    assert again == first
    assert Appeal.objects.count() == 1
    assert first.messages.count() == 2


def test_a_report_needs_a_post(person_client):
    clinic = ClinicFactory()

    response = person_client.get(f"/clinics/{clinic.pk}/report/")

    assert response.status_code == 302 and response["Location"] == f"/clinics/{clinic.pk}/"
    assert not Appeal.objects.exists()


def test_numbers_continue_after_the_largest_taken_one(user):
    # given: the seed's number of the year, and numbers of another series
    AppealFactory(number="О-2026-000045")
    AppealFactory(number="О-2025-000300")
    AppealFactory(number="ОБР-000999")

    assert appeal_number_next(year=2026) == "О-2026-000046"
    assert appeal_number_next(year=2027) == "О-2027-000001"


def test_a_number_taken_in_the_meantime_is_retried(user, monkeypatch):
    # given: another appeal is registered between reading the next number and writing ours
    # (the real reading function, with a competitor committed right after it, once)
    taken = []
    real_next = numbering.appeal_number_next

    def next_then_taken_by_another(*, year):
        number = real_next(year=year)
        if not taken:
            taken.append(AppealFactory(number=number))
        return number

    monkeypatch.setattr(numbering, "appeal_number_next", next_then_taken_by_another)
    attempts = []

    def create(number):
        attempts.append(number)
        return AppealFactory(number=number, user=user)

    appeal = appeal_with_number(create, year=2026)

    assert attempts == ["О-2026-000001", "О-2026-000002"]
    assert appeal.number == "О-2026-000002"
    assert taken[0].number == "О-2026-000001"


def test_a_failure_unrelated_to_the_number_is_not_retried(user):
    calls = []

    def create(number):
        calls.append(number)
        raise IntegrityError("something else")

    with pytest.raises(IntegrityError):
        appeal_with_number(create, year=2026)
    assert len(calls) == 1
