"""The operators' appeals queue (feedback.admin_queue) on an admin site of its own: the answer
page, the dispute decision, status moves through the transition function, staff file download,
and the guarantee letter decision. feedback/admin.py wires the mixins into the real admin."""

import datetime
from decimal import Decimal

import pytest
from django.contrib import admin
from django.core import mail
from django.urls import path
from django.utils import timezone

from claims.models import ServiceLine
from feedback import services
from feedback.admin_queue import AppealQueueAdminMixin, GuaranteeLetterAdminMixin
from feedback.forms import appeal_upload_rules
from feedback.models import Appeal, GuaranteeLetter
from portal import urls as portal_urls
from portal.core.uploads import upload_check
from tests.factories import GuaranteeLetterFactory, ServiceLineFactory

from .conftest import JPEG, upload


class _AppealAdmin(AppealQueueAdminMixin, admin.ModelAdmin):
    list_display = ("number", "status", "due_on", "answer_links")


class _LetterAdmin(GuaranteeLetterAdminMixin, admin.ModelAdmin):
    list_display = ("pk", "status", "decide_link")


_site = admin.AdminSite(name="admin")
_site.register(Appeal, _AppealAdmin)
_site.register(GuaranteeLetter, _LetterAdmin)
urlpatterns = [path("admin/", _site.urls), *portal_urls.urlpatterns]

pytestmark = pytest.mark.urls("tests.feedback.test_admin_queue")


def test_the_operator_answers_from_the_answer_page(
    superuser_client, user, django_capture_on_commit_callbacks
):
    appeal = services.appeal_create(user=user, kind=Appeal.Kind.COMPLAINT, body="Долго ждал")
    url = f"/admin/feedback/appeal/{appeal.pk}/answer/"

    assert "Долго ждал" in superuser_client.get(url).content.decode()
    assert "/answer/" in superuser_client.get("/admin/feedback/appeal/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = superuser_client.post(url, {"body": "Разобрались, извините."})

    assert response.status_code == 302
    appeal.refresh_from_db()
    assert appeal.status == Appeal.Status.ANSWERED
    assert appeal.messages.filter(from_staff=True).count() == 1
    assert len(mail.outbox) == 1


def test_the_close_action_refuses_an_unanswered_appeal(superuser_client, user):
    appeal = services.appeal_create(user=user, kind=Appeal.Kind.QUESTION, body="?")

    superuser_client.post(
        "/admin/feedback/appeal/",
        {"action": "queue_close", "_selected_action": [appeal.pk]},
    )

    appeal.refresh_from_db()
    assert appeal.status == Appeal.Status.NEW


def test_the_operator_settles_a_dispute(superuser_client, user, insured):
    line = ServiceLineFactory(
        insured_person=insured,
        copay_amount=Decimal("136"),
        amount=Decimal("680"),
        copay_state=ServiceLine.CopayState.UNPAID,
    )
    appeal = services.appeal_create(
        user=user, kind=Appeal.Kind.NOT_PROVIDED, body="x", service_line=line
    )
    url = f"/admin/feedback/appeal/{appeal.pk}/settle/"

    refused = superuser_client.post(url, {"decision": "rejected", "reason": ""})
    assert refused.status_code == 200 and "Укажите причину" in refused.content.decode()
    superuser_client.post(url, {"decision": "confirmed"})

    line.refresh_from_db()
    assert line.copay_state == ServiceLine.CopayState.CANCELLED and line.recovery_flagged_at


def test_staff_download_a_file_and_it_is_audit_logged(superuser_client, user):
    from portal.core.models import AuditLogEntry

    appeal = services.appeal_create(
        user=user,
        kind=Appeal.Kind.COMPLAINT,
        body="x",
        files=[upload_check(upload("a.jpg", JPEG), rules=appeal_upload_rules())],
    )
    attachment = appeal.attachments.get()

    response = superuser_client.get(f"/admin/feedback/appeal/{appeal.pk}/files/{attachment.pk}/")

    assert response.status_code == 200
    assert AuditLogEntry.objects.filter(what="файл обращения").exists()


def test_the_operator_issues_a_letter(superuser_client, user, insured):
    letter = GuaranteeLetterFactory(user=user, insured_person=insured)
    valid = timezone.localdate() + datetime.timedelta(days=30)

    response = superuser_client.post(
        f"/admin/feedback/guaranteeletter/{letter.pk}/decide/",
        {"decision": "issue", "number": "ГП-1", "valid_until": valid.isoformat()},
    )

    assert response.status_code == 302
    letter.refresh_from_db()
    assert letter.status == GuaranteeLetter.Status.ISSUED and letter.number == "ГП-1"


def test_the_answer_page_shows_the_persons_files(superuser_client, user):
    from django.core.files.base import ContentFile

    from feedback.models import AppealAttachment

    appeal = services.appeal_create(user=user, kind=Appeal.Kind.COMPLAINT, body="Фото чека")
    file = AppealAttachment.objects.create(
        appeal=appeal,
        file=ContentFile(b"%PDF-1.4\n", name="check.pdf"),
        original_name="чек.pdf",
        content_type="application/pdf",
        size=9,
    )

    page = superuser_client.get(f"/admin/feedback/appeal/{appeal.pk}/answer/").content.decode()

    assert "чек.pdf" in page
    assert f"/admin/feedback/appeal/{appeal.pk}/files/{file.pk}/" in page


def test_the_queue_names_the_guarantee_letters_waiting_for_a_decision(superuser_client, insured):
    # given: two requested letters and one already issued
    older = GuaranteeLetterFactory(insured_person=insured)
    newer = GuaranteeLetterFactory(insured_person=insured)
    issued = GuaranteeLetterFactory(issued=True, insured_person=insured)
    GuaranteeLetter.objects.filter(pk=older.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=2)
    )

    # when
    page = superuser_client.get("/admin/feedback/appeal/").content.decode()

    # then: the appeals queue says how many wait, oldest first, each with its decision page
    assert "Гарантийные письма ждут решения: 2" in page
    older_link = f"/admin/feedback/guaranteeletter/{older.pk}/decide/"
    newer_link = f"/admin/feedback/guaranteeletter/{newer.pk}/decide/"
    assert page.index(older_link) < page.index(newer_link)
    assert f"/admin/feedback/guaranteeletter/{issued.pk}/decide/" not in page
    assert "/admin/feedback/guaranteeletter/?status__exact=requested" in page
    # and once decided, the letter leaves the queue
    superuser_client.post(older_link, {"decision": "refuse", "reason": "п. 4.2 программы"})
    page = superuser_client.get("/admin/feedback/appeal/").content.decode()
    assert "Гарантийные письма ждут решения: 1" in page and older_link not in page
