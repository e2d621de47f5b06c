"""Co-pay under the health-data rule (claims.health): the ledger, the receipt PDF and the
day-before notice name the services only under the person's health-data consent; without it they
show the date, the clinic and the amount."""

import datetime
import io

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from portal.accounts.services import health_consent_give, health_consent_withdraw

from .conftest import charge_daily_after_notice, make_lines

pytestmark = pytest.mark.django_db(transaction=True)


def pdf_text(content: bytes) -> str:
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


@pytest.fixture
def paid(bind_card, copay_person):
    enrollment = bind_card()
    make_lines(copay_person, ["136.00"])
    charge = charge_daily_after_notice(enrollment, timezone.localdate())
    make_lines(copay_person, ["88.00"])  # one more, unpaid
    return charge


def test_ledger_receipt_and_notice_hide_service_names_without_the_consent(
    client, copay_user, copay_person, paid
):
    names = sorted(copay_person.service_lines.values_list("service_name", flat=True))
    client.force_login(copay_user)

    # no consent: the notice went out without the names
    assert mail.outbox and not any(name in mail.outbox[0].body for name in names)
    assert "наименование скрыто" in mail.outbox[0].body
    # the ledger: dates, clinics and amounts, the names hidden
    ledger = client.get("/copay/")
    html = ledger.content.decode()
    assert "no-store" in ledger["Cache-Control"]
    assert "136\xa0руб." in html and "88\xa0руб." in html
    assert not any(name in html for name in names)
    assert "наименование скрыто" in html
    # the receipt
    receipt = client.get(reverse("payments:receipt", args=[paid.pk]))
    text = pdf_text(receipt.content)
    # the receipt's money format writes kopecks only when there are any (portal.core.formatting)
    assert "136\xa0руб." in text and not any(name in text for name in names)

    # when: the consent is given, all three name the services
    health_consent_give(user=copay_user)
    html = client.get("/copay/").content.decode()
    assert all(name in html for name in names)
    text = pdf_text(client.get(reverse("payments:receipt", args=[paid.pk])).content)
    paid_name = paid.lines.get().service_line.service_name
    # the PDF wraps a long name, also after a hyphen («врача-» / «терапевта»)
    assert paid_name in text.replace("-\n", "-").replace("\n", " ")

    # and a withdrawal hides them again at once
    health_consent_withdraw(user=copay_user)
    html = client.get("/copay/").content.decode()
    assert not any(name in html for name in names)


def test_the_notice_names_the_services_under_the_consent(bind_card, copay_user, copay_person):
    from payments import services

    enrollment = bind_card()
    health_consent_give(user=copay_user)
    line = make_lines(copay_person, ["50.00"])[0]
    mail.outbox.clear()

    services.copay_notice_send(
        enrollment_id=enrollment.pk,
        charge_day=timezone.localdate() + datetime.timedelta(days=1),
    )

    assert line.service_name in mail.outbox[0].body
