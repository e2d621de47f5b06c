"""Co-pay writes: joining (enrollment), charges (daily and "pay now", one way to write them),
refunds, the provider's webhooks (their payments part) and the e-mails (notices); statuses move
only through `status` (each model's TRANSITIONS, an event row per step).

The double-charge rule: a Charge row with its lines is committed before the provider is called;
only one worker may send it (pending → in_doubt under a row lock, committed before the call);
the outcome is written in one transaction that re-reads the charge under a row lock and does
nothing if it is already settled. A charge left pending or in doubt (a killed worker, a timeout)
is settled by `charges_reconcile` from the provider's own records, found by our charge id in its
metadata. The daily run does this for a chunk of persons at a time (`charges_daily`): the same
steps, each one statement for the whole chunk, so our cost per charge is a fraction of the
provider's. Refunds follow the same rule with their own rows (`refund_request`).
"""

from .charges import (
    RECONCILE_AFTER,
    ChargeRequest,
    charge_in_flight,
    charge_pay_now,
    charge_reconcile,
    charge_refresh,
    charge_send,
    charge_settle,
    charges_create,
    charges_reconcile,
    charges_settle,
)
from .daily import DAILY_BATCH, charge_daily, charges_daily, daily_key, enrollments_due
from .enrollment import (
    card_attach,
    card_check_apply,
    card_remove,
    card_setup_redirect,
    card_setup_start,
    clinic_processing_until,
    copay_consent,
    copay_withdraw,
    copay_withdraw_blocker,
    enrollment_activate,
)
from .notices import (
    charge_failed_notice_send,
    copay_notice_send,
    refund_notice_send,
    refund_refused_notice_send,
)
from .refunds import (
    charge_refunds_due,
    refund_key,
    refund_request,
    refund_send,
    refund_settle,
    refunds_reconcile,
)
from .status import (
    TransitionNotAllowed,
    charge_status_set,
    charges_status_set,
    refund_status_set,
    refunds_status_set,
)

__all__ = [
    "DAILY_BATCH",
    "RECONCILE_AFTER",
    "ChargeRequest",
    "TransitionNotAllowed",
    "card_attach",
    "card_check_apply",
    "card_remove",
    "card_setup_redirect",
    "card_setup_start",
    "charge_daily",
    "charge_failed_notice_send",
    "charge_in_flight",
    "charge_pay_now",
    "charge_reconcile",
    "charge_refresh",
    "charge_refunds_due",
    "charge_send",
    "charge_settle",
    "charge_status_set",
    "charges_create",
    "charges_daily",
    "charges_reconcile",
    "charges_settle",
    "charges_status_set",
    "clinic_processing_until",
    "copay_consent",
    "copay_withdraw",
    "copay_withdraw_blocker",
    "copay_notice_send",
    "daily_key",
    "enrollment_activate",
    "enrollments_due",
    "refund_key",
    "refund_notice_send",
    "refund_refused_notice_send",
    "refund_request",
    "refund_send",
    "refund_settle",
    "refund_status_set",
    "refunds_reconcile",
    "refunds_status_set",
]
