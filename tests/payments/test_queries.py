"""The daily run's SQL does not grow with the lines of a person, nor with the persons of a chunk
(bulk reads, one insert of the charges and one of their lines, one in-doubt mark, one
settlement)."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from payments import services, tasks
from payments.models import Charge, ChargeEvent, CopayEnrollment
from payments.services import daily
from tests.factories import InsuredPersonFactory, PolicyLinkFactory

from .conftest import make_lines
from .test_charges import today

pytestmark = pytest.mark.django_db(transaction=True)


def queries_of_daily_run(enrollment_ids, day=None) -> int:
    day = day or today()
    for enrollment_id in enrollment_ids:
        services.copay_notice_send(enrollment_id=enrollment_id, charge_day=day)
    with CaptureQueriesContext(connection) as captured:
        charges = services.charges_daily(enrollment_ids=enrollment_ids, day=day)
    assert len(charges) == len(enrollment_ids)
    assert all(c.status == Charge.Status.SUCCEEDED for c in charges.values())
    return len(captured.captured_queries)


def second_person(copay_user, copay_program, first: CopayEnrollment) -> CopayEnrollment:
    """Another insured person of the same user sharing the first one's provider card."""
    person = InsuredPersonFactory(program=copay_program, contract=copay_program.contract)
    PolicyLinkFactory(user=copay_user, insured_person=person)
    enrollment = services.copay_consent(user=copay_user, insured_person=person)
    card = first.cards.get()
    card.pk, card.enrollment = None, enrollment
    card.save()
    CopayEnrollment.objects.filter(pk=enrollment.pk).update(
        card_bound_at=first.card_bound_at, provider_customer_id=first.provider_customer_id
    )
    return enrollment


def test_one_person_many_lines_costs_the_queries_of_one_line(bind_card, copay_person):
    enrollment = bind_card()
    make_lines(copay_person, ["100.00"])
    one_line = queries_of_daily_run([enrollment.pk])

    # the next day, twelve lines
    make_lines(copay_person, ["10.00"] * 12)
    tomorrow = today() + datetime.timedelta(days=1)
    many_lines = queries_of_daily_run([enrollment.pk], day=tomorrow)

    assert many_lines == one_line
    assert Charge.objects.get(day=tomorrow).lines.count() == 12


def test_a_chunk_of_persons_costs_the_queries_of_one(
    bind_card, copay_person, copay_user, copay_program
):
    first = bind_card()
    make_lines(copay_person, ["100.00", "20.00"])
    alone = queries_of_daily_run([first.pk])

    others = [second_person(copay_user, copay_program, first) for _ in range(4)]
    for enrollment in others:
        make_lines(enrollment.insured_person, ["50.00", "60.00", "70.00"])
    together = queries_of_daily_run([e.pk for e in others])

    assert together == alone
    assert Charge.objects.filter(status=Charge.Status.SUCCEEDED).count() == 5
    # each charge's three steps written with the chunk's statements counted above
    assert ChargeEvent.objects.count() == 3 * 5


def test_the_beat_queues_chunks_and_each_person_is_charged_once(
    bind_card, copay_person, copay_user, copay_program, settings
):
    first = bind_card()
    others = [second_person(copay_user, copay_program, first) for _ in range(2)]
    for enrollment in [first, *others]:
        make_lines(enrollment.insured_person, ["136.00"])
    daily.DAILY_BATCH, batch = 2, daily.DAILY_BATCH
    try:
        day = today()
        tasks.copay_notices_send.delay((day - datetime.timedelta(days=1)).isoformat())
        assert tasks.copay_daily_charges.delay(day.isoformat()).get() == 3
        tasks.copay_daily_charges.delay(day.isoformat())  # delivered twice
    finally:
        daily.DAILY_BATCH = batch
    assert Charge.objects.count() == 3
    assert set(Charge.objects.values_list("status", flat=True)) == {Charge.Status.SUCCEEDED}


def test_provider_calls_go_side_by_side_and_each_person_is_charged_once(
    bind_card, copay_person, copay_user, copay_program, settings, provider
):
    # given: four persons due, the provider called up to three at a time
    settings.COPAY_PROVIDER_CONCURRENCY = 3
    first = bind_card()
    others = [second_person(copay_user, copay_program, first) for _ in range(3)]
    enrollments = [first, *others]
    for enrollment in enrollments:
        make_lines(enrollment.insured_person, ["136.00"])
    day = today()
    tasks.copay_notices_send.delay((day - datetime.timedelta(days=1)).isoformat())

    # when: the day's run, then the same run again (a task delivered twice)
    ids = [e.pk for e in enrollments]
    services.charges_daily(enrollment_ids=ids, day=day)
    services.charges_daily(enrollment_ids=ids, day=day)

    # then: every charge written before its call, paid once, one payment each at the provider
    assert Charge.objects.count() == 4
    assert set(Charge.objects.values_list("status", flat=True)) == {Charge.Status.SUCCEEDED}
    assert all(c.sent_at is not None for c in Charge.objects.all())
    intents = provider.payment_intents(first.provider_customer_id)
    assert len(intents) == 4
