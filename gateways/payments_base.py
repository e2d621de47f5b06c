"""The gateway interface: what the co-pay code and the shop need from a card acquirer.

Two are implemented: Stripe (gateways/stripe.py; its card form is Stripe.js on our page) and
ЮKassa (gateways/yookassa.py; the person confirms on ЮKassa's page, `confirmation = "redirect"`,
and every payment carries its 54-ФЗ receipt). settings.PAYMENT_GATEWAY=stripe|yookassa picks one
(settings.PAYMENTS_GATEWAY, a dotted path, loaded by `gateway()`).
Amounts cross this boundary in roubles (Decimal); each gateway converts to its own units. Our
ledger (a charge or refund row committed before the call, its key deterministic) is what prevents
double payments; the provider's idempotency is a second guard, never the only one.

How a Russian acquirer maps (YooKassa's saved payment methods, API v3), for a second gateway:

- `customer_create`: YooKassa has no customers; return our own reference (the enrollment) and
  keep it as `customer_id`.
- `setup_intent_create` / `setup_intent_payment_method`: the card is saved by a first payment
  (`POST /v3/payments` with `save_payment_method: true`, or a 0/1 ₽ verification payment) whose
  `confirmation` is `{"type": "redirect", "return_url": ...}` (or `embedded` for the YooKassa
  widget): return (payment id, confirmation url or token) for the page, then read
  `payment_method.id` of the succeeded payment. That id is our `payment_method_id`;
  `payment_method_attach` only reads the card's `card.card_type`, `last4`, `expiry_month/year`,
  `payment_method_detach` forgets the id on our side (a method we no longer hold is
  never charged).
- `payment_create`: `POST /v3/payments` with `amount {value, currency: "RUB"}`, `capture: true`,
  `payment_method_id`, `metadata` and the `Idempotence-Key` header = our `idempotency_key`; no
  confirmation by the person off-session. An on-session payment that needs 3-D Secure answers
  `pending` with `confirmation.confirmation_url`: REQUIRES_ACTION (the page redirects there).
- `payment_retrieve` / `payment_cancel`: `GET /v3/payments/{id}`, `POST /v3/payments/{id}/cancel`.
- `payments_find`: `GET /v3/payments` (by creation time) filtered on our `metadata.charge_id`.
- `refund_create` / `refunds_find` / `refund_retrieve`: `POST /v3/refunds` with `payment_id`,
  `amount` and the `Idempotence-Key` header; `GET /v3/refunds?payment_id=...`;
  `GET /v3/refunds/{id}`.
- `webhook_event`: YooKassa notifications are not signed: parse the payload into the object's kind
  and id (and its claims, for the log); the webhook router (cabinet.webhooks) then fetches the
  object and trusts only that answer, as it does for Stripe.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.utils.module_loading import import_string


class GatewayError(Exception):
    """The provider could not be reached or answered something unexpected: the outcome of a
    payment call is unknown (the charge is left in doubt for reconciliation)."""


class ObjectNotFound(GatewayError):
    """The provider answered that it has no object of this id (a forged webhook names one).
    A GatewayError, so a caller that does not look for it treats it as an unknown outcome."""


class InvalidSignature(Exception):
    """A webhook whose signature does not verify (or a signed body that is not an event)."""


# The only currency of our payments: amounts cross this boundary in roubles.
CURRENCY = "RUB"

# Decline codes after which a saved card will never pay again (ЮKassa's cancellation_details
# reasons, Stripe's decline codes): the card is dropped and the person asked for another; other
# declines are retried on the schedule.
METHOD_GONE_CODES = frozenset(
    {
        "card_expired",
        "permission_revoked",
        "invalid_card_number",
        "payment_method_restricted",
        "expired_card",  # Stripe
        "lost_card",  # Stripe
        "stolen_card",  # Stripe
    }
)


class GatewayRefused(GatewayError):
    """The provider refused the request for good (a 4xx other than not found): a definite answer,
    for the calls where a refusal means something (a refund)."""


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
    currency: str = ""  # ISO 4217, upper case, as the provider answers it
    customer_id: str = ""
    confirmation_url: str = ""  # where the person confirms it (a redirect gateway)
    payment_method_id: str = ""  # the method saved by this payment (card binding)
    method_type: str = ""  # bank_card, sbp, sberbank…


class RefundStatus(enum.StrEnum):
    SUCCEEDED = "succeeded"
    PENDING = "pending"  # accepted, the bank has not finished it yet: asked again later
    FAILED = "failed"


@dataclass(frozen=True)
class RefundResult:
    status: RefundStatus
    refund_id: str = ""
    amount: Decimal | None = None
    failure_code: str = ""
    metadata: dict = field(default_factory=dict)
    payment_id: str = ""  # the payment refunded
    currency: str = ""


@dataclass(frozen=True)
class ReceiptItem:
    """One line of a 54-ФЗ receipt (a service line, a policy)."""

    description: str
    amount: Decimal
    payment_subject: str
    payment_mode: str
    vat_code: int
    quantity: Decimal = Decimal("1")


@dataclass(frozen=True)
class ReceiptData:
    """The receipt sent with a payment or a refund: the customer's e-mail or phone, the lines."""

    items: tuple[ReceiptItem, ...]
    tax_system_code: int
    email: str = ""
    phone: str = ""


@dataclass(frozen=True)
class FiscalReceipt:
    """A receipt as the provider registered it: the fiscal attributes the person's «Чек» shows."""

    receipt_id: str
    kind: str  # payment (приход) | refund (возврат прихода)
    status: str  # pending | succeeded | canceled
    payment_id: str = ""
    refund_id: str = ""
    fiscal_storage_number: str = ""  # ФН
    fiscal_document_number: str = ""  # ФД
    fiscal_attribute: str = ""  # ФП (ФПД)
    registered_at: str = ""  # ISO 8601


class WebhookObject(enum.StrEnum):
    PAYMENT = "payment"
    REFUND = "refund"
    OTHER = "other"  # nothing of ours acts on it (a setup intent, a customer...)


@dataclass(frozen=True)
class WebhookEvent:
    """A verified event: which object it is about, and what its body says of it. The claims are
    only compared with what the provider answers when asked again; nothing acts on them."""

    id: str
    type: str
    object_kind: WebhookObject
    object_id: str = ""
    # The fields the body states, in the terms of PaymentResult / RefundResult: status,
    # amount, currency, metadata (a field the body leaves out claims nothing).
    claims: dict = field(default_factory=dict)


class Gateway:
    """One method per remote call. Subclasses raise GatewayError when the outcome is unknown."""

    name: str = ""
    # "script": the card is entered on our page in the provider's script (Stripe.js);
    # "redirect": the person confirms on the provider's page (ЮKassa) and comes back.
    confirmation: str = "script"
    # Does the provider register 54-ФЗ receipts sent with payments and refunds?
    fiscal: bool = False
    # The ways a person may pay a one-off purchase (checkout_create's `method`).
    checkout_methods: tuple[str, ...] = ()

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
        receipt: ReceiptData | None = None,
        description: str = "",
    ) -> PaymentResult:
        raise NotImplementedError

    def checkout_create(
        self,
        *,
        amount: Decimal,
        customer_id: str,
        idempotency_key: str,
        metadata: dict[str, str],
        return_url: str,
        method: str = "bank_card",
        save_method: bool = False,
        capture: bool = True,
        receipt: ReceiptData | None = None,
        description: str = "",
    ) -> PaymentResult:
        """A payment the person confirms on the provider's page (`confirmation == "redirect"`):
        REQUIRES_ACTION with its confirmation_url."""
        raise NotImplementedError

    def receipts_find(self, *, payment_id: str = "", refund_id: str = "") -> list[FiscalReceipt]:
        """The 54-ФЗ receipts the provider registered for a payment or a refund (none for a
        provider that registers none)."""
        return []

    def payment_retrieve(self, *, payment_id: str) -> PaymentResult:
        """Raises ObjectNotFound for an id the provider does not know."""
        raise NotImplementedError

    def payment_cancel(self, *, payment_id: str) -> PaymentResult:
        """Cancel a payment still awaiting the person; returns its state afterwards (a payment
        that succeeded meanwhile comes back SUCCEEDED)."""
        raise NotImplementedError

    def payments_find(self, *, customer_id: str, metadata: dict[str, str]) -> list[PaymentResult]:
        """The provider's payments of this customer whose metadata contains `metadata`."""
        raise NotImplementedError

    def refund_create(
        self,
        *,
        payment_id: str,
        amount: Decimal,
        idempotency_key: str,
        metadata: dict[str, str],
        reason: str = "",
        receipt: ReceiptData | None = None,
    ) -> RefundResult:
        """Return `amount` of a succeeded payment to its card, with the reason told to the
        provider. A refused refund (already refunded, more than was paid) is an answer (FAILED),
        not an unknown."""
        raise NotImplementedError

    def refunds_find(self, *, payment_id: str, metadata: dict[str, str]) -> list[RefundResult]:
        """The refunds of this payment whose metadata contains `metadata`."""
        raise NotImplementedError

    def refund_retrieve(self, *, refund_id: str) -> RefundResult:
        """Raises ObjectNotFound for an id the provider does not know."""
        raise NotImplementedError

    def webhook_event(self, *, payload: bytes, signature: str) -> WebhookEvent:
        """Verify an event (raises InvalidSignature) and say what it is about. Never act on its
        body: the webhook router (cabinet.webhooks) asks the provider for the object again."""
        raise NotImplementedError


def gateway() -> Gateway:
    """The card acquirer of settings.PAYMENTS_GATEWAY."""
    return import_string(settings.PAYMENTS_GATEWAY)()


def webhook_contradictions(
    event: WebhookEvent, actual: PaymentResult | RefundResult | None
) -> list[str]:
    """The fields whose value in the event's body is not the provider's answer about the event's
    object (of the metadata, each key the body states), and "id" when the answer is about
    another object."""
    if actual is None:
        return []
    contradicted = []
    for name, claimed in event.claims.items():
        value = getattr(actual, name)
        if name == "metadata":
            if any(value.get(key) != item for key, item in claimed.items()):
                contradicted.append(name)
        elif value != claimed:
            contradicted.append(name)
    claimed_id = actual.payment_id if isinstance(actual, PaymentResult) else actual.refund_id
    if claimed_id != event.object_id:
        contradicted.append("id")
    return contradicted
