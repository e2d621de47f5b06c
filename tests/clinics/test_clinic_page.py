"""/clinics/<id>/: details, coverage check, doctors and free times, the confirmation step."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from clinics.models import Appointment
from tests.factories import (
    AppointmentFactory,
    ClinicFactory,
    InsuredPersonFactory,
    PolicyFactory,
    PolicyLinkFactory,
    ProgramClinicFactory,
)

from .conftest import slot_at, tomorrow_at
from .factories import CopayEnrollmentFactory

pytestmark = pytest.mark.django_db


def test_any_clinic_of_the_network_can_be_viewed(person_client):
    clinic = ClinicFactory(
        name="Клиника не из программы", last_verified_on=datetime.date(2026, 3, 1)
    )

    response = person_client.get(f"/clinics/{clinic.pk}/")

    assert response.status_code == 200
    assert "Клиника не из программы" in response.text
    assert "01.03.2026" in response.text
    assert "онлайн-записи нет" in response.text


def test_an_unknown_clinic_is_a_404(person_client):
    assert person_client.get("/clinics/999999/").status_code == 404


def test_the_page_lists_doctors_and_free_times_by_day(person_client, doctor, slot):
    # given: one more free time the day after, one taken time, one time past the 14 days
    day_after = slot_at(doctor, tomorrow_at(11) + datetime.timedelta(days=1))
    taken = slot_at(doctor, tomorrow_at(12))
    AppointmentFactory(slot=taken)
    slot_at(doctor, tomorrow_at(9) + datetime.timedelta(days=15))

    response = person_client.get(f"/clinics/{doctor.clinic.pk}/")

    html = response.text
    assert "Орлова Анна Викторовна" in html
    assert f'href="/clinics/{doctor.clinic.pk}/book/{slot.pk}/"' in html
    assert f"/book/{day_after.pk}/" in html
    assert f"/book/{taken.pk}/" not in html
    assert html.count('class="slot"') == 2
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    weekday = ["Понедельник", "Вторник", "Среда", "Четверг", "Пятница", "Суббота", "Воскресенье"]
    assert weekday[tomorrow.weekday()] in html


def test_the_coverage_check_says_covered_with_the_copay_share(
    person_client, user, insured, dms_policy, booking_clinic
):
    insured.program.copay_share = Decimal("20")
    insured.program.save()
    query = {"patient": insured.pk, "care_kind": "outpatient"}

    # before a card is bound the program covers nothing yet, and the check says why
    response = person_client.get(f"/clinics/{booking_clinic.pk}/", query)
    assert "Покрывается" not in response.text
    assert "Нужна привязанная карта" in response.text
    assert "только с привязанной банковской картой" in response.text
    assert 'href="/copay/"' in response.text

    # with the card bound an hour ago: covered, and the clinics' processing days are told
    CopayEnrollmentFactory(user=user, insured_person=insured)
    response = person_client.get(f"/clinics/{booking_clinic.pk}/", query)

    assert "Покрывается" in response.text
    assert "круглосуточный Пульс" in response.text
    assert (
        f"Покрывается полисом № {dms_policy.number}, со-оплата 20\u00a0% стоимости услуги"
        in response.text
    )


def test_the_coverage_check_says_needs_a_guarantee_letter(
    person_client, insured, dms_policy, dental
):
    clinic = ClinicFactory()
    ProgramClinicFactory(
        program=insured.program, clinic=clinic, care_kind=dental, guarantee_letter_required=True
    )

    response = person_client.get(
        f"/clinics/{clinic.pk}/", {"patient": insured.pk, "care_kind": "dental"}
    )

    assert "Покрывается по гарантийному письму" in response.text
    assert "без со-оплаты" in response.text


def test_the_coverage_check_says_not_covered(
    person_client, insured, dms_policy, booking_clinic, dental
):
    ProgramClinicFactory(clinic=booking_clinic, care_kind=dental)  # another program's coverage

    response = person_client.get(
        f"/clinics/{booking_clinic.pk}/", {"patient": insured.pk, "care_kind": "dental"}
    )

    assert "Не покрывается" in response.text


def test_the_coverage_check_answers_htmx_with_the_partial(person_client, insured, booking_clinic):
    response = person_client.get(
        f"/clinics/{booking_clinic.pk}/",
        {"patient": insured.pk, "care_kind": "outpatient", "partial": "coverage"},
        headers={"HX-Request": "true"},
    )

    assert response.text.strip().startswith('<div id="coverage-result"')
    assert "Покрывается" in response.text


def test_another_persons_patient_is_not_a_choice_of_the_coverage_check(
    person_client, booking_clinic
):
    stranger = InsuredPersonFactory(last_name="Незнакомцев")
    PolicyLinkFactory(insured_person=stranger)

    response = person_client.get(
        f"/clinics/{booking_clinic.pk}/", {"patient": stranger.pk, "care_kind": "outpatient"}
    )

    assert response.status_code == 200
    assert "Незнакомцев" not in response.text
    assert "Покрывается" not in response.text


# --- The confirmation step ---------------------------------------------------------------------


def test_the_confirmation_shows_doctor_time_patient_and_policy(
    person_client, insured, dms_policy, slot
):
    response = person_client.get(f"/clinics/{slot.doctor.clinic.pk}/book/{slot.pk}/")

    html = response.text
    assert response.status_code == 200
    assert "Орлова Анна Викторовна" in html
    assert timezone.localtime(slot.starts_at).strftime("%H:%M") in html
    assert insured.full_name in html
    assert f"Покрывается полисом № {dms_policy.number}" in html


def test_confirming_books_and_leads_to_the_bookings(
    person_client, user, insured, slot, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True):
        response = person_client.post(
            f"/clinics/{slot.doctor.clinic.pk}/book/{slot.pk}/", {"patient": insured.pk}
        )

    assert response.status_code == 302
    assert response["Location"] == "/appointments/"
    appointment = Appointment.objects.get()
    assert (appointment.user, appointment.insured_person) == (user, insured)
    assert len(mailoutbox) == 1


def test_confirming_for_another_persons_patient_changes_nothing(person_client, slot):
    stranger = InsuredPersonFactory()
    PolicyLinkFactory(insured_person=stranger)
    PolicyFactory(insured_person=stranger)

    response = person_client.post(
        f"/clinics/{slot.doctor.clinic.pk}/book/{slot.pk}/", {"patient": stranger.pk}
    )

    assert response.status_code == 200
    assert "Выберите корректный вариант" in response.text
    assert not Appointment.objects.exists()


def test_a_slot_of_another_clinic_is_a_404(person_client, slot):
    other = ClinicFactory(online_booking=True)

    assert person_client.get(f"/clinics/{other.pk}/book/{slot.pk}/").status_code == 404


def test_the_copay_refusal_links_to_the_copay_page(person_client, insured, slot):
    insured.program.copay_share = Decimal("20")
    insured.program.save()

    response = person_client.post(
        f"/clinics/{slot.doctor.clinic.pk}/book/{slot.pk}/", {"patient": insured.pk}
    )

    assert "только с привязанной банковской картой" in response.text
    assert 'href="/copay/"' in response.text
    assert not Appointment.objects.exists()


def test_the_clinic_page_queries_do_not_grow_with_slots(
    person_client, doctor, django_assert_max_num_queries
):
    for hour in range(9, 18):
        slot_at(doctor, tomorrow_at(hour))
        slot_at(doctor, tomorrow_at(hour, 30))

    with django_assert_max_num_queries(14):
        response = person_client.get(f"/clinics/{doctor.clinic.pk}/")

    assert response.text.count('class="slot"') == 18


def test_the_confirmation_of_a_taken_time_says_so(person_client, slot):
    AppointmentFactory(slot=slot)

    response = person_client.get(f"/clinics/{slot.doctor.clinic.pk}/book/{slot.pk}/")

    assert "Это время уже занято" in response.text
    assert "Подтвердить запись" not in response.text
