"""The co-pay rules a person meets: the processing days from the binding day, removing the card,
leaving the program, the history of card binds and removals, «Оплатить сейчас» confirmed."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from payments import services
from payments.models import ClinicAttachmentList, CopayEnrollment, PaymentCard
from payments.selectors import clinic_processing_until, copay_access
from portal.accounts.models import AccountEvent, Consent
from portal.core.dates import working_days_after
from tests.factories import ProgramClinicFactory

from .conftest import PIN, make_lines

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def page(client, copay_user):
    client.force_login(copay_user)
    return client


def test_processing_days_are_counted_from_the_binding_day(bind_card, copay_person):
    ProgramClinicFactory(program=copay_person.program)
    enrollment = bind_card()
    bound = timezone.localdate(enrollment.card_bound_at)

    # the activation task ran three days later: the lists' date is still the binding day's
    services.enrollment_activate(
        enrollment_id=enrollment.pk, now=enrollment.card_bound_at + datetime.timedelta(days=3)
    )

    expected = working_days_after(bound, 5)
    assert clinic_processing_until(enrollment.card_bound_at) == expected
    assert {a.processed_by for a in ClinicAttachmentList.objects.all()} <= {expected}
    assert copay_access(insured_person=copay_person).processing(bound)


def test_the_page_tells_to_call_the_pulse_during_the_processing_days(page, bind_card, settings):
    bind_card()
    html = page.get("/copay/").content.decode()
    assert "круглосуточный Пульс" in html and settings.HOTLINE_PHONE_DISPLAY in html
    assert "Записаться можно сразу" in html


def test_removing_the_card_suspends_access_and_says_from_when(page, bind_card, copay_person):
    bind_card()
    response = page.post(
        reverse("payments:card_remove", args=[copay_person.pk]),
        {f"r{copay_person.pk}-pin": PIN},
        follow=True,
    )
    today = f"{timezone.localdate():%d.%m.%Y}"
    assert f"С {today} обращения в клиники по со-оплатной программе приостановлены" in (
        response.content.decode()
    )
    access = copay_access(insured_person=copay_person)
    assert access.suspended and not access.visit_allowed(timezone.now() + datetime.timedelta(1))
    assert f"Карта отвязана {today}" in page.get("/copay/").content.decode()


def test_card_binds_and_removals_are_in_the_account_history(page, bind_card, copay_person):
    bind_card()
    services.card_remove(enrollment=CopayEnrollment.objects.get())

    kinds = list(AccountEvent.objects.values_list("kind", flat=True))
    assert AccountEvent.Kind.CARD_BOUND in kinds and AccountEvent.Kind.CARD_REMOVED in kinds
    profile = page.get("/profile/").content.decode()
    assert "банковская карта привязана" in profile and "банковская карта отвязана" in profile


def test_leaving_the_program_is_refused_while_there_is_a_debt(page, bind_card, copay_person):
    bind_card()
    make_lines(copay_person, ["136.00"])

    html = page.get("/copay/").content.decode()
    assert "Выйти из со-оплатной программы" in html
    assert "Сначала оплатите задолженность 136\u00a0руб." in html
    response = page.post(
        reverse("payments:withdraw", args=[copay_person.pk]),
        {f"w{copay_person.pk}-pin": PIN},
        follow=True,
    )
    assert "Сначала оплатите задолженность" in response.content.decode()
    assert CopayEnrollment.objects.get().withdrawn_at is None


def test_leaving_the_program_with_the_pin(page, bind_card, copay_person, provider):
    bind_card()
    html = page.get("/copay/").content.decode()
    assert "карта отвязана, автоматические списания прекратятся" in html.replace("\n", " ")

    wrong = page.post(
        reverse("payments:withdraw", args=[copay_person.pk]), {f"w{copay_person.pk}-pin": "0000"}
    )
    assert "Неверный PIN-код" in wrong.content.decode()
    assert CopayEnrollment.objects.get().withdrawn_at is None

    response = page.post(
        reverse("payments:withdraw", args=[copay_person.pk]),
        {f"w{copay_person.pk}-pin": PIN},
        follow=True,
    )

    assert "Вы вышли из со-оплатной программы" in response.content.decode()
    enrollment = CopayEnrollment.objects.get()
    assert enrollment.withdrawn_at is not None
    assert not PaymentCard.objects.filter(removed_at__isnull=True).exists()
    assert Consent.objects.get(document=Consent.Document.COPAY_TERMS).withdrawn_at is not None
    assert not copay_access(insured_person=copay_person).enrolled
    # the page offers to join again, and joining again starts the clocks anew
    assert "Подключить и привязать карту" in response.content.decode()
    again = services.copay_consent(user=enrollment.user, insured_person=copay_person)
    assert again.pk == enrollment.pk and again.card_bound_at is None
