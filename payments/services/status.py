"""The one place a charge or a refund changes status: a step its model's TRANSITIONS allows and an
event row per step (ChargeEvent, RefundEvent: from, to, when, who, note), like claims'
claim_set_status. The daily run moves a whole chunk of charges at once: one UPDATE and one INSERT
of events whatever the chunk's size, so its queries per chunk stay constant.

The rows passed in are read under the caller's row lock (or just written): their status in
memory is the one in the database, which is what the step is checked against."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.utils import timezone

from portal.accounts.models import User

from ..models import Charge, ChargeEvent, Refund, RefundEvent


class TransitionNotAllowed(Exception):
    """A step the model's TRANSITIONS does not allow: a fault of the code, never of the input."""


def _check(rows: Sequence[Charge] | Sequence[Refund], to: str) -> None:
    for row in rows:
        if not row.can_move_to(to):
            raise TransitionNotAllowed(
                f"{type(row).__name__} {row.pk}: {row.status} → {to} is not allowed"
            )


def _rows_status_set(
    rows: Sequence[Charge] | Sequence[Refund],
    *,
    event: type[ChargeEvent] | type[RefundEvent],
    owner: str,
    to: str,
    actor: User | None,
    note: str,
    values: dict[str, Any],
) -> list:
    """Move each row to `to` with `values` (other fields, the same for all) written alongside:
    one UPDATE and one INSERT of events. Raises TransitionNotAllowed, before writing anything,
    when any of them may not take this step. The objects passed are brought up to date."""
    if not rows:
        return []
    _check(rows, to)
    now = timezone.now()
    values = {"status": to, "updated_at": now, **values}
    type(rows[0]).objects.filter(pk__in=[row.pk for row in rows]).update(**values)
    events = [
        event(
            **{owner: row.pk},
            from_status=row.status,
            to_status=to,
            at=now,
            by=actor,
            note=note,
        )
        for row in rows
    ]
    for row in rows:
        for name, value in values.items():
            setattr(row, name, value)
    return event.objects.bulk_create(events)


def charges_status_set(
    *,
    charges: Sequence[Charge],
    to: str,
    actor: User | None = None,
    note: str = "",
    **values: Any,
) -> list[ChargeEvent]:
    """Move each charge to `to` (see _rows_status_set)."""
    return _rows_status_set(
        charges, event=ChargeEvent, owner="charge_id", to=to, actor=actor, note=note, values=values
    )


def charge_status_set(
    *, charge: Charge, to: str, actor: User | None = None, note: str = "", **values: Any
) -> ChargeEvent:
    """One charge's step (see charges_status_set)."""
    return charges_status_set(charges=[charge], to=to, actor=actor, note=note, **values)[0]


def charges_created_record(*, charges: Sequence[Charge], actor: User | None = None) -> None:
    """The first event of charges just written: one INSERT."""
    ChargeEvent.objects.bulk_create(
        ChargeEvent(charge_id=c.pk, from_status="", to_status=c.status, at=c.created_at, by=actor)
        for c in charges
    )


def refunds_status_set(
    *,
    refunds: Sequence[Refund],
    to: str,
    actor: User | None = None,
    note: str = "",
    **values: Any,
) -> list[RefundEvent]:
    """Move each refund to `to` (see _rows_status_set: the same rules as for charges)."""
    return _rows_status_set(
        refunds, event=RefundEvent, owner="refund_id", to=to, actor=actor, note=note, values=values
    )


def refund_status_set(
    *, refund: Refund, to: str, actor: User | None = None, note: str = "", **values: Any
) -> RefundEvent:
    """One refund's step (see refunds_status_set)."""
    return refunds_status_set(refunds=[refund], to=to, actor=actor, note=note, **values)[0]


def refund_created_record(*, refund: Refund, actor: User | None = None) -> None:
    RefundEvent.objects.create(
        refund=refund, from_status="", to_status=refund.status, at=refund.created_at, by=actor
    )
