"""A charge or a refund changes status only by a step its model's TRANSITIONS allows, through one
function each, and every step leaves an event row (from, to, when, who, note) that operators
read on the charge's and the refund's admin page."""

import datetime

import pytest
from django.apps import apps

from payments import services
from payments.models import Charge, ChargeEvent, Refund, RefundEvent
from portal.core import roles

from .conftest import CARD_DECLINED, charge_daily_after_notice, charge_written, make_lines
from .test_admin import CHANGELIST, staff_client
from .test_charges import today
from .test_refunds import dispute_and_confirm

pytestmark = pytest.mark.django_db(transaction=True)


def history(row) -> list[tuple[str, str]]:
    return [(e.from_status, e.to_status) for e in row.events.order_by("at", "pk")]


@pytest.mark.parametrize("model", [Charge, Refund])
def test_the_table_names_every_status_and_only_statuses(model):
    statuses = set(model.Status.values)
    assert set(model.TRANSITIONS) == statuses
    for targets in model.TRANSITIONS.values():
        assert set(targets) <= statuses
    for final in model.FINAL:
        assert model.TRANSITIONS[final] == ()


def test_a_paid_daily_charge_has_its_three_steps(bind_card, copay_person):
    enrollment = bind_card()
    make_lines(copay_person, ["136.00", "272.00"])

    charge = charge_daily_after_notice(enrollment, today())

    assert charge.status == Charge.Status.SUCCEEDED
    assert history(charge) == [
        ("", Charge.Status.PENDING),
        (Charge.Status.PENDING, Charge.Status.IN_DOUBT),
        (Charge.Status.IN_DOUBT, Charge.Status.SUCCEEDED),
    ]
    assert all(event.by is None for event in charge.events.all())  # the payment service


def test_a_declined_charge_ends_failed_in_its_history(bind_card, copay_person):
    enrollment = bind_card(CARD_DECLINED)
    make_lines(copay_person, ["544.00"])

    charge = charge_daily_after_notice(enrollment, today())

    assert charge.status == Charge.Status.FAILED
    assert history(charge)[-1] == (Charge.Status.IN_DOUBT, Charge.Status.FAILED)


def test_a_forbidden_step_is_refused_and_writes_nothing(bind_card, copay_person):
    # given a paid charge
    enrollment = bind_card()
    make_lines(copay_person, ["544.00"])
    charge = charge_daily_after_notice(enrollment, today())
    events = ChargeEvent.objects.count()

    # when anything tries to move it on (a paid charge is final)
    for status in (Charge.Status.PENDING, Charge.Status.FAILED, Charge.Status.IN_DOUBT):
        with pytest.raises(services.TransitionNotAllowed):
            services.charge_status_set(charge=Charge.objects.get(pk=charge.pk), to=status)

    # then it is still paid, and its history did not grow
    charge.refresh_from_db()
    assert charge.status == Charge.Status.SUCCEEDED
    assert ChargeEvent.objects.count() == events


def test_a_chunk_refused_in_part_is_refused_whole(bind_card, copay_person):
    enrollment = bind_card()
    make_lines(copay_person, ["544.00"])
    paid = charge_daily_after_notice(enrollment, today())
    make_lines(copay_person, ["100.00"])
    tomorrow = today() + datetime.timedelta(days=1)
    services.copay_notice_send(enrollment_id=enrollment.pk, charge_day=tomorrow)
    pending = charge_written(enrollment, tomorrow)

    with pytest.raises(services.TransitionNotAllowed):
        services.charges_status_set(charges=[pending, paid], to=Charge.Status.IN_DOUBT)

    assert Charge.objects.get(pk=pending.pk).status == Charge.Status.PENDING
    assert history(pending) == [("", Charge.Status.PENDING)]


def test_a_refund_has_its_steps(bind_card, copay_person, copay_user):
    enrollment = bind_card()
    (line,) = make_lines(copay_person, ["272.00"])
    charge_daily_after_notice(enrollment, today())

    dispute_and_confirm(copay_user, line)

    refund = Refund.objects.get()
    assert history(refund) == [
        ("", Refund.Status.PENDING),
        (Refund.Status.PENDING, Refund.Status.IN_DOUBT),
        (Refund.Status.IN_DOUBT, Refund.Status.SUCCEEDED),
    ]
    with pytest.raises(services.TransitionNotAllowed):
        services.refund_status_set(refund=refund, to=Refund.Status.PENDING)
    assert RefundEvent.objects.count() == 3


def test_operator_reads_the_history_on_the_charge_and_refund_pages(
    bind_card, copay_person, copay_user
):
    roles.groups_sync(apps)
    client, _user = staff_client(roles.SUPPORT_OPERATOR)
    enrollment = bind_card()
    (line,) = make_lines(copay_person, ["272.00"])
    charge = charge_daily_after_notice(enrollment, today())
    dispute_and_confirm(copay_user, line)
    refund = Refund.objects.get()

    page = client.get(f"{CHANGELIST}{charge.pk}/change/").content.decode()
    assert "история состояний" in page.lower()
    assert "отправлено, ответ не получен" in page and "оплачено" in page
    refund_page = client.get(f"/admin/payments/refund/{refund.pk}/change/").content.decode()
    assert "история состояний" in refund_page.lower() and "возвращено" in refund_page
    # read-only: nothing to add, change or delete in the history
    assert "events-0-DELETE" not in page and "events-0-DELETE" not in refund_page
