"""The gateway interface: what the co-pay code needs from a card acquirer.

Stripe is the one implemented (payments/gateways/stripe.py); a Russian acquirer (YooKassa's saved
payment methods: `save_payment_method`, then `POST /v3/payments` with `payment_method_id` and an
`Idempotence-Key`) fits the same calls. Amounts cross this boundary in roubles (Decimal); each
gateway converts to its own minor units.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from decimal import Decimal


class GatewayError(Exception):
    """The provider could not be reached or answered something unexpected: the outcome of a
    payment call is unknown (the charge is left in doubt for reconciliation)."""


class InvalidSignature(Exception):
    """A webhook whose signature does not verify."""


class PaymentStatus(enum.StrEnum):
    SUCCEEDED = "succeeded"
    REQUIRES_ACTION = "requires_action"  # the person must confirm on-session (3-D Secure)
    DECLINED = "declined"
    PROCESSING = "processing"


@dataclass(frozen=True)
class SavedCard:
    payment_method_id: str
    customer_id: str
    brand: str
    last4: str
    exp_month: int
    exp_year: int


@dataclass(frozen=True)
class PaymentResult:
    status: PaymentStatus
    payment_id: str = ""  # the provider's payment (PaymentIntent) id, when there is one
    client_secret: str = ""  # for the on-session confirmation of REQUIRES_ACTION
    decline_code: str = ""
    message: str = ""
    amount: Decimal | None = None
    metadata: dict = field(default_factory=dict)


@dataclass(frozen=True)
class WebhookEvent:
    id: str
    type: str
    payment: PaymentResult | None


class Gateway:
    """One method per remote call. Subclasses raise GatewayError when the outcome is unknown."""

    name: str = ""

    def customer_create(self, *, email: str, reference: str) -> str:
        raise NotImplementedError

    def setup_intent_create(self, *, customer_id: str) -> tuple[str, str]:
        """A card-saving intent for off-session use: (id, client_secret) for the provider's form."""
        raise NotImplementedError

    def setup_intent_payment_method(self, *, setup_intent_id: str, customer_id: str) -> str:
        """The payment method of a succeeded setup intent of this customer."""
        raise NotImplementedError

    def payment_method_attach(self, *, payment_method_id: str, customer_id: str) -> SavedCard:
        raise NotImplementedError

    def payment_method_detach(self, *, payment_method_id: str) -> None:
        raise NotImplementedError

    def payment_create(
        self,
        *,
        amount: Decimal,
        customer_id: str,
        payment_method_id: str,
        idempotency_key: str,
        metadata: dict[str, str],
        off_session: bool,
    ) -> PaymentResult:
        raise NotImplementedError

    def payment_retrieve(self, *, payment_id: str) -> PaymentResult:
        raise NotImplementedError

    def payment_cancel(self, *, payment_id: str) -> PaymentResult:
        """Cancel a payment still awaiting the person; returns its state afterwards (a payment
        that succeeded meanwhile comes back SUCCEEDED)."""
        raise NotImplementedError

    def payments_find(self, *, customer_id: str, metadata: dict[str, str]) -> list[PaymentResult]:
        """The provider's payments of this customer whose metadata contains `metadata`."""
        raise NotImplementedError

    def webhook_event(self, *, payload: bytes, signature: str) -> WebhookEvent:
        raise NotImplementedError
