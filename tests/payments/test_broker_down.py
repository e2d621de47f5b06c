"""Money moved while Redis is down: «Оплатить сейчас», a card bound, a refund of a confirmed
dispute. The write succeeds (no 500), its tasks wait in the outbox, and once the broker is back
the e-mail or the follow-up work happens exactly once (a second delivery run changes nothing).

The broker is unreachable for real (tests/broker.py: a Redis on a closed loopback port); the
providers are localstripe and the ЮKassa emulator, as in the rest of this suite.
"""

import pytest
from django.core import mail
from django.urls import reverse

from claims.models import ServiceLine
from payments.models import Charge, ClinicAttachmentList, CopayEnrollment, Receipt, Refund
from portal.core.models import OutboxMessage
from tests.broker import deliver_after_return
from tests.factories import ProgramClinicFactory

from .conftest import CARD_DECLINED, CARD_OK, PIN, charge_daily_after_notice, make_lines
from .test_charges import today
from .test_refunds import dispute_and_confirm, provider_refunds

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def page(client, copay_user):
    client.force_login(copay_user)
    return client


def waiting(task_suffix: str) -> OutboxMessage:
    """The one row of the task, not yet run."""
    row = OutboxMessage.objects.get(task_name__endswith=task_suffix)
    assert row.acked_at is None
    return row


def delivered_once(broker) -> None:
    """The broker back, the beat's delivery runs twice: every row ran, none is left over."""
    deliver_after_return(broker)
    deliver_after_return(broker)
    assert not OutboxMessage.objects.filter(acked_at__isnull=True).exists()


def pay_now(page, person):
    return page.post(
        reverse("payments:pay_now", args=[person.pk]), {"confirmed": "True"}, follow=True
    )


def test_pay_now_with_the_broker_down_pays_and_the_receipt_is_read_back_later(
    page, yk_bind, copay_person, broker
):
    # given: a card bound on ЮKassa's page (its receipts are fiscal), a debt, the broker down
    yk_bind()
    make_lines(copay_person, ["120.00", "424.00"])
    broker.down()

    # when: «Оплатить сейчас», confirmed
    response = pay_now(page, copay_person)

    # then: paid and said so; the receipt's fiscal attributes wait for the worker
    assert response.status_code == 200
    assert "Задолженность оплачена" in response.content.decode()
    charge = Charge.objects.get()
    assert charge.status == Charge.Status.SUCCEEDED
    receipt = Receipt.objects.get(source=Receipt.Source.COPAY, source_id=charge.pk)
    assert receipt.status == Receipt.Status.PENDING
    assert waiting("receipt_fetch").args == [receipt.pk]

    # when: the broker is back
    delivered_once(broker)

    # then: the receipt is registered, read back by one task
    receipt.refresh_from_db()
    assert receipt.status == Receipt.Status.REGISTERED and receipt.fiscal_document_number
    assert OutboxMessage.objects.filter(task_name__endswith="receipt_fetch").count() == 1


def test_pay_now_declined_with_the_broker_down_is_answered_and_mailed_once_later(
    page, bind_card, copay_person, copay_user, broker
):
    bind_card(CARD_DECLINED)
    make_lines(copay_person, ["544.00"])
    mail.outbox.clear()
    broker.down()

    response = pay_now(page, copay_person)

    assert response.status_code == 200
    assert Charge.objects.get().status == Charge.Status.FAILED
    assert mail.outbox == []
    waiting("charge_failed_notify")

    delivered_once(broker)

    assert [(m.subject, m.to) for m in mail.outbox] == [
        ("Не удалось списать со-оплату", [copay_user.email])
    ]


def test_a_card_bound_with_the_broker_down_starts_the_program_later(
    page, copay_person, copay_program, provider, broker
):
    # given: the consent and the provider's card form, two clinics in the program
    ProgramClinicFactory.create_batch(2, program=copay_program)
    page.post(
        reverse("payments:consent", args=[copay_person.pk]),
        {f"c{copay_person.pk}-pin": PIN, f"c{copay_person.pk}-agree": "on"},
    )
    form = page.post(
        reverse("payments:card_bind", args=[copay_person.pk]), {f"b{copay_person.pk}-pin": PIN}
    ).content.decode()
    client_secret = form.split('data-client-secret="')[1].split('"')[0]
    setup_intent = provider.confirm_setup(client_secret, CARD_OK)
    broker.down()

    # when: the page posts the confirmed card
    response = page.post(
        reverse("payments:card_attach", args=[copay_person.pk]), {"setup_intent": setup_intent}
    )

    # then: bound and said so; the activation waits for the worker
    assert response.status_code == 302
    assert "привязана" in page.get(response.url).content.decode()
    enrollment = CopayEnrollment.objects.get(insured_person=copay_person)
    assert enrollment.card_bound_at is not None and enrollment.active_from is None
    waiting("enrollment_activate")

    # when: the broker is back
    delivered_once(broker)

    # then: the program is active and each clinic has its attachment list, once
    enrollment.refresh_from_db()
    assert enrollment.active_from is not None
    assert ClinicAttachmentList.objects.filter(enrollment=enrollment).count() == 2


def test_a_refund_decided_with_the_broker_down_is_made_and_mailed_once_later(
    bind_card, copay_person, copay_user, provider, broker
):
    # given: a daily charge that paid the line, then the broker down
    enrollment = bind_card()
    (line,) = make_lines(copay_person, ["272.00"])
    charge = charge_daily_after_notice(enrollment, today())
    assert charge.status == Charge.Status.SUCCEEDED
    mail.outbox.clear()
    broker.down()

    # when: the person disputes it and the operator confirms «услуга не оказана»
    dispute_and_confirm(copay_user, line)

    # then: the decision is saved; the refund waits for the worker
    line.refresh_from_db()
    assert line.recovery_flagged_at is not None
    assert line.copay_state == ServiceLine.CopayState.PAID  # until the money is back
    assert not Refund.objects.exists() and provider_refunds(provider, charge) == []
    waiting("copay_refund_request")
    assert mail.outbox == []

    # when: the broker is back
    delivered_once(broker)

    # then: refunded at the provider once, and the person told once
    refund = Refund.objects.get()
    assert refund.status == Refund.Status.SUCCEEDED
    line.refresh_from_db()
    assert line.copay_state == ServiceLine.CopayState.CANCELLED
    assert [r["amount"] for r in provider_refunds(provider, charge)] == [27200]
    refund_mail = [m for m in mail.outbox if m.subject == "Со-оплата возвращена на карту"]
    assert [m.to for m in refund_mail] == [[copay_user.email]]
