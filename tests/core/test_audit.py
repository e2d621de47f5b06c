"""The staff audit log: append-only, and written only for staff reads."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.test import RequestFactory

from portal.core.audit import audit_log_record
from portal.core.models import AuditLogEntry
from tests.factories import ServiceLineFactory, UserFactory

pytestmark = pytest.mark.django_db


def request_by(user, ip: str = "10.1.2.3"):
    request = RequestFactory().get("/admin/", REMOTE_ADDR=ip)
    request.user = user
    return request


def test_staff_read_is_recorded_with_who_what_whose_and_where(staff_user):
    # given
    line = ServiceLineFactory()

    # when
    entry = audit_log_record(
        request=request_by(staff_user),
        subject=line,
        person_label=str(line.insured_person),
        what="услуга ДМС с диагнозом",
    )

    # then
    stored = AuditLogEntry.objects.get()
    assert stored == entry
    assert stored.staff_user == staff_user
    assert stored.action == AuditLogEntry.Action.VIEW
    assert stored.subject_type.model_class() is type(line)
    assert stored.subject_id == str(line.pk)
    assert stored.person_label == str(line.insured_person)
    assert stored.ip_address == "10.1.2.3"
    assert stored.at is not None


def test_behind_the_proxy_the_staff_members_own_address_is_recorded(staff_user, settings):
    settings.TRUSTED_PROXIES = "10.0.0.2"
    request = request_by(staff_user, ip="10.0.0.2")
    request.META["HTTP_X_FORWARDED_FOR"] = "203.0.113.7"
    line = ServiceLineFactory()

    entry = audit_log_record(request=request, subject=line, person_label="x", what="услуга")

    assert entry.ip_address == "203.0.113.7"


def test_long_labels_are_cut_to_the_column(staff_user):
    person = UserFactory()

    entry = audit_log_record(
        request=request_by(staff_user), subject=person, person_label="Я" * 400, what="ы" * 400
    )

    entry.refresh_from_db()
    assert len(entry.person_label) == 255
    assert len(entry.what) == 255


@pytest.mark.parametrize("who", ["person", "anonymous"])
def test_non_staff_reads_write_nothing(user, who):
    reader = user if who == "person" else AnonymousUser()

    result = audit_log_record(
        request=request_by(reader), subject=user, person_label=user.full_name, what="профиль"
    )

    assert result is None
    assert not AuditLogEntry.objects.exists()


def test_an_entry_cannot_be_changed(staff_user):
    # given
    entry = audit_log_record(
        request=request_by(staff_user), subject=staff_user, person_label="Иванов", what="карточка"
    )

    # when / then
    entry.what = "ничего не было"
    with pytest.raises(PermissionDenied):
        entry.save()
    entry.refresh_from_db()
    assert entry.what == "карточка"


def test_an_entry_cannot_be_deleted(staff_user):
    entry = audit_log_record(
        request=request_by(staff_user), subject=staff_user, person_label="Иванов", what="карточка"
    )

    with pytest.raises(PermissionDenied):
        entry.delete()

    assert AuditLogEntry.objects.filter(pk=entry.pk).exists()
