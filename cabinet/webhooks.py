"""The payment provider's webhooks at fixed URLs (/payments/webhooks/stripe/ and
/payments/webhooks/yookassa/, mounted by portal.urls): the router between the provider and the
apps its payments belong to.

ЮKassa signs nothing: its notifications are accepted only from the networks of
settings.YOOKASSA_NOTIFY_NETWORKS (ЮKassa's published ranges; the client's address as
portal.core.client_ip reads it behind our proxies), and, as for Stripe, only the provider's own
answer about the object they name is acted on.

The signature is checked on the raw body; then the event's object is asked of the provider again
by its id, and only that answer is acted on: the event's body is only compared with it. An event
the provider contradicts (forged with a leaked secret, or stale), or naming an object it does not
know, changes nothing and is logged. Each event is processed once (payments' ProcessedEvent), and
its answer is handed, in one transaction, to payments (a co-pay charge or refund, by our id in
its metadata) and to the shop (a purchase's payment issues its policy). This router sits above
both, so neither imports the other."""

import ipaddress
import logging
from functools import lru_cache

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from gateways.payments_base import (
    GatewayError,
    InvalidSignature,
    ObjectNotFound,
    PaymentResult,
    RefundResult,
    WebhookObject,
    gateway,
    webhook_contradictions,
)
from payments.services import card_check_apply
from payments.services.webhooks import (
    charge_payment_apply,
    refund_result_apply,
    webhook_event_processed,
    webhook_event_record,
)
from portal.core.client_ip import client_ip
from shop.services import payment_event_apply as purchase_payment_apply

logger = logging.getLogger(__name__)


def webhook_process(*, payload: bytes, signature: str) -> bool:
    """Verify a provider event, then act once on what the provider itself answers about the
    event's object. Returns whether the event was acted on. Raises InvalidSignature for a forged
    signature, and GatewayError when the provider cannot be asked (the view answers 503 and the
    provider sends the event again)."""
    gw = gateway()
    event = gw.webhook_event(payload=payload, signature=signature)
    if webhook_event_processed(event_id=event.id):
        logger.info("webhook event %s (%s) already processed", event.id, event.type)
        return False
    try:
        if event.object_kind == WebhookObject.PAYMENT:
            actual: PaymentResult | RefundResult | None = gw.payment_retrieve(
                payment_id=event.object_id
            )
        elif event.object_kind == WebhookObject.REFUND:
            actual = gw.refund_retrieve(refund_id=event.object_id)
        else:
            actual = None  # nothing of ours acts on it
    except ObjectNotFound:
        logger.warning(
            "webhook event %s (%s) names %s %r, unknown to the provider: ignored",
            event.id,
            event.type,
            event.object_kind,
            event.object_id,
        )
        return False
    contradicted = webhook_contradictions(event, actual)
    if contradicted:
        logger.warning(
            "webhook event %s (%s) about %s %s contradicts the provider on %s: ignored",
            event.id,
            event.type,
            event.object_kind,
            event.object_id,
            ", ".join(contradicted),
        )
        return False
    with transaction.atomic():
        if not webhook_event_record(event=event):
            return False
        if isinstance(actual, PaymentResult):
            charge_payment_apply(actual)  # a co-pay charge's payment
            card_check_apply(actual)  # a card check (ЮKassa) binds its card
            purchase_payment_apply(actual)  # a purchase's payment issues its policy, once
        elif isinstance(actual, RefundResult):
            refund_result_apply(actual)
    return True


@csrf_exempt
@require_POST
def stripe_webhook(request: HttpRequest) -> HttpResponse:
    try:
        webhook_process(payload=request.body, signature=request.headers.get("Stripe-Signature", ""))
    except InvalidSignature as error:
        logger.warning("webhook refused: %s", error)
        return HttpResponse(status=400)
    except GatewayError as error:
        # The provider could not be asked about the event's object: it sends the event again.
        logger.warning("webhook not processed, the provider is unreachable: %s", error)
        return HttpResponse(status=503)
    return HttpResponse(status=200)


@lru_cache(maxsize=4)
def _networks(ranges: tuple[str, ...]) -> tuple:
    return tuple(
        ipaddress.ip_network(item.strip(), strict=False) for item in ranges if item.strip()
    )


def yookassa_sender_allowed(address: str) -> bool:
    """Is this address in ЮKassa's published ranges (settings.YOOKASSA_NOTIFY_NETWORKS)?"""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in _networks(tuple(settings.YOOKASSA_NOTIFY_NETWORKS)))


@csrf_exempt
@require_POST
def yookassa_webhook(request: HttpRequest) -> HttpResponse:
    if gateway().name != "yookassa":
        return HttpResponse(status=404)
    address = client_ip(request)
    if not yookassa_sender_allowed(address):
        logger.warning("ЮKassa notification from %s, outside ЮKassa's networks: refused", address)
        return HttpResponse(status=403)
    try:
        webhook_process(payload=request.body, signature="")
    except InvalidSignature as error:
        logger.warning("ЮKassa notification refused: %s", error)
        return HttpResponse(status=400)
    except GatewayError as error:
        logger.warning("ЮKassa notification not processed, the provider is unreachable: %s", error)
        return HttpResponse(status=503)
    return HttpResponse(status=200)
