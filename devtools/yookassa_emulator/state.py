"""The emulator's state: payments, refunds, saved methods and receipts per shop, in memory (one
process: `runserver` in development, the live server in tests), behind one lock.

Objects are shaped as ЮKassa's API v3 reference describes them (yookassa.ru/developers/api):
ids of 36 characters, amounts as {"value": "10.00", "currency": "RUB"}, ISO 8601 times in UTC
with milliseconds, `cancellation_details` {party, reason}, a saved `payment_method` with its
card's first6/last4/expiry/card_type, receipts with fiscal_storage_number, fiscal_document_number,
fiscal_attribute and registered_at.
"""

from __future__ import annotations

import copy
import datetime
import hashlib
import threading
import uuid
from dataclasses import dataclass, field
from decimal import Decimal

LOCK = threading.RLock()

# Test cards: number → what happens. The success cards are ЮKassa's own test numbers; the
# declines are ours, one per cancellation reason (the page lists them).
SUCCESS_CARDS = {
    "5555555555554477": "MasterCard",
    "2202474301322987": "Mir",
    "4793128161644804": "Visa",
}
WAIT_CARD = "2200000000009999"  # stays pending until settled through /_control/
DECLINE_REASONS = (
    "3d_secure_failed",
    "call_issuer",
    "card_expired",
    "country_forbidden",
    "fraud_suspected",
    "general_decline",
    "identification_required",
    "insufficient_funds",
    "internal_timeout",
    "invalid_card_number",
    "invalid_csc",
    "issuer_unavailable",
    "payment_method_limit_exceeded",
    "payment_method_restricted",
    "permission_revoked",
)
DECLINE_CARDS = {
    f"22000000000{index:05d}": reason for index, reason in enumerate(DECLINE_REASONS, 1)
}
# The issuer's bank party for each reason (ЮKassa's cancellation_details.party).
REASON_PARTY = {
    "3d_secure_failed": "payment_network",
    "call_issuer": "payment_network",
    "card_expired": "payment_network",
    "country_forbidden": "yoo_money",
    "fraud_suspected": "yoo_money",
    "general_decline": "payment_network",
    "identification_required": "yoo_money",
    "insufficient_funds": "payment_network",
    "internal_timeout": "yoo_money",
    "invalid_card_number": "payment_network",
    "invalid_csc": "payment_network",
    "issuer_unavailable": "payment_network",
    "payment_method_limit_exceeded": "yoo_money",
    "payment_method_restricted": "payment_network",
    "permission_revoked": "yoo_money",
    "canceled_by_merchant": "merchant",
    "expired_on_confirmation": "yoo_money",
}
# The emulated cash register (ФН: 16 digits).
FISCAL_STORAGE_NUMBER = "9960440300123456"


def now_iso() -> str:
    moment = datetime.datetime.now(datetime.UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def object_id(prefix: str = "2") -> str:
    """An id shaped like ЮKassa's: 8-4-4-4-12 hexadecimal, 36 characters."""
    raw = uuid.uuid4().hex
    return f"{prefix}{raw[1:8]}-000f-5000-{raw[8:12]}-{raw[12:24]}"


@dataclass
class Shop:
    payments: dict[str, dict] = field(default_factory=dict)
    refunds: dict[str, dict] = field(default_factory=dict)
    methods: dict[str, dict] = field(default_factory=dict)
    receipts: dict[str, dict] = field(default_factory=dict)
    # Idempotence-Key → (request fingerprint, status code, answer): a repeat gets the same answer.
    keys: dict[str, tuple[str, int, dict]] = field(default_factory=dict)
    # method id → the behaviour of its later autopayments (the card behind it)
    method_behaviour: dict[str, str] = field(default_factory=dict)
    fiscal_counter: int = 0


@dataclass
class Faults:
    """Faults on demand (tests, through /_control/faults): the next `count` API calls sleep
    `delay` seconds first, answer `status` (500…), or give a payment an unknown status."""

    mode: str = ""
    count: int = 0
    delay: float = 0.0


SHOPS: dict[str, Shop] = {}
FAULTS = Faults()


def shop(shop_id: str) -> Shop:
    with LOCK:
        return SHOPS.setdefault(shop_id, Shop())


def reset() -> None:
    with LOCK:
        SHOPS.clear()
        FAULTS.mode, FAULTS.count, FAULTS.delay = "", 0, 0.0


def fault_take() -> tuple[str, float]:
    with LOCK:
        if FAULTS.count <= 0 or FAULTS.mode == "refund_canceled":  # taken by refunds only
            return "", 0.0
        FAULTS.count -= 1
        return FAULTS.mode, FAULTS.delay


def fingerprint(body: dict) -> str:
    return hashlib.sha256(repr(sorted(body.items())).encode()).hexdigest()


def money(value: Decimal) -> dict:
    return {"value": f"{value:.2f}", "currency": "RUB"}


def public(obj: dict) -> dict:
    """An object as the API shows it (our private fields start with "_")."""
    return {k: copy.deepcopy(v) for k, v in obj.items() if not k.startswith("_")}


def register_receipt(shop_state: Shop, *, kind: str, data: dict, payment_id: str, refund_id: str):
    """A receipt registered with well-formed, made-up fiscal attributes (ФН 16 digits, ФД a
    counter, ФП 10 digits derived from the rest)."""
    shop_state.fiscal_counter += 1
    number = shop_state.fiscal_counter
    registered_at = now_iso()
    attribute = int(hashlib.sha256(f"{payment_id}{refund_id}{number}".encode()).hexdigest(), 16)
    receipt = {
        "id": object_id("3"),
        "type": kind,
        "payment_id": payment_id,
        "status": "succeeded",
        "fiscal_document_number": str(number),
        "fiscal_storage_number": FISCAL_STORAGE_NUMBER,
        "fiscal_attribute": str(attribute % 10**10).rjust(10, "1"),
        "registered_at": registered_at,
        "fiscal_provider_id": object_id("f"),
        "items": copy.deepcopy(data.get("items") or []),
        "tax_system_code": data.get("tax_system_code"),
        "_customer": copy.deepcopy(data.get("customer") or {}),
    }
    if refund_id:
        receipt["refund_id"] = refund_id
    shop_state.receipts[receipt["id"]] = receipt
    return receipt
