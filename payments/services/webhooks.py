"""The payments' part of the provider's webhooks. The router (cabinet.webhooks) verifies an
event, asks the provider about its object again and hands the answer here (and to the shop):
each event is recorded once, and a final answer about a payment or refund of ours settles it."""

from __future__ import annotations

import logging

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from gateways.payments_base import (
    CURRENCY,
    PaymentResult,
    PaymentStatus,
    RefundResult,
    RefundStatus,
    WebhookEvent,
)

from ..models import Charge, ProcessedEvent, Refund
from .charges import charge_settle
from .refunds import refund_settle

logger = logging.getLogger(__name__)


def webhook_event_processed(*, event_id: str) -> bool:
    return ProcessedEvent.objects.filter(event_id=event_id).exists()


def webhook_event_record(*, event: WebhookEvent) -> bool:
    """Inside the router's transaction: the event is processed now. False when another delivery
    of it was recorded first (then nothing is to be done; the caller's transaction goes on)."""
    try:
        with transaction.atomic():
            ProcessedEvent.objects.create(event_id=event.id, type=event.type)
    except IntegrityError:
        return False
    return True


def charge_payment_apply(payment: PaymentResult) -> None:
    """A payment the provider answered for, of a co-pay charge (by our charge id in its
    metadata): settled when it is final and is this charge's (amount, currency, customer)."""
    charge_id = payment.metadata.get("charge_id") or ""
    if not charge_id.isdigit() or payment.status not in (
        PaymentStatus.SUCCEEDED,
        PaymentStatus.DECLINED,
    ):
        return
    charge = Charge.objects.select_related("card").filter(pk=charge_id).first()
    if charge is None:
        logger.warning(
            "payment %s names charge %s, which does not exist", payment.payment_id, charge_id
        )
        return
    if (
        payment.amount != charge.amount
        or payment.currency != CURRENCY
        or payment.customer_id != charge.card.provider_customer_id
    ):
        logger.error(
            "payment %s (%s %s) is not charge %s's (%s %s): not settled",
            payment.payment_id,
            payment.amount,
            payment.currency,
            charge.pk,
            charge.amount,
            CURRENCY,
        )
        return
    charge_settle(charge_id=charge.pk, result=payment, note=_("уведомление платёжной системы"))


def refund_result_apply(result: RefundResult) -> None:
    """A refund the provider answered for, of ours (by our refund id in its metadata): a final
    answer settles a refund sent to the provider, when it refunds that charge's payment by the
    refund's amount."""
    refund_id = result.metadata.get("refund_id") or ""
    if not refund_id.isdigit() or result.status not in (
        RefundStatus.SUCCEEDED,
        RefundStatus.FAILED,
    ):
        return
    refund = Refund.objects.select_related("charge").filter(pk=refund_id).first()
    if refund is None or refund.status != Refund.Status.IN_DOUBT:
        return  # not ours, not sent yet, or settled already
    if (
        result.payment_id != refund.charge.provider_payment_id
        or result.amount != refund.amount
        or result.currency != CURRENCY
        or (refund.provider_refund_id and refund.provider_refund_id != result.refund_id)
    ):
        logger.error(
            "provider refund %s (%s %s of %s) is not refund %s's: not settled",
            result.refund_id,
            result.amount,
            result.currency,
            result.payment_id,
            refund.pk,
        )
        return
    refund_settle(refund_id=refund.pk, result=result, note=_("уведомление платёжной системы"))
