"""The operators' queues in the admin act through the services: answering and settling appeals,
moving claims, unlocking logins."""

import datetime

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse

from claims.models import Claim, ClaimEvent, ServiceLine
from feedback.models import Appeal, AppealEvent, AppealMessage
from portal.core.models import AuditLogEntry
from tests.conftest import staff_login
from tests.factories import (
    AppealFactory,
    ClaimFactory,
    GuaranteeLetterFactory,
    ServiceLineFactory,
    StaffUserFactory,
)


def change_url(obj) -> str:
    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])


@pytest.fixture
def line(db):
    return ServiceLineFactory(copay_amount=100, amount=500, copay_state="frozen")


def test_operator_answers_an_appeal_and_a_page_with_its_service_is_audited(
    operator_client, operator_user, line
):
    appeal = AppealFactory(not_provided=True, service_line=line, status=Appeal.Status.NEW)
    answer_url = reverse("admin:feedback_appeal_answer", args=[appeal.pk])

    page = operator_client.get(answer_url)
    response = operator_client.post(answer_url, {"body": "Здравствуйте! Мы проверили."})

    assert page.status_code == 200
    assert AuditLogEntry.objects.filter(
        staff_user=operator_user, subject_id=str(appeal.pk)
    ).exists()
    assert response.status_code == 302
    appeal.refresh_from_db()
    assert appeal.status == Appeal.Status.ANSWERED
    assert AppealMessage.objects.get(appeal=appeal, from_staff=True).author == operator_user


def test_operator_confirms_a_service_was_not_provided(operator_client, line):
    appeal = AppealFactory(not_provided=True, service_line=line, status=Appeal.Status.NEW)

    response = operator_client.post(
        reverse("admin:feedback_appeal_settle", args=[appeal.pk]), {"decision": "confirmed"}
    )

    assert response.status_code == 302
    line.refresh_from_db()
    appeal.refresh_from_db()
    assert line.copay_state == ServiceLine.CopayState.CANCELLED
    assert appeal.dispute_outcome == "confirmed"


def test_the_appeal_as_written_is_read_only_for_an_operator(operator_client, line):
    appeal = AppealFactory(not_provided=True, service_line=line)

    page = operator_client.get(change_url(appeal)).content.decode()

    assert 'name="subject"' not in page
    assert 'name="status"' not in page
    assert reverse("admin:feedback_appeal_answer", args=[appeal.pk]) in page


def test_the_queue_actions_move_appeals_through_the_service(operator_client):
    fresh = AppealFactory(status=Appeal.Status.NEW)
    unanswered = AppealFactory(status=Appeal.Status.IN_PROGRESS)
    changelist = reverse("admin:feedback_appeal_changelist")

    operator_client.post(
        changelist, {"action": "queue_take_in_work", "_selected_action": [fresh.pk]}
    )
    operator_client.post(changelist, {"action": "queue_close", "_selected_action": [unanswered.pk]})

    fresh.refresh_from_db()
    unanswered.refresh_from_db()
    assert fresh.status == Appeal.Status.IN_PROGRESS
    assert AppealEvent.objects.filter(appeal=fresh).exists()
    assert unanswered.status == Appeal.Status.IN_PROGRESS  # never closed without an answer


def test_overdue_appeals_head_the_queue(operator_client):
    today = datetime.date.today()
    AppealFactory(status=Appeal.Status.CLOSED, due_on=today - datetime.timedelta(days=30))
    later = AppealFactory(status=Appeal.Status.NEW, due_on=today + datetime.timedelta(days=3))
    overdue = AppealFactory(status=Appeal.Status.NEW, due_on=today - datetime.timedelta(days=2))

    listed = operator_client.get(reverse("admin:feedback_appeal_changelist"))

    assert list(listed.context["cl"].result_list)[:2] == [overdue, later]


def test_operator_moves_a_claim_one_step(operator_client, operator_user):
    claim = ClaimFactory(status=Claim.Status.SUBMITTED)
    changelist = reverse("admin:claims_claim_changelist")
    chosen = {"action": "take_for_review", "_selected_action": [claim.pk]}

    form = operator_client.post(changelist, chosen)
    applied = operator_client.post(
        changelist, {**chosen, "apply": "1", "comment": "Документы получены"}
    )

    assert form.status_code == 200  # the step's own form first
    assert applied.status_code == 302
    claim.refresh_from_db()
    assert claim.status == Claim.Status.UNDER_REVIEW
    event = ClaimEvent.objects.get(claim=claim, to_status=Claim.Status.UNDER_REVIEW)
    assert event.by == operator_user


def test_the_claim_as_declared_is_read_only_for_an_operator(operator_client):
    claim = ClaimFactory(status=Claim.Status.SUBMITTED)

    page = operator_client.get(change_url(claim)).content.decode()

    assert 'name="description"' not in page
    assert 'name="payout_details"' not in page


def test_operators_find_the_guarantee_letters_waiting_in_their_queue(operator_client):
    # given: a letter requested by a person
    letter = GuaranteeLetterFactory()
    decide = reverse("admin:feedback_guaranteeletter_decide", args=[letter.pk])

    # when an operator opens the appeals queue
    page = operator_client.get(reverse("admin:feedback_appeal_changelist")).content.decode()

    # then the letter is there with its decision page, which opens
    assert "Гарантийные письма ждут решения: 1" in page
    assert decide in page
    assert operator_client.get(decide).status_code == 200

    # and staff who may read appeals but not letters see no letters there
    reader = StaffUserFactory()
    reader.user_permissions.add(Permission.objects.get(codename="view_appeal"))
    page = (
        staff_login(Client(), reader)
        .get(reverse("admin:feedback_appeal_changelist"))
        .content.decode()
    )
    assert "Гарантийн" not in page and decide not in page
