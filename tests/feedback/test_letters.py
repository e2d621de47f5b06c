"""Guarantee letters: the request, the operator's decision, the PDF, the reminder; the queue
order of appeals."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from feedback.models import Appeal, GuaranteeLetter
from feedback.services import letters
from feedback.services.notifications import letters_expiry_remind
from portal.core.models import AuditLogEntry
from tests.factories import (
    CareKindFactory,
    ClinicFactory,
    GuaranteeLetterFactory,
    InsuredPersonFactory,
    ProgramClinicFactory,
    StaffUserFactory,
)

from .conftest import EXE, PDF, upload

Status = GuaranteeLetter.Status


@pytest.fixture
def covered(insured, dms_policy):
    """A clinic and kind of care the person's program covers with a guarantee letter."""
    link = ProgramClinicFactory(program=insured.program, guarantee_letter_required=True)
    return link.clinic, link.care_kind


def test_the_person_requests_a_letter(person_client, user, insured, covered):
    clinic, kind = covered
    planned = timezone.localdate() + datetime.timedelta(days=7)

    response = person_client.post(
        "/guarantee-letters/",
        {
            "insured_person": insured.pk,
            "clinic": clinic.pk,
            "care_kind": kind.pk,
            "service_name": "МРТ коленного сустава",
            "planned_on": planned.isoformat(),
            "referral": upload("направление.pdf", PDF),
        },
    )

    assert response.status_code == 302
    letter = GuaranteeLetter.objects.get(user=user)
    assert letter.status == Status.REQUESTED and letter.referral_name == "направление.pdf"
    assert "МРТ коленного сустава" in person_client.get("/guarantee-letters/").content.decode()


def test_a_request_for_someone_elses_person_is_refused(person_client, insured):
    stranger = InsuredPersonFactory()
    response = person_client.post(
        "/guarantee-letters/",
        {
            "insured_person": stranger.pk,
            "clinic": ClinicFactory().pk,
            "care_kind": CareKindFactory().pk,
        },
    )

    assert response.status_code == 400
    assert not GuaranteeLetter.objects.exists()


def test_a_referral_with_a_lying_extension_is_refused(person_client, insured, covered):
    clinic, kind = covered
    response = person_client.post(
        "/guarantee-letters/",
        {
            "insured_person": insured.pk,
            "clinic": clinic.pk,
            "care_kind": kind.pk,
            "referral": upload("scan.pdf", EXE),
        },
    )

    assert response.status_code == 400
    assert not GuaranteeLetter.objects.exists()


def test_a_clinic_the_program_does_not_cover_is_refused_with_the_reason(
    person_client, insured, dms_policy
):
    # given a clinic in the person's program for another kind of care only
    link = ProgramClinicFactory(program=insured.program, guarantee_letter_required=True)
    other_kind = CareKindFactory(name="Стоматология")

    response = person_client.post(
        "/guarantee-letters/",
        {"insured_person": insured.pk, "clinic": link.clinic.pk, "care_kind": other_kind.pk},
    )

    html = response.content.decode()
    assert response.status_code == 400
    assert "клиника не входит в программу" in html and "«Стоматология»" in html
    assert not GuaranteeLetter.objects.exists()


def test_a_visit_day_without_a_policy_in_force_is_refused(
    person_client, insured, dms_policy, covered
):
    clinic, kind = covered
    after_the_policy = dms_policy.ends_on + datetime.timedelta(days=1)

    response = person_client.post(
        "/guarantee-letters/",
        {
            "insured_person": insured.pk,
            "clinic": clinic.pk,
            "care_kind": kind.pk,
            "planned_on": after_the_policy.isoformat(),
        },
    )

    assert response.status_code == 400
    assert "Нет полиса ДМС, действующего на" in response.content.decode()
    assert not GuaranteeLetter.objects.exists()


def test_a_covered_clinic_without_a_letter_requirement_may_still_be_asked(
    user, insured, dms_policy
):
    # the operator decides; the coverage check refuses only what no letter could cover
    link = ProgramClinicFactory(program=insured.program, guarantee_letter_required=False)

    letter = letters.guarantee_letter_request(
        user=user, insured_person=insured, clinic=link.clinic, care_kind=link.care_kind
    )

    assert letter.status == Status.REQUESTED


def test_issue_and_refuse(user, insured):
    staff = StaffUserFactory()
    letter = GuaranteeLetterFactory(user=user, insured_person=insured)
    other = GuaranteeLetterFactory(user=user, insured_person=insured)
    valid = timezone.localdate() + datetime.timedelta(days=30)

    with pytest.raises(ValidationError):
        letters.guarantee_letter_issue(letter=letter, staff=staff, number="", valid_until=valid)
    issued = letters.guarantee_letter_issue(
        letter=letter, staff=staff, number="ГП-2026-1", valid_until=valid
    )
    with pytest.raises(ValidationError):
        letters.guarantee_letter_refuse(letter=other, staff=staff, reason="")
    refused = letters.guarantee_letter_refuse(letter=other, staff=staff, reason="п. 4.2 программы")

    assert issued.status == Status.ISSUED and issued.number == "ГП-2026-1"
    assert refused.status == Status.REFUSED
    with pytest.raises(ValidationError):
        letters.guarantee_letter_refuse(letter=issued, staff=staff, reason="поздно")


def test_the_pdf_is_the_owners_only(person_client, user, insured, client):
    letter = GuaranteeLetterFactory(user=user, insured_person=insured, issued=True)
    theirs = GuaranteeLetterFactory(issued=True)

    response = person_client.get(f"/guarantee-letters/{letter.pk}/pdf/")

    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert person_client.get(f"/guarantee-letters/{theirs.pk}/pdf/").status_code == 404
    documents = person_client.get("/documents/").content.decode()
    assert f"/guarantee-letters/{letter.pk}/pdf/" in documents


def test_the_expiry_reminder_goes_out_once(user, insured):
    today = timezone.localdate()
    soon = GuaranteeLetterFactory(user=user, insured_person=insured, issued=True)
    GuaranteeLetter.objects.filter(pk=soon.pk).update(valid_until=today + datetime.timedelta(3))
    GuaranteeLetterFactory(user=user, insured_person=insured, issued=True)  # 30 days left

    assert letters_expiry_remind(today=today) == 1
    assert letters_expiry_remind(today=today) == 0
    assert len(mail.outbox) == 1 and soon.number in mail.outbox[0].subject


def test_admin_answer_view_answers_and_queue_orders_overdue_first(rf, user):
    from django.contrib.admin.sites import AdminSite

    from feedback.admin_queue import AppealQueueAdminMixin, appeal_queue
    from tests.factories import AppealFactory

    late = AppealFactory(user=user, due_on=datetime.date(2020, 1, 1))
    later = AppealFactory(user=user, due_on=timezone.localdate() + datetime.timedelta(days=9))
    closed = AppealFactory(user=user, status=Appeal.Status.CLOSED, due_on=datetime.date(2019, 1, 1))
    soon = AppealFactory(user=user, due_on=timezone.localdate() + datetime.timedelta(days=1))

    assert list(appeal_queue(Appeal.objects.all())) == [late, soon, later, closed]
    assert AppealQueueAdminMixin and AdminSite


def test_an_answered_appeal_is_a_pdf_in_my_documents(person_client, user):
    from feedback.services import appeal_answer, appeal_create
    from tests.factories import UserFactory

    staff = StaffUserFactory()
    appeal = appeal_create(user=user, kind=Appeal.Kind.QUESTION, body="Что покрывает полис?")
    unanswered = appeal_create(user=user, kind=Appeal.Kind.QUESTION, body="Ещё вопрос")
    appeal_answer(appeal=appeal, staff=staff, body="Поликлинику и стоматологию.")
    appeal_answer(appeal=appeal, staff=staff, body="И помощь на дому.")
    theirs = appeal_create(user=UserFactory(), kind=Appeal.Kind.QUESTION, body="?")
    appeal_answer(appeal=theirs, staff=staff, body="!")

    documents = person_client.get("/documents/").content.decode()
    pdf = person_client.get(f"/appeals/{appeal.pk}/answer.pdf")

    assert documents.count(f"/appeals/{appeal.pk}/answer.pdf") == 1
    assert f"/appeals/{unanswered.pk}/answer.pdf" not in documents
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert person_client.get(f"/appeals/{unanswered.pk}/answer.pdf").status_code == 404
    assert person_client.get(f"/appeals/{theirs.pk}/answer.pdf").status_code == 404


def test_the_daily_task_expires_old_letters_and_reminds_once(user, insured):
    from feedback.tasks import guarantee_letters_expiry_remind

    today = timezone.localdate()
    old = GuaranteeLetterFactory(user=user, insured_person=insured, issued=True)
    soon = GuaranteeLetterFactory(user=user, insured_person=insured, issued=True)
    GuaranteeLetter.objects.filter(pk=old.pk).update(valid_until=today - datetime.timedelta(1))
    GuaranteeLetter.objects.filter(pk=soon.pk).update(valid_until=today + datetime.timedelta(2))

    assert guarantee_letters_expiry_remind() == 1
    assert guarantee_letters_expiry_remind() == 0
    old.refresh_from_db()
    assert old.status == Status.EXPIRED
    assert len(mail.outbox) == 1


def test_the_operator_opens_the_referral_and_it_is_audit_logged(
    superuser_client, user, insured, covered
):
    # given a request with a referral file, made by the person in their own browser
    clinic, kind = covered
    person_client = Client()
    person_client.force_login(user)
    person_client.post(
        "/guarantee-letters/",
        {
            "insured_person": insured.pk,
            "clinic": clinic.pk,
            "care_kind": kind.pk,
            "service_name": "МРТ",
            "planned_on": (timezone.localdate() + datetime.timedelta(days=7)).isoformat(),
            "referral": upload("направление.pdf", PDF),
        },
    )
    letter = GuaranteeLetter.objects.get(user=user)

    # when the operator follows the list's link to it
    listing = superuser_client.get("/admin/feedback/guaranteeletter/").content.decode()
    response = superuser_client.get(f"/admin/feedback/guaranteeletter/{letter.pk}/referral/")

    # then the file comes as an attachment, and the read is in the audit log
    assert f"/admin/feedback/guaranteeletter/{letter.pk}/referral/" in listing
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert response["Content-Disposition"].startswith("attachment")
    assert AuditLogEntry.objects.filter(what="направление к гарантийному письму").exists()
    # and a letter without a referral has no such page
    other = GuaranteeLetterFactory(user=user, insured_person=insured)
    assert (
        superuser_client.get(f"/admin/feedback/guaranteeletter/{other.pk}/referral/").status_code
        == 404
    )


def _clinic_options(html: str) -> list[tuple[str, str]]:
    import re

    select = re.search(r'<select name="clinic"[^>]*>(.*?)</select>', html, re.S).group(1)
    return re.findall(r'<option value="([^"]*)"(?: selected)?>([^<]*)</option>', select)


def test_the_clinic_select_lists_the_network_in_the_same_queries_whatever_its_size(
    person_client, insured, django_assert_num_queries
):
    ClinicFactory.create_batch(3)
    person_client.get("/guarantee-letters/")  # the options are cached from here on
    # session, user, the person's insured, their letters, kinds of care, the network's version
    with django_assert_num_queries(6):
        person_client.get("/guarantee-letters/")
    ClinicFactory.create_batch(30)
    person_client.get("/guarantee-letters/")

    with django_assert_num_queries(6):
        response = person_client.get("/guarantee-letters/")

    options = _clinic_options(response.content.decode())
    assert len(options) == 1 + 33  # the empty choice, then every clinic by name
    assert [name for _pk, name in options[1:]] == sorted(name for _pk, name in options[1:])


def test_a_clinic_added_or_renamed_shows_in_the_select_at_once(person_client, insured):
    clinic = ClinicFactory(name="Клиника «Было» & Ко")
    assert (str(clinic.pk), "Клиника «Было» &amp; Ко") in _clinic_options(
        person_client.get("/guarantee-letters/").content.decode()
    )

    clinic.name = "Клиника «Стало»"
    clinic.save()
    added = ClinicFactory(name="Клиника «Новая»")
    options = _clinic_options(person_client.get("/guarantee-letters/").content.decode())

    assert (str(clinic.pk), "Клиника «Стало»") in options
    assert (str(added.pk), "Клиника «Новая»") in options
    assert not any("Было" in name for _pk, name in options)


def test_a_refused_request_keeps_the_chosen_clinic(person_client, insured):
    ClinicFactory.create_batch(2)
    chosen = ClinicFactory()

    response = person_client.post(
        "/guarantee-letters/",
        {"insured_person": insured.pk, "clinic": chosen.pk, "care_kind": ""},
    )

    assert response.status_code == 400
    assert f'<option value="{chosen.pk}" selected>' in response.content.decode()
    assert not GuaranteeLetter.objects.exists()
