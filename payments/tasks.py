"""Celery tasks of the co-pay program: they take ids, are queued through the outbox (with the
write, or by the daily run's fan-out), acknowledge late and are safe to run twice (the charge
rows and their constraints decide, not the broker)."""

import datetime

from celery import shared_task
from django.utils import timezone

from portal.core import outbox
from portal.core.locks import advisory_lock, run_finished, run_once

from . import services
from .models import CopayEnrollment
from .services import daily

TASK_OPTIONS = {"acks_late": True, "reject_on_worker_lost": True}


@shared_task(**TASK_OPTIONS)
def enrollment_activate(enrollment_id: int) -> None:
    services.enrollment_activate(enrollment_id=enrollment_id)


@shared_task(**TASK_OPTIONS)
def enrollments_activate() -> int:
    """The beat's sweep: every enrollment bound but not yet active (a lost queue message)."""
    ids = list(
        CopayEnrollment.objects.filter(
            card_bound_at__isnull=False, active_from__isnull=True
        ).values_list("pk", flat=True)
    )
    for pk in ids:
        services.enrollment_activate(enrollment_id=pk)
    return len(ids)


@shared_task(**TASK_OPTIONS)
def copay_notices_send(day: str | None = None) -> int:
    """The day before: the amount and the lines of tomorrow's charge."""
    today = datetime.date.fromisoformat(day) if day else timezone.localdate()
    tomorrow = today + datetime.timedelta(days=1)
    sent = 0
    for enrollment_id in services.enrollments_due(day=tomorrow).values_list("pk", flat=True):
        sent += services.copay_notice_send(enrollment_id=enrollment_id, charge_day=tomorrow)
    return sent


@shared_task(**TASK_OPTIONS)
def copay_daily_charges(day: str | None = None) -> int:
    """Queue the day's charges: one task per chunk of persons due today (each chunk's charges are
    written with a few bulk statements; see services.charges_daily), so every task stays short.

    The beat's run (no day given) happens once a day whatever the number of beats (a JobRun row);
    a run for a given day (a catch-up by hand) may repeat: each person is charged once by the
    charges' keys. Two runs at the same moment: the second does nothing (an advisory lock)."""
    run = None
    if day is None:
        day = timezone.localdate().isoformat()
        run = run_once("payments.copay_daily_charges", day)
        if run is None:
            return 0
    with advisory_lock(f"payments.copay_daily_charges:{day}") as held:
        if not held:
            return 0
        ids = list(
            services.enrollments_due(day=datetime.date.fromisoformat(day))
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        # One outbox row per chunk, all in one transaction: a broker failing halfway loses no
        # chunk and queues none twice (portal.core.outbox).
        outbox.send_each(
            copay_charge_persons,
            [
                (ids[start : start + daily.DAILY_BATCH], day)
                for start in range(0, len(ids), daily.DAILY_BATCH)
            ],
        )
    if run is not None:
        run_finished(run, f"{len(ids)} to charge")
    return len(ids)


@shared_task(**TASK_OPTIONS)
def copay_charge_persons(enrollment_ids: list[int], day: str) -> int:
    charges = services.charges_daily(
        enrollment_ids=enrollment_ids, day=datetime.date.fromisoformat(day)
    )
    return len(charges)


@shared_task(**TASK_OPTIONS)
def copay_charge_person(enrollment_id: int, day: str) -> int | None:
    charge = services.charge_daily(
        enrollment_id=enrollment_id, day=datetime.date.fromisoformat(day)
    )
    return charge.pk if charge else None


@shared_task(**TASK_OPTIONS)
def charges_reconcile() -> int:
    """Charges, then refunds (a refund may be waiting for a charge settled just now)."""
    return services.charges_reconcile() + services.refunds_reconcile()


@shared_task(**TASK_OPTIONS)
def copay_refund_request(service_line_id: int) -> int | None:
    """Queued on commit of a confirmed "service not provided" dispute
    (feedback.services.appeals)."""
    refund = services.refund_request(service_line_id=service_line_id)
    return refund.pk if refund else None


@shared_task(**TASK_OPTIONS)
def refund_send(refund_id: int) -> None:
    services.refund_send(refund_id=refund_id)


@shared_task(**TASK_OPTIONS)
def refund_notify(refund_id: int) -> None:
    """Tell the person the co-pay of a service not provided is back on their card."""
    services.refund_notice_send(refund_id=refund_id)


@shared_task(**TASK_OPTIONS)
def charge_failed_notify(charge_id: int) -> None:
    """Tell the person a charge did not go through and ask them to pay on the page."""
    services.charge_failed_notice_send(charge_id=charge_id)


@shared_task(**TASK_OPTIONS)
def receipt_fetch(receipt_id: int) -> None:
    """The registered receipt's fiscal attributes, read back from the provider."""
    from .services.fiscal import receipt_fetch as fetch

    fetch(receipt_id=receipt_id)


@shared_task(**TASK_OPTIONS)
def receipts_fetch_pending() -> int:
    """The beat's sweep: receipts still being registered (a lost task, a slow cash register)."""
    from .services.fiscal import receipts_fetch_pending as sweep

    return sweep()


@shared_task(**TASK_OPTIONS)
def refund_refused_notify(refund_id: int) -> None:
    services.refund_refused_notice_send(refund_id=refund_id)
