"""Retention (cabinet.retention, `manage.py personal_data_retention`): the dry run lists what
would go and changes nothing; a real run anonymises the register and its service history past
the term, destroys closed accounts' history and files, old SMS codes and login records, keeps
what the law keeps, and leaves an act of destruction read-only in the admin."""

import datetime
from io import StringIO

import pytest
from axes.models import AccessLog
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.utils import timezone

from claims.models import ServiceLine
from feedback.models import AppealAttachment
from policies.models import InsuredPerson
from portal.accounts.models import AccountEvent, PhoneVerification
from portal.core import roles
from portal.core.models import DestructionAct
from tests.conftest import staff_login
from tests.factories import (
    AppealFactory,
    InsuredPersonFactory,
    ServiceLineFactory,
    StaffUserFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

NOW = timezone.now()
LONG_AGO = NOW - datetime.timedelta(days=6 * 365)


@pytest.fixture
def storage(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }


@pytest.fixture
def due(storage):
    old = InsuredPersonFactory(
        last_name="Старов",
        starts_on=LONG_AGO.date(),
        ends_on=(LONG_AGO + datetime.timedelta(days=300)).date(),
    )
    old_line = ServiceLineFactory(insured_person=old, icd10_code="J06.9", service_name="Приём ЛОР")
    current = InsuredPersonFactory(last_name="Новикова")
    current_line = ServiceLineFactory(insured_person=current, icd10_code="K02.1")

    closed = UserFactory(deleted_at=NOW - datetime.timedelta(days=4 * 365))
    AccountEvent.objects.create(user=closed, kind=AccountEvent.Kind.DELETED)
    appeal = AppealFactory(user=closed)
    attachment = AppealAttachment.objects.create(
        appeal=appeal, file=ContentFile(b"scan", name="scan.pdf"), original_name="scan.pdf"
    )
    active = UserFactory()
    AccountEvent.objects.create(user=active, kind=AccountEvent.Kind.REGISTERED)

    sms = PhoneVerification.objects.create(
        user=active, purpose="change", phone="+79250001122", code_hash="x", expires_at=NOW
    )
    PhoneVerification.objects.filter(pk=sms.pk).update(sent_at=NOW - datetime.timedelta(days=400))
    fresh_sms = PhoneVerification.objects.create(
        user=active, purpose="change", phone="+79250001122", code_hash="y", expires_at=NOW
    )
    login = AccessLog.objects.create(username="a@example.com", ip_address="10.0.0.1")
    AccessLog.objects.filter(pk=login.pk).update(attempt_time=NOW - datetime.timedelta(days=400))
    return {
        "old": old,
        "old_line": old_line,
        "current": current,
        "current_line": current_line,
        "closed": closed,
        "active": active,
        "attachment": attachment,
        "file": attachment.file.name,
        "sms": sms,
        "fresh_sms": fresh_sms,
        "login": login,
    }


def run(*args: str) -> str:
    out = StringIO()
    call_command("personal_data_retention", *args, stdout=out)
    return out.getvalue()


def test_the_dry_run_lists_what_would_go_and_changes_nothing(due):
    output = run("--dry-run")

    assert "Реестр застрахованных" in output and "обезличено: субъектов 1, записей 1" in output
    assert "SMS-коды" in output and "Записи о входах" in output
    assert "файлов: 1" in output and "ничего не изменено" in output
    assert not DestructionAct.objects.exists()
    assert InsuredPerson.objects.get(pk=due["old"].pk).last_name == "Старов"
    assert PhoneVerification.objects.filter(pk=due["sms"].pk).exists()
    assert default_storage.exists(due["file"])


def test_a_real_run_destroys_what_is_due_and_leaves_an_act(due, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        output = run()

    act = DestructionAct.objects.get()
    assert f"Акт № {act.pk}" in output
    old = InsuredPerson.objects.get(pk=due["old"].pk)
    assert old.last_name == "Обезличено" and old.policy_number.startswith("ОБЕЗЛ-")
    line = ServiceLine.objects.get(pk=due["old_line"].pk)  # kept: charges and appeals name it
    assert line.icd10_code == "" and line.service_name == "Обезличено" and line.amount
    # what is not due stays
    assert InsuredPerson.objects.get(pk=due["current"].pk).last_name == "Новикова"
    assert ServiceLine.objects.get(pk=due["current_line"].pk).icd10_code == "K02.1"
    assert AccountEvent.objects.filter(user=due["active"]).exists()
    assert PhoneVerification.objects.filter(pk=due["fresh_sms"].pk).exists()
    # what is due is gone, the file from the storage too
    assert not AccountEvent.objects.filter(user=due["closed"]).exists()
    assert not AppealAttachment.objects.filter(pk=due["attachment"].pk).exists()
    assert not default_storage.exists(due["file"])
    assert not PhoneVerification.objects.filter(pk=due["sms"].pk).exists()
    assert not AccessLog.objects.filter(pk=due["login"].pk).exists()
    # the act: what, how, why, and what the law keeps
    categories = {item["category"]: item for item in act.items}
    assert categories["register"]["subjects"] == 1
    assert categories["closed_accounts"]["files"] == 1
    assert "152-ФЗ" in act.reason and act.method and act.information_system
    assert any("402-ФЗ" in kept["basis"] for kept in act.kept)
    # a second run finds nothing due and writes no act
    assert "акт не составлен" in run()
    assert DestructionAct.objects.count() == 1


def test_the_act_is_read_only_in_the_admin(due, client):
    run()
    act = DestructionAct.objects.get()
    admin_user = StaffUserFactory()
    admin_user.groups.add(Group.objects.get(name=roles.ADMINISTRATOR))
    staff_login(client, admin_user)

    page = client.get(f"/admin/core/destructionact/{act.pk}/change/")
    assert page.status_code == 200 and "Истечение срока хранения" in page.content.decode()
    assert client.get("/admin/core/destructionact/add/").status_code == 403
    client.post(f"/admin/core/destructionact/{act.pk}/delete/", {"post": "yes"})
    client.post(f"/admin/core/destructionact/{act.pk}/change/", {"reason": "иначе"})
    assert DestructionAct.objects.get(pk=act.pk).reason == act.reason
