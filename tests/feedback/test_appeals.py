"""«Мои обращения»: registering, numbering, due dates, the thread, files, the status rules, and
the "service not provided" dispute of a co-pay."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError

from claims.models import ServiceLine
from feedback import services
from feedback.forms import appeal_upload_rules
from feedback.models import Appeal, AppealEvent, AppealNumberSequence
from feedback.services import appeal_due_on, appeal_number_next
from portal.core.uploads import upload_check
from tests.factories import (
    AppealFactory,
    InsuredPersonFactory,
    ServiceLineFactory,
    StaffUserFactory,
    UserFactory,
)

from .conftest import EXE, JPEG, PDF, upload

State = ServiceLine.CopayState
Status = Appeal.Status


@pytest.fixture
def unpaid_line(insured):
    return ServiceLineFactory(
        insured_person=insured,
        amount=Decimal("680"),
        copay_amount=Decimal("136"),
        copay_state=State.UNPAID,
    )


@pytest.fixture
def operator(db):
    return StaffUserFactory()


def complaint(user, **kwargs):
    return services.appeal_create(
        user=user, kind=Appeal.Kind.COMPLAINT, body="Врач опоздал на 40 минут", **kwargs
    )


# --- registering -------------------------------------------------------------------------------


def test_a_complaint_gets_a_number_a_due_date_a_message_and_an_event(user):
    appeal = complaint(user)

    assert appeal.number.startswith("О-")
    assert appeal.status == Status.NEW
    assert appeal.messages.get().body == "Врач опоздал на 40 минут"
    assert list(appeal.events.values_list("to_status", flat=True)) == [Status.NEW]


def test_the_due_date_skips_the_new_year_holidays():
    # 31 Dec 2025 (Wed): 1–8 January are days off, so 5 working days end on Friday 16 January
    assert appeal_due_on(registered_on=datetime.date(2025, 12, 31), kind="complaint") == (
        datetime.date(2026, 1, 16)
    )


def test_the_due_date_is_set_per_kind(settings):
    settings.APPEAL_DUE_WORKING_DAYS = {"complaint": 3, "review": 10}
    day = datetime.date(2026, 3, 2)  # Monday

    assert appeal_due_on(registered_on=day, kind="complaint") == datetime.date(2026, 3, 5)
    # 8 March 2026 is a Sunday: its day off moves to Monday 9 March
    assert appeal_due_on(registered_on=day, kind="review") == datetime.date(2026, 3, 17)


@time_machine.travel(datetime.datetime(2025, 12, 31, 10, 0, tzinfo=datetime.UTC), tick=False)
def test_an_appeal_written_on_31_december_is_due_after_the_holidays(user):
    assert complaint(user).due_on == datetime.date(2026, 1, 16)


def test_a_deleted_appeals_number_is_never_given_again(user):
    first = complaint(user)
    number = first.number
    first.messages.all().delete()
    first.events.all().delete()
    first.delete()

    assert complaint(user).number != number
    assert AppealNumberSequence.objects.get().last == 2


def test_numbering_starts_past_numbers_given_before_the_counter(db):
    AppealFactory(number="О-2031-000045")

    assert appeal_number_next(year=2031) == "О-2031-000046"


def test_a_review_needs_a_rating(user):
    with pytest.raises(ValidationError):
        services.appeal_create(user=user, kind=Appeal.Kind.REVIEW, body="Хорошо")

    review = services.appeal_create(user=user, kind=Appeal.Kind.REVIEW, body="Хорошо", rating=5)
    assert review.rating == 5


# --- status -------------------------------------------------------------------------------------


def test_an_appeal_cannot_be_closed_without_a_staff_answer(user, operator):
    appeal = complaint(user)

    with pytest.raises(ValidationError) as error:
        services.appeal_set_status(appeal=appeal, to_status=Status.CLOSED, by=operator)

    assert error.value.code == "no_answer"
    appeal.refresh_from_db()
    assert appeal.status == Status.NEW


def test_the_answer_sets_answered_and_emails_after_commit(
    user, operator, django_capture_on_commit_callbacks
):
    appeal = complaint(user)

    with django_capture_on_commit_callbacks(execute=True):
        services.appeal_answer(appeal=appeal, staff=operator, body="Приносим извинения.")

    appeal.refresh_from_db()
    assert appeal.status == Status.ANSWERED
    assert len(mail.outbox) == 1 and appeal.number in mail.outbox[0].subject
    # then it may be closed, and a closed appeal does not move again
    services.appeal_set_status(appeal=appeal, to_status=Status.CLOSED, by=operator)
    with pytest.raises(ValidationError):
        services.appeal_set_status(appeal=appeal, to_status=Status.IN_PROGRESS, by=operator)
    assert AppealEvent.objects.filter(appeal=appeal).count() == 3


def test_the_answer_email_goes_out_once(user, operator, django_capture_on_commit_callbacks):
    from feedback.services.notifications import appeal_answer_email_send

    appeal = complaint(user)
    with django_capture_on_commit_callbacks(execute=True):
        message = services.appeal_answer(appeal=appeal, staff=operator, body="Ответ")

    assert appeal_answer_email_send(message_id=message.pk) is False
    assert len(mail.outbox) == 1


def test_a_persons_reply_reopens_an_answered_appeal(user, operator):
    appeal = complaint(user)
    services.appeal_answer(appeal=appeal, staff=operator, body="Ответ")

    services.appeal_message_add(appeal=appeal, author=user, body="Не согласен")

    appeal.refresh_from_db()
    assert appeal.status == Status.IN_PROGRESS


# --- "service not provided" -------------------------------------------------------------------


def test_not_provided_freezes_the_unpaid_copay_with_the_appeal(user, unpaid_line):
    appeal = services.appeal_create(
        user=user, kind=Appeal.Kind.NOT_PROVIDED, body="Не был в клинике", service_line=unpaid_line
    )

    unpaid_line.refresh_from_db()
    assert unpaid_line.copay_state == State.FROZEN
    assert unpaid_line.disputed_at is not None
    assert appeal.clinic == unpaid_line.clinic


def test_a_failed_appeal_leaves_the_copay_unfrozen(user, unpaid_line, monkeypatch):
    def broken(**kwargs):
        raise ValidationError("boom")

    monkeypatch.setattr(services.appeals, "_attachments_store", broken)

    with pytest.raises(ValidationError):
        services.appeal_create(
            user=user, kind=Appeal.Kind.NOT_PROVIDED, body="x", service_line=unpaid_line
        )

    unpaid_line.refresh_from_db()
    assert unpaid_line.copay_state == State.UNPAID
    assert not Appeal.objects.exists()


def test_a_paid_line_stays_paid_and_is_marked_disputed(user, unpaid_line):
    ServiceLine.objects.filter(pk=unpaid_line.pk).update(copay_state=State.PAID)
    unpaid_line.refresh_from_db()

    services.appeal_create(
        user=user, kind=Appeal.Kind.NOT_PROVIDED, body="x", service_line=unpaid_line
    )

    unpaid_line.refresh_from_db()
    assert unpaid_line.copay_state == State.PAID and unpaid_line.disputed_at


def test_a_line_is_disputed_once(user, unpaid_line):
    services.appeal_create(
        user=user, kind=Appeal.Kind.NOT_PROVIDED, body="x", service_line=unpaid_line
    )
    with pytest.raises(ValidationError):
        services.appeal_create(
            user=user, kind=Appeal.Kind.NOT_PROVIDED, body="x", service_line=unpaid_line
        )


def test_confirmed_dispute_cancels_the_copay_and_flags_recovery(user, unpaid_line, operator):
    appeal = services.appeal_create(
        user=user, kind=Appeal.Kind.NOT_PROVIDED, body="x", service_line=unpaid_line
    )

    services.service_dispute_settle(appeal=appeal, staff=operator, confirmed=True)

    unpaid_line.refresh_from_db()
    appeal.refresh_from_db()
    assert unpaid_line.copay_state == State.CANCELLED
    assert unpaid_line.recovery_flagged_at is not None
    assert appeal.status == Status.ANSWERED and appeal.dispute_outcome == "confirmed"


def test_rejected_dispute_unfreezes_and_tells_the_person(
    user, unpaid_line, operator, django_capture_on_commit_callbacks
):
    appeal = services.appeal_create(
        user=user, kind=Appeal.Kind.NOT_PROVIDED, body="x", service_line=unpaid_line
    )
    with pytest.raises(ValidationError):
        services.service_dispute_settle(appeal=appeal, staff=operator, confirmed=False)

    with django_capture_on_commit_callbacks(execute=True):
        services.service_dispute_settle(
            appeal=appeal, staff=operator, confirmed=False, reason="Подпись в медкарте"
        )

    unpaid_line.refresh_from_db()
    assert unpaid_line.copay_state == State.UNPAID and unpaid_line.disputed_at is None
    assert unpaid_line.recovery_flagged_at is None
    assert "Подпись в медкарте" in mail.outbox[0].body
    with pytest.raises(ValidationError):
        services.service_dispute_settle(appeal=appeal, staff=operator, confirmed=True)


# --- pages ------------------------------------------------------------------------------------


def test_new_complaint_page_posts_and_shows_the_appeal(person_client, user):
    response = person_client.post(
        "/appeals/new/",
        {"kind": "complaint", "body": "Долго ждал приёма", "files": [upload("скан.pdf", PDF)]},
    )

    appeal = Appeal.objects.get(user=user)
    assert response.status_code == 302 and response.url == f"/appeals/{appeal.pk}/"
    page = person_client.get(response.url).content.decode()
    assert appeal.number in page and "Долго ждал приёма" in page and "скан.pdf" in page
    attachment = appeal.attachments.get()
    download = person_client.get(f"/appeals/{appeal.pk}/files/{attachment.pk}/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF")


def test_not_provided_page_freezes_the_line(person_client, unpaid_line):
    url = f"/appeals/new/?service_line={unpaid_line.pk}&kind=not_provided"
    form = person_client.get(url).content.decode()
    assert unpaid_line.clinic.name in form
    assert unpaid_line.service_name not in form  # no health-data consent (claims.health)

    response = person_client.post(url, {"kind": "not_provided", "body": "Не был там"})

    assert response.status_code == 302
    unpaid_line.refresh_from_db()
    assert unpaid_line.copay_state == State.FROZEN
    assert "(заморожено до решения по обращению)" in person_client.get("/cases/").content.decode()


@pytest.mark.parametrize(
    ("name", "content"), [("photo.jpg", PDF), ("photo.jpg", EXE), ("photo.exe", EXE)]
)
def test_a_file_with_a_lying_extension_is_refused(person_client, name, content):
    response = person_client.post(
        "/appeals/new/", {"kind": "complaint", "body": "x", "files": [upload(name, content)]}
    )

    assert response.status_code == 400
    assert "не принят" in response.content.decode()
    assert not Appeal.objects.exists()


def test_another_persons_line_appeal_and_file_answer_404(person_client):
    stranger = UserFactory()
    their_line = ServiceLineFactory(insured_person=InsuredPersonFactory())
    their = services.appeal_create(
        user=stranger,
        kind=Appeal.Kind.COMPLAINT,
        body="x",
        files=[upload_check(upload("a.jpg", JPEG), rules=appeal_upload_rules())],
    )
    attachment = their.attachments.get()

    assert person_client.get(f"/appeals/{their.pk}/").status_code == 404
    assert person_client.get(f"/appeals/{their.pk}/files/{attachment.pk}/").status_code == 404
    assert (
        person_client.get(
            f"/appeals/new/?service_line={their_line.pk}&kind=not_provided"
        ).status_code
        == 404
    )
    assert person_client.post(f"/appeals/{their.pk}/", {"body": "hi"}).status_code == 404


def test_the_list_shows_status_and_overdue(person_client, user):
    AppealFactory(user=user, due_on=datetime.date(2020, 1, 10), subject="Старая жалоба")

    page = person_client.get("/appeals/").content.decode()

    assert "Старая жалоба" in page and "срок ответа прошёл 10.01.2020" in page


def test_the_person_writes_in_the_thread(person_client, user):
    appeal = complaint(user)

    response = person_client.post(f"/appeals/{appeal.pk}/", {"body": "Дополняю"})

    assert response.status_code == 302
    assert appeal.messages.count() == 2
