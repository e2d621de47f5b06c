"""Stripe, one function per remote call (stripe-python's StripeClient, pointed at
settings.STRIPE_API_BASE: localstripe in development and tests).

Amounts are sent in kopecks. Outcomes that are unknown (network errors, timeouts, 5xx, rate
limits) raise GatewayError so the caller leaves the charge in doubt for reconciliation; a card
error is an answer (declined / authentication required), not an unknown.
"""

from __future__ import annotations

from decimal import Decimal
from functools import lru_cache

import stripe as stripe_sdk
from django.conf import settings

from .payments_base import (
    Gateway,
    GatewayError,
    InvalidSignature,
    ObjectNotFound,
    PaymentResult,
    PaymentStatus,
    RefundResult,
    RefundStatus,
    SavedCard,
    WebhookEvent,
    WebhookObject,
)

KOPECKS = Decimal("100")
# Stripe answers an off-session charge that needs 3-D Secure with a 402 of this code; localstripe
# answers a PaymentIntent in status requires_action instead. Both mean "bring the person back".
AUTHENTICATION_CODES = {"authentication_required"}


@lru_cache(maxsize=4)
def _client_for(api_key: str, api_base: str, timeout: float) -> stripe_sdk.StripeClient:
    return stripe_sdk.StripeClient(
        api_key,
        base_addresses={"api": api_base},
        http_client=stripe_sdk.RequestsClient(timeout=timeout),
        max_network_retries=0,  # our ledger, not the SDK, decides about retries
    )


def client() -> stripe_sdk.StripeClient:
    return _client_for(
        settings.STRIPE_SECRET_KEY, settings.STRIPE_API_BASE, settings.STRIPE_TIMEOUT_SECONDS
    )


def to_kopecks(amount: Decimal) -> int:
    return int((amount * KOPECKS).to_integral_exact())


def _plain(obj) -> dict:
    """stripe-python objects are not dicts since v13: read them as plain data."""
    return obj.to_dict() if hasattr(obj, "to_dict") else dict(obj)


def _unknown(error: Exception) -> GatewayError:
    if isinstance(error, stripe_sdk.InvalidRequestError) and error.http_status == 404:
        return ObjectNotFound(str(error))
    return GatewayError(f"{type(error).__name__}: {error}")


def _amount(obj: dict) -> Decimal | None:
    amount = obj.get("amount")
    return None if amount is None else Decimal(amount) / KOPECKS


def _id(value) -> str:
    """An expandable field: an id, or the object itself."""
    return (value.get("id") or "") if isinstance(value, dict) else (value or "")


def _payment_result(intent) -> PaymentResult:
    intent = _plain(intent)
    status = intent.get("status")
    if status == "succeeded":
        result_status = PaymentStatus.SUCCEEDED
    elif status in ("requires_action", "requires_confirmation"):
        result_status = PaymentStatus.REQUIRES_ACTION
    elif status == "processing":
        result_status = PaymentStatus.PROCESSING
    else:  # requires_payment_method after a failed attempt, canceled
        result_status = PaymentStatus.DECLINED
    error = intent.get("last_payment_error") or {}
    return PaymentResult(
        status=result_status,
        payment_id=intent["id"],
        client_secret=intent.get("client_secret") or "",
        decline_code=(error.get("decline_code") or error.get("code") or "") if error else "",
        amount=_amount(intent),
        metadata=dict(intent.get("metadata") or {}),
        currency=(intent.get("currency") or "").upper(),
        customer_id=_id(intent.get("customer")),
    )


def customer_create(*, email: str, reference: str) -> str:
    try:
        customer = client().v1.customers.create(
            {"email": email, "metadata": {"reference": reference}},
            {"idempotency_key": f"customer-{reference}"},
        )
    except stripe_sdk.StripeError as error:
        raise _unknown(error) from error
    return customer.id


def setup_intent_create(*, customer_id: str) -> tuple[str, str]:
    try:
        intent = client().v1.setup_intents.create(
            {"customer": customer_id, "usage": "off_session", "payment_method_types": ["card"]}
        )
    except stripe_sdk.StripeError as error:
        raise _unknown(error) from error
    return intent.id, intent.client_secret


def setup_intent_retrieve(*, setup_intent_id: str):
    try:
        return _plain(client().v1.setup_intents.retrieve(setup_intent_id))
    except stripe_sdk.InvalidRequestError as error:
        raise ValueError("unknown setup intent") from error
    except stripe_sdk.StripeError as error:
        raise _unknown(error) from error


def payment_method_attach(*, payment_method_id: str, customer_id: str):
    try:
        return _plain(
            client().v1.payment_methods.attach(payment_method_id, {"customer": customer_id})
        )
    except stripe_sdk.StripeError as error:
        raise _unknown(error) from error


def payment_method_retrieve(*, payment_method_id: str):
    try:
        return _plain(client().v1.payment_methods.retrieve(payment_method_id))
    except stripe_sdk.StripeError as error:
        raise _unknown(error) from error


def payment_method_detach(*, payment_method_id: str) -> None:
    try:
        client().v1.payment_methods.detach(payment_method_id)
    except stripe_sdk.InvalidRequestError:
        pass  # already detached or unknown: nothing of it is left to remove
    except stripe_sdk.StripeError as error:
        raise _unknown(error) from error


def payment_intent_create(
    *,
    amount: Decimal,
    customer_id: str,
    payment_method_id: str,
    idempotency_key: str,
    metadata: dict[str, str],
    off_session: bool,
) -> PaymentResult:
    params: dict = {
        "amount": to_kopecks(amount),
        "currency": "rub",
        "customer": customer_id,
        "payment_method": payment_method_id,
        "metadata": metadata,
        # Confirmed by us with the saved card; on-session a 3-D Secure step is then finished by
        # the page with confirmCardPayment(client_secret).
        "confirm": True,
    }
    if off_session:
        params["off_session"] = True
    try:
        intent = client().v1.payment_intents.create(params, {"idempotency_key": idempotency_key})
    except stripe_sdk.CardError as error:
        body = (error.json_body or {}).get("error", {}) if error.json_body else {}
        code = error.code or body.get("code") or ""
        intent = body.get("payment_intent")  # Stripe sends it; localstripe does not
        status = (
            PaymentStatus.REQUIRES_ACTION
            if code in AUTHENTICATION_CODES
            else PaymentStatus.DECLINED
        )
        return PaymentResult(
            status=status,
            payment_id=(intent or {}).get("id", ""),
            client_secret=(intent or {}).get("client_secret", "") or "",
            decline_code=body.get("decline_code") or code,
            message=error.user_message or "",
            metadata=metadata,
        )
    except stripe_sdk.StripeError as error:
        raise _unknown(error) from error
    return _payment_result(intent)


def payment_intent_retrieve(*, payment_id: str) -> PaymentResult:
    try:
        return _payment_result(client().v1.payment_intents.retrieve(payment_id))
    except stripe_sdk.StripeError as error:
        raise _unknown(error) from error


def payment_intent_cancel(*, payment_id: str) -> PaymentResult:
    try:
        return _payment_result(client().v1.payment_intents.cancel(payment_id))
    except stripe_sdk.InvalidRequestError:
        # Not cancellable any more (it succeeded meanwhile): report its actual state.
        return payment_intent_retrieve(payment_id=payment_id)
    except stripe_sdk.StripeError as error:
        raise _unknown(error) from error


def payment_intents_for_customer(*, customer_id: str) -> list[PaymentResult]:
    """All PaymentIntents of a customer. localstripe has no search API, so reconciliation lists
    by customer and matches our metadata (Stripe's /search would also do in production)."""
    try:
        try:
            page = client().v1.payment_intents.list({"customer": customer_id, "limit": 100})
        except stripe_sdk.InvalidRequestError:
            # localstripe refuses the customer filter ("Unexpected customer"): list everything
            # and filter here. Stripe itself takes the filter.
            page = client().v1.payment_intents.list({"limit": 100})
        return [
            _payment_result(intent)
            for intent in page.auto_paging_iter()
            if _plain(intent).get("customer") == customer_id
        ]
    except stripe_sdk.StripeError as error:
        raise _unknown(error) from error


def _refund_result(refund) -> RefundResult:
    refund = _plain(refund)
    status = refund.get("status")
    if status == "succeeded":
        result_status = RefundStatus.SUCCEEDED
    elif status in ("failed", "canceled"):
        result_status = RefundStatus.FAILED
    else:  # pending, requires_action: the bank has not finished it
        result_status = RefundStatus.PENDING
    return RefundResult(
        status=result_status,
        refund_id=refund["id"],
        amount=_amount(refund),
        failure_code=refund.get("failure_reason") or "",
        metadata=dict(refund.get("metadata") or {}),
        payment_id=_id(refund.get("payment_intent")),
        currency=(refund.get("currency") or "").upper(),
    )


def refund_create(
    *, payment_id: str, amount: Decimal, idempotency_key: str, metadata: dict[str, str]
) -> RefundResult:
    # Stripe also takes reason="requested_by_customer"; it is optional, and localstripe refuses
    # any parameter it does not know, so it is not sent. localstripe ignores the idempotency
    # key (as for payments): our Refund row, committed before this call, is what guards.
    params = {"payment_intent": payment_id, "amount": to_kopecks(amount), "metadata": metadata}
    try:
        refund = client().v1.refunds.create(params, {"idempotency_key": idempotency_key})
    except stripe_sdk.InvalidRequestError as error:
        # Refused for good (already refunded, more than was paid, a failed payment): an answer.
        return RefundResult(
            status=RefundStatus.FAILED,
            failure_code=error.code or "invalid_request",
            metadata=metadata,
        )
    except stripe_sdk.StripeError as error:
        raise _unknown(error) from error
    return _refund_result(refund)


def refund_retrieve(*, refund_id: str) -> RefundResult:
    try:
        return _refund_result(client().v1.refunds.retrieve(refund_id))
    except stripe_sdk.StripeError as error:
        raise _unknown(error) from error


def refunds_for_payment(*, payment_id: str) -> list[RefundResult]:
    try:
        page = client().v1.refunds.list({"payment_intent": payment_id, "limit": 100})
        return [_refund_result(refund) for refund in page.auto_paging_iter()]
    except stripe_sdk.StripeError as error:
        raise _unknown(error) from error


def webhook_construct_event(*, payload: bytes, signature: str):
    """The event, its signature checked on the raw body; one signed more than five minutes ago
    (stripe-python's tolerance) is refused, so an old event cannot be replayed."""
    try:
        return _plain(
            stripe_sdk.Webhook.construct_event(payload, signature, settings.STRIPE_WEBHOOK_SECRET)
        )
    except (stripe_sdk.SignatureVerificationError, ValueError) as error:
        raise InvalidSignature(str(error)) from error


# The event's object types that we act on, and how its body reads in our terms.
_WEBHOOK_OBJECTS = {
    "payment_intent": (WebhookObject.PAYMENT, _payment_result),
    "refund": (WebhookObject.REFUND, _refund_result),
}
_CLAIMED_FIELDS = {"status": "status", "amount": "amount", "currency": "currency"}


def webhook_event_read(event: dict) -> WebhookEvent:
    """What a verified event is about, and what its body claims (see base.WebhookEvent)."""
    try:
        obj = event["data"]["object"]
        kind, read = _WEBHOOK_OBJECTS.get(obj.get("object"), (WebhookObject.OTHER, None))
        claims = {}
        if read is not None:
            result = read(obj)
            claims = {
                ours: getattr(result, ours)
                for theirs, ours in _CLAIMED_FIELDS.items()
                if theirs in obj
            }
            if obj.get("metadata"):
                claims["metadata"] = result.metadata
        return WebhookEvent(
            id=str(event["id"]),
            type=str(event["type"]),
            object_kind=kind,
            object_id=str(obj.get("id") or ""),
            claims=claims,
        )
    except (KeyError, TypeError, AttributeError, ArithmeticError) as error:
        raise InvalidSignature(f"not an event: {error!r}") from error


def _with_metadata(results: list, metadata: dict[str, str]) -> list:
    """The results (payments or refunds) whose metadata contains `metadata`."""
    return [r for r in results if all(r.metadata.get(k) == v for k, v in metadata.items())]


class StripeGateway(Gateway):
    name = "stripe"

    def customer_create(self, *, email: str, reference: str) -> str:
        return customer_create(email=email, reference=reference)

    def setup_intent_create(self, *, customer_id: str) -> tuple[str, str]:
        return setup_intent_create(customer_id=customer_id)

    def setup_intent_payment_method(self, *, setup_intent_id: str, customer_id: str) -> str:
        intent = setup_intent_retrieve(setup_intent_id=setup_intent_id)
        if intent.get("customer") != customer_id or intent.get("status") != "succeeded":
            raise ValueError("the setup intent is not a succeeded one of this customer")
        payment_method = intent.get("payment_method")
        return payment_method if isinstance(payment_method, str) else payment_method["id"]

    def payment_method_attach(self, *, payment_method_id: str, customer_id: str) -> SavedCard:
        # A confirmed SetupIntent attaches the method on Stripe, not on localstripe: attach
        # explicitly (Stripe accepts it for a method already attached to this customer).
        method = payment_method_attach(payment_method_id=payment_method_id, customer_id=customer_id)
        card = method.get("card") or {}
        return SavedCard(
            payment_method_id=method["id"],
            customer_id=customer_id,
            brand=card.get("brand", "") or "",
            last4=card.get("last4", "") or "",
            exp_month=int(card.get("exp_month") or 0),
            exp_year=int(card.get("exp_year") or 0),
        )

    def payment_method_detach(self, *, payment_method_id: str) -> None:
        payment_method_detach(payment_method_id=payment_method_id)

    def payment_create(self, *, receipt=None, description: str = "", **kwargs) -> PaymentResult:
        # No 54-ФЗ receipt at Stripe (a separate online cash register registers them).
        return payment_intent_create(**kwargs)

    def payment_retrieve(self, *, payment_id: str) -> PaymentResult:
        return payment_intent_retrieve(payment_id=payment_id)

    def payment_cancel(self, *, payment_id: str) -> PaymentResult:
        return payment_intent_cancel(payment_id=payment_id)

    def payments_find(self, *, customer_id: str, metadata: dict[str, str]) -> list[PaymentResult]:
        return _with_metadata(payment_intents_for_customer(customer_id=customer_id), metadata)

    def refund_create(
        self,
        *,
        payment_id: str,
        amount: Decimal,
        idempotency_key: str,
        metadata: dict[str, str],
        reason: str = "",
        receipt=None,
    ) -> RefundResult:
        # Stripe's own `reason` is an enumeration (localstripe refuses it): ours goes in the
        # metadata, which the dashboard shows.
        return refund_create(
            payment_id=payment_id,
            amount=amount,
            idempotency_key=idempotency_key,
            metadata={**metadata, "reason": reason[:500]} if reason else metadata,
        )

    def refunds_find(self, *, payment_id: str, metadata: dict[str, str]) -> list[RefundResult]:
        return _with_metadata(refunds_for_payment(payment_id=payment_id), metadata)

    def refund_retrieve(self, *, refund_id: str) -> RefundResult:
        return refund_retrieve(refund_id=refund_id)

    def webhook_event(self, *, payload: bytes, signature: str) -> WebhookEvent:
        return webhook_event_read(webhook_construct_event(payload=payload, signature=signature))
