"""Charges in the admin: operators see them (filters, search, lines inline) and act on them
through the services (reconcile, refund), each action permission-checked and audit-logged; HR
managers do not see them at all."""

import datetime

import pytest
from django.apps import apps
from django.contrib.auth.models import Group, Permission
from django.test import Client

from claims.models import ServiceLine
from employers.selectors import HR_GROUP, OPERATOR_GROUP
from feedback.models import Appeal
from feedback.services import appeals
from payments import tasks
from payments.models import Charge, Refund
from portal.core import roles
from portal.core.models import AuditLogEntry
from tests.conftest import staff_login
from tests.factories import StaffUserFactory

from .conftest import charge_daily_after_notice, make_lines
from .test_charges import today

pytestmark = pytest.mark.django_db(transaction=True)
CHANGELIST = "/admin/payments/charge/"


@pytest.fixture
def staff_groups(db):
    """The groups as the migrations make them (a transactional test's flush empties them)."""
    roles.groups_sync(apps)


def staff_client(group: str | None = None, *permissions: str) -> tuple[Client, object]:
    user = StaffUserFactory()
    if group:
        user.groups.add(Group.objects.get(name=group))
    for codename in permissions:
        user.user_permissions.add(Permission.objects.get(codename=codename))
    return staff_login(Client(), user), user


@pytest.fixture
def operator(staff_groups):
    return staff_client(OPERATOR_GROUP)


@pytest.fixture
def paid_charge(bind_card, copay_person):
    enrollment = bind_card()
    make_lines(copay_person, ["136.00", "272.00"])
    return charge_daily_after_notice(enrollment, today())


def run_action(client, action: str, charges) -> str:
    response = client.post(
        CHANGELIST,
        {"action": action, "_selected_action": [c.pk for c in charges]},
        follow=True,
    )
    assert response.status_code == 200
    return response.content.decode()


def test_hr_manager_does_not_see_charges_or_refunds(staff_groups, paid_charge):
    client, _user = staff_client(HR_GROUP)
    assert client.get(CHANGELIST).status_code == 403
    assert client.get(f"{CHANGELIST}{paid_charge.pk}/change/").status_code == 403
    assert client.get("/admin/payments/refund/").status_code == 403
    assert "/admin/payments/" not in client.get("/admin/").content.decode()


def test_operator_lists_filters_and_searches_charges(operator, paid_charge, copay_user):
    client, _user = operator
    page = client.get(CHANGELIST).content.decode()
    assert "Сверить с платёжной системой" in page and "Вернуть со-оплату" in page
    by_email = client.get(CHANGELIST, {"q": copay_user.email})
    assert list(by_email.context["cl"].result_list) == [paid_charge]
    by_number = client.get(CHANGELIST, {"q": f"№ {paid_charge.pk}"})
    assert list(by_number.context["cl"].result_list) == [paid_charge]
    assert list(client.get(CHANGELIST, {"q": "nobody@example.com"}).context["cl"].result_list) == []
    paid = client.get(CHANGELIST, {"status__exact": "succeeded", "day__gte": today().isoformat()})
    assert list(paid.context["cl"].result_list) == [paid_charge]
    failed = client.get(CHANGELIST, {"status__exact": "failed"})
    assert list(failed.context["cl"].result_list) == []


def test_operator_sees_the_lines_inline_and_the_view_is_audited(operator, paid_charge):
    client, user = operator
    page = client.get(f"{CHANGELIST}{paid_charge.pk}/change/").content.decode()
    line = paid_charge.lines.first().service_line
    assert line.service_name in page and "272,00" in page
    assert "client_secret" not in page
    entry = AuditLogEntry.objects.get(staff_user=user)
    assert entry.action == AuditLogEntry.Action.VIEW and entry.subject_id == str(paid_charge.pk)


def test_reconcile_action_settles_a_charge_in_doubt_and_is_logged(
    operator, bind_card, copay_person, settings, provider
):
    client, user = operator
    enrollment = bind_card()
    make_lines(copay_person, ["544.00"])
    real_base = settings.STRIPE_API_BASE
    settings.STRIPE_API_BASE = "http://127.0.0.1:9"
    charge = charge_daily_after_notice(enrollment, today())
    settings.STRIPE_API_BASE = real_base
    assert charge.status == Charge.Status.IN_DOUBT
    # just sent: its call may still be on its way, so nothing is looked up or sent yet
    page = run_action(client, "reconcile", [charge])
    assert "менее 10 минут назад" in page and f"№ {charge.pk}" in page
    charge.refresh_from_db()
    assert charge.status == Charge.Status.IN_DOUBT
    assert provider.payment_intents(enrollment.provider_customer_id) == []
    assert not AuditLogEntry.objects.filter(action=AuditLogEntry.Action.CHANGE).exists()
    Charge.objects.filter(pk=charge.pk).update(
        updated_at=charge.updated_at - datetime.timedelta(minutes=11)
    )

    page = run_action(client, "reconcile", [charge])

    charge.refresh_from_db()
    assert charge.status == Charge.Status.SUCCEEDED
    assert f"№ {charge.pk}: оплачено" in page
    assert len(provider.payment_intents(enrollment.provider_customer_id)) == 1
    entry = AuditLogEntry.objects.get(staff_user=user, action=AuditLogEntry.Action.CHANGE)
    assert entry.subject_id == str(charge.pk) and "сверка" in entry.what
    # its history names the operator who sent it again, the provider having no payment of it
    resent = charge.events.get(from_status=Charge.Status.IN_DOUBT, to_status=Charge.Status.PENDING)
    assert resent.by == user and "отправляется снова" in resent.note
    # a settled charge: nothing to reconcile, said so, nothing logged
    page = run_action(client, "reconcile", [charge])
    assert "Сверять нечего" in page
    assert AuditLogEntry.objects.filter(action=AuditLogEntry.Action.CHANGE).count() == 1


def test_refund_action_only_for_confirmed_disputes(
    operator, paid_charge, copay_user, provider, monkeypatch
):
    client, user = operator
    # a charge with no confirmed dispute: refused, nothing refunded
    page = run_action(client, "refund", [paid_charge])
    assert "Не возвращается" in page
    assert not Refund.objects.exists()

    # a confirmed dispute whose refund request was lost on the way
    line = paid_charge.lines.order_by("amount").last().service_line
    # the outbox hands the task over with apply_async (issue 19): the broker loses it there
    monkeypatch.setattr(tasks.copay_refund_request, "apply_async", lambda *a, **k: None)
    appeal = appeals.appeal_create(
        user=copay_user, kind=Appeal.Kind.NOT_PROVIDED, body="x", service_line=line
    )
    appeals.service_dispute_settle(appeal=appeal, staff=StaffUserFactory(), confirmed=True)
    assert not Refund.objects.exists()

    page = run_action(client, "refund", [paid_charge])

    refund = Refund.objects.get()
    assert refund.status == Refund.Status.SUCCEEDED and refund.service_line == line
    assert f"№ {paid_charge.pk}: 272\xa0руб. — возвращено" in page
    refunds = provider.get("/v1/refunds", {"payment_intent": paid_charge.provider_payment_id})
    assert [r["amount"] for r in refunds["data"]] == [27200]
    line.refresh_from_db()
    assert line.copay_state == ServiceLine.CopayState.CANCELLED
    entry = AuditLogEntry.objects.get(staff_user=user, action=AuditLogEntry.Action.CHANGE)
    assert entry.subject_id == str(paid_charge.pk)
    # again: the same refund, not a second one
    run_action(client, "refund", [paid_charge])
    assert (
        len(
            provider.get("/v1/refunds", {"payment_intent": paid_charge.provider_payment_id})["data"]
        )
        == 1
    )


def test_staff_without_the_action_permissions_only_views(staff_groups, paid_charge):
    client, _user = staff_client(None, "view_charge", "view_chargeline", "view_refund")
    page = client.get(CHANGELIST).content.decode()
    assert "Сверить с платёжной системой" not in page and "Вернуть со-оплату" not in page
    run_action(client, "refund", [paid_charge])
    assert not Refund.objects.exists()
    assert not AuditLogEntry.objects.filter(action=AuditLogEntry.Action.CHANGE).exists()


def test_reconciliation_reads_stale_charges_only(paid_charge):
    # a settled charge is never reconciled again
    from payments import services

    assert services.charges_reconcile(older_than=datetime.timedelta(0)) == 0
