"""Each step of a payout case e-mails the person once, after the commit."""

import datetime
from decimal import Decimal

import pytest

from claims.models import Claim, ClaimEvent
from claims.services import claim_documents_add, claim_documents_send, claim_set_status
from claims.services.notifications import claim_event_email_send
from claims.tasks import claim_event_notify, claim_notifications_resend
from portal.core.models import OutboxMessage

from .conftest import photo, submit

pytestmark = pytest.mark.django_db
S = Claim.Status


def test_every_step_sends_one_email_after_commit(
    person, kasko, staff_user, mailoutbox, django_capture_on_commit_callbacks
):
    # when: the whole path, each step committed
    with django_capture_on_commit_callbacks(execute=True):
        claim = submit(person, kasko)
    with django_capture_on_commit_callbacks(execute=True):
        claim_set_status(
            claim=claim,
            status=S.DOCUMENTS_REQUESTED,
            by=staff_user,
            requested=["police"],
            comment="Нужен талон-уведомление из полиции",
        )
    with django_capture_on_commit_callbacks(execute=True):
        claim_documents_add(claim=claim, user=person, kind="police", files=[photo("talon.jpg")])
        claim_documents_send(claim=claim, user=person)
    with django_capture_on_commit_callbacks(execute=True):
        claim_set_status(claim=claim, status=S.APPROVED, by=staff_user, amount=Decimal("48300"))
    with django_capture_on_commit_callbacks(execute=True):
        claim_set_status(claim=claim, status=S.PAID, by=staff_user)

    # then
    subjects = [m.subject for m in mailoutbox]
    number = claim.number
    assert subjects == [
        f"Заявление о страховом случае № {number} принято",
        f"Убыток № {number}: нужны документы",
        f"Убыток № {number} на рассмотрении",
        f"Убыток № {number}: выплата одобрена",
        f"Убыток № {number}: выплата произведена",
    ]
    assert all(m.to == [person.email] for m in mailoutbox)
    first, request, _review, approved, paid = (m.body for m in mailoutbox)
    assert "Решение о выплате — не позднее" in first and "Правил" in first
    assert "Документы о полиции" not in request and "— Документы полиции" in request
    assert "талон-уведомление" in request
    assert "48\xa0300\xa0руб." in approved
    assert "48\xa0300\xa0руб." in paid
    assert f"/claims/{claim.pk}/" in first
    assert not ClaimEvent.objects.filter(notified_at__isnull=True).exists()


def test_the_email_goes_out_once_however_often_the_task_runs(
    person, kasko, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        claim = submit(person, kasko)
    event = claim.events.get()

    assert claim_event_notify(event.pk) is False  # a redelivery
    assert claim_event_email_send(event_id=event.pk) is False
    assert len(mailoutbox) == 1


def test_a_step_is_not_emailed_before_its_commit(
    person, kasko, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        submit(person, kasko)
    assert len(callbacks) == 1
    assert mailoutbox == []  # the transaction could still roll back


def test_refusal_email_quotes_the_reason_and_the_rule(
    person, kasko, staff_user, mailoutbox, django_capture_on_commit_callbacks
):
    claim = submit(person, kasko)
    claim_set_status(claim=claim, status=S.UNDER_REVIEW, by=staff_user)
    with django_capture_on_commit_callbacks(execute=True):
        claim_set_status(
            claim=claim,
            status=S.REFUSED,
            by=staff_user,
            comment="Ключи были оставлены в автомобиле",
            rule="Правила, п. 4.3.7",
        )
    body = mailoutbox[-1].body
    assert "Причина: Ключи были оставлены в автомобиле" in body
    assert "Основание: Правила, п. 4.3.7" in body


def test_the_sweep_resends_recent_unsent_steps_only(
    person, kasko, mailoutbox, django_capture_on_commit_callbacks
):
    # given: a step whose e-mail never went out, and whose outbox row is gone (given up and
    # purged, or written before the outbox)
    claim = submit(person, kasko)
    event = claim.events.get()
    ClaimEvent.objects.filter(pk=event.pk).update(at=event.at - datetime.timedelta(minutes=30))
    OutboxMessage.objects.all().delete()

    with django_capture_on_commit_callbacks(execute=True):
        assert claim_notifications_resend() == 1
    assert len(mailoutbox) == 1
    assert claim_notifications_resend() == 0


def test_the_sweep_leaves_a_step_whose_email_still_waits_in_the_outbox(person, kasko, mailoutbox):
    # given: a step whose e-mail waits in the outbox (the broker down: not yet handed over)
    claim = submit(person, kasko)
    event = claim.events.get()
    ClaimEvent.objects.filter(pk=event.pk).update(at=event.at - datetime.timedelta(minutes=30))
    assert OutboxMessage.objects.filter(task_name=claim_event_notify.name).count() == 1

    # then the sweep queues it no second time
    assert claim_notifications_resend() == 0
    assert OutboxMessage.objects.filter(task_name=claim_event_notify.name).count() == 1
