"""ЮKassa (API v3) behind the gateway interface, with the official `yookassa` SDK.

The SDK builds and validates the requests (PaymentRequest, RefundRequest…), adds its basic auth
(shop id + secret key) and its user agent; its HTTP layer is replaced by `PortalApiClient`,
because the SDK's own sets no request timeout (its `Configuration.timeout` is the pause between
its retries on HTTP 202), mounts its retries for https only and turns a refused connection into
an unrelated AttributeError. Ours: a real timeout on every call, our own retries (a network
failure, a 5xx, a 202 — always with the same Idempotence-Key, which ЮKassa documents as safe),
and every failure turned into the interface's GatewayError / ObjectNotFound / GatewayRefused.

ЮKassa has no customers: `customer_create` returns our own reference, which every payment
carries in its metadata (`customer`), so a payment is matched to its enrollment or purchase as
a Stripe customer would be. A card is saved by a first payment (`save_payment_method: true`,
capture false, settings.YOOKASSA_CARD_CHECK_AMOUNT) that the person confirms on ЮKassa's page;
once authorised its `payment_method.id` is kept and the authorisation cancelled (the money
returns). Notifications are not signed: `webhook_event` only reads which object they name; the
router accepts them from ЮKassa's networks only and asks for the object again.
"""

from __future__ import annotations

import json
import logging
import time
from decimal import Decimal

import requests
from django.conf import settings
from yookassa import Configuration, Payment, PaymentMethod, Receipt, Refund
from yookassa.client import ApiClient
from yookassa.domain.request import PaymentRequest, RefundRequest

from .payments_base import (
    FiscalReceipt,
    Gateway,
    GatewayError,
    GatewayRefused,
    InvalidSignature,
    ObjectNotFound,
    PaymentResult,
    PaymentStatus,
    ReceiptData,
    RefundResult,
    RefundStatus,
    SavedCard,
    WebhookEvent,
    WebhookObject,
)

logger = logging.getLogger(__name__)

RETRY_STATUSES = {202, 500, 502, 503, 504}
# Every cancellation_details.reason ЮKassa documents (the emulator declines with each).
CANCELLATION_REASONS = (
    "3d_secure_failed",
    "call_issuer",
    "canceled_by_merchant",
    "card_expired",
    "country_forbidden",
    "expired_on_capture",
    "expired_on_confirmation",
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
    "unsupported_mobile_operator",
)
PAYMENT_STATUSES = ("pending", "waiting_for_capture", "succeeded", "canceled")


class PortalApiClient(ApiClient):
    """The SDK's client with our HTTP: a timeout per request, our retries, our errors."""

    def request(self, method="", path="", query_params=None, headers=None, body=None):
        if body is not None and hasattr(body, "validate"):
            body.validate()
            body = dict(body)
        request_headers = self.prepare_request_headers(headers)
        attempts = 1 + max(0, settings.YOOKASSA_RETRIES)
        last: Exception | None = None
        for attempt in range(attempts):
            if attempt:
                time.sleep(settings.YOOKASSA_RETRY_PAUSE_SECONDS * attempt)
            try:
                response = requests.request(
                    method,
                    self.endpoint + path,
                    params=query_params,
                    headers=request_headers,
                    json=body,
                    timeout=settings.YOOKASSA_TIMEOUT_SECONDS,
                    allow_redirects=False,
                )
            except requests.RequestException as error:
                last = error
                continue
            if response.status_code in RETRY_STATUSES:
                last = GatewayError(f"ЮKassa answered HTTP {response.status_code}")
                continue
            return _answer(response)
        raise GatewayError(f"ЮKassa {method} {path}: {type(last).__name__}: {last}")


def _answer(response: requests.Response) -> dict:
    try:
        data = response.json()
    except ValueError as error:
        raise GatewayError(f"ЮKassa answered HTTP {response.status_code}, not JSON") from error
    if not isinstance(data, dict):
        raise GatewayError("ЮKassa answered something that is not an object")
    if response.status_code == 200:
        return data
    description = f"{data.get('code', '')}: {data.get('description', '')}"
    if response.status_code == 404:
        raise ObjectNotFound(description)
    if response.status_code in (400, 403, 422):
        raise GatewayRefused(description)
    raise GatewayError(f"ЮKassa answered HTTP {response.status_code} ({description})")


def _client() -> PortalApiClient:
    Configuration.configure(
        settings.YOOKASSA_SHOP_ID,
        settings.YOOKASSA_SECRET_KEY,
        api_url=settings.YOOKASSA_API_URL.rstrip("/"),
        max_attempts=0,
    )
    return PortalApiClient()


def _call(method: str, path: str, *, body=None, params=None, key: str = "") -> dict:
    headers = {"Idempotence-Key": key} if key else None
    try:
        return _client().request(method, path, params, headers, body)
    except GatewayError:
        raise
    except (ValueError, TypeError, KeyError) as error:  # the SDK refused our own request
        raise GatewayError(f"ЮKassa request not built: {error}") from error


def _money(amount: Decimal) -> dict:
    return {"value": f"{amount.quantize(Decimal('0.01'))}", "currency": "RUB"}


def _receipt(receipt: ReceiptData) -> dict:
    customer = {"email": receipt.email} if receipt.email else {}
    if receipt.phone:
        customer["phone"] = receipt.phone.lstrip("+")
    return {
        "customer": customer,
        "tax_system_code": receipt.tax_system_code,
        "items": [
            {
                "description": item.description[:128],
                "quantity": f"{item.quantity:.2f}",
                "amount": _money(item.amount),
                "vat_code": item.vat_code,
                "payment_mode": item.payment_mode,
                "payment_subject": item.payment_subject,
            }
            for item in receipt.items
        ],
    }


def _amount(obj: dict) -> Decimal | None:
    amount = obj.get("amount") or {}
    try:
        return Decimal(str(amount["value"]))
    except (KeyError, TypeError, ArithmeticError):
        return None


def payment_result(payment: dict) -> PaymentResult:
    """A ЮKassa payment in the interface's terms. An unknown status raises GatewayError: the
    outcome is unknown, the charge stays in doubt."""
    status = payment.get("status")
    if status not in PAYMENT_STATUSES:
        raise GatewayError(f"ЮKassa payment {payment.get('id')!r} in an unknown status {status!r}")
    confirmation = payment.get("confirmation") or {}
    confirmation_url = confirmation.get("confirmation_url") or ""
    if status == "succeeded":
        result_status = PaymentStatus.SUCCEEDED
    elif status == "canceled":
        result_status = PaymentStatus.DECLINED
    elif status == "pending" and confirmation_url:
        result_status = PaymentStatus.REQUIRES_ACTION
    else:  # pending without a confirmation (a receipt being registered), waiting_for_capture
        result_status = PaymentStatus.PROCESSING
    metadata = {str(k): str(v) for k, v in (payment.get("metadata") or {}).items()}
    method = payment.get("payment_method") or {}
    amount = payment.get("amount") or {}
    return PaymentResult(
        status=result_status,
        payment_id=str(payment.get("id") or ""),
        decline_code=str((payment.get("cancellation_details") or {}).get("reason") or ""),
        amount=_amount(payment),
        metadata=metadata,
        currency=str(amount.get("currency") or "").upper(),
        customer_id=metadata.get("customer", ""),
        confirmation_url=confirmation_url if status == "pending" else "",
        payment_method_id=str(method.get("id") or "") if method.get("saved") else "",
        method_type=str(method.get("type") or ""),
    )


def refund_result(refund: dict) -> RefundResult:
    status = refund.get("status")
    if status == "succeeded":
        result_status = RefundStatus.SUCCEEDED
    elif status == "canceled":
        result_status = RefundStatus.FAILED
    elif status == "pending":
        result_status = RefundStatus.PENDING
    else:
        raise GatewayError(f"ЮKassa refund {refund.get('id')!r} in an unknown status {status!r}")
    amount = refund.get("amount") or {}
    return RefundResult(
        status=result_status,
        refund_id=str(refund.get("id") or ""),
        amount=_amount(refund),
        failure_code=str((refund.get("cancellation_details") or {}).get("reason") or ""),
        metadata={str(k): str(v) for k, v in (refund.get("metadata") or {}).items()},
        payment_id=str(refund.get("payment_id") or ""),
        currency=str(amount.get("currency") or "").upper(),
    )


def fiscal_receipt(receipt: dict) -> FiscalReceipt:
    return FiscalReceipt(
        receipt_id=str(receipt.get("id") or ""),
        kind=str(receipt.get("type") or ""),
        status=str(receipt.get("status") or ""),
        payment_id=str(receipt.get("payment_id") or ""),
        refund_id=str(receipt.get("refund_id") or ""),
        fiscal_storage_number=str(receipt.get("fiscal_storage_number") or ""),
        fiscal_document_number=str(receipt.get("fiscal_document_number") or ""),
        fiscal_attribute=str(receipt.get("fiscal_attribute") or ""),
        registered_at=str(receipt.get("registered_at") or ""),
    )


def _with_metadata(results: list, metadata: dict[str, str]) -> list:
    return [r for r in results if all(r.metadata.get(k) == v for k, v in metadata.items())]


def _listed(path: str, params: dict) -> list[dict]:
    """Every page of a ЮKassa list (`items`, `next_cursor`)."""
    items: list[dict] = []
    params = {**params, "limit": 100}
    for _page in range(50):
        page = _call("GET", path, params=params)
        items.extend(page.get("items") or [])
        cursor = page.get("next_cursor")
        if not cursor:
            break
        params = {**params, "cursor": cursor}
    return items


class YooKassaGateway(Gateway):
    name = "yookassa"
    confirmation = "redirect"
    fiscal = True
    checkout_methods = ("bank_card", "sbp", "sberbank")

    def customer_create(self, *, email: str, reference: str) -> str:
        return reference  # ЮKassa keeps no customers: our reference travels in the metadata

    def setup_intent_create(self, *, customer_id: str) -> tuple[str, str]:
        raise NotImplementedError("ЮKassa saves a card with checkout_create(save_method=True)")

    def setup_intent_payment_method(self, *, setup_intent_id: str, customer_id: str) -> str:
        """The method saved by the card-check payment `setup_intent_id` of this customer; the
        authorisation is cancelled (its money returns). ValueError when it saved none."""
        payment = _call("GET", f"{Payment.base_path}/{setup_intent_id}")
        result = payment_result(payment)
        # Cancelled by us after it saved the card (the notification came first and bound it):
        # the check did its work.
        released = payment.get("status") == "canceled" and result.decline_code == (
            "canceled_by_merchant"
        )
        if (
            result.customer_id != customer_id
            or not (payment.get("status") in ("waiting_for_capture", "succeeded") or released)
            or not result.payment_method_id
        ):
            raise ValueError("the payment saved no method of this customer")
        if payment.get("status") == "waiting_for_capture":
            try:
                _call(
                    "POST",
                    f"{Payment.base_path}/{setup_intent_id}/cancel",
                    body={},
                    key=f"card-check-cancel-{setup_intent_id}",
                )
            except GatewayError:
                # Not cancelled now: ЮKassa cancels an uncaptured payment itself after 7 days.
                logger.warning("card check %s not cancelled", setup_intent_id)
        return result.payment_method_id

    def payment_method_attach(self, *, payment_method_id: str, customer_id: str) -> SavedCard:
        method = _call("GET", f"{PaymentMethod.base_path}/{payment_method_id}")
        card = method.get("card") or {}
        return SavedCard(
            payment_method_id=str(method.get("id") or payment_method_id),
            customer_id=customer_id,
            brand=str(card.get("card_type") or method.get("type") or "")[:16],
            last4=str(card.get("last4") or "")[:4],
            exp_month=int(card.get("expiry_month") or 0),
            exp_year=int(card.get("expiry_year") or 0),
        )

    def payment_method_detach(self, *, payment_method_id: str) -> None:
        # ЮKassa has no call to forget a saved method: we stop using it (the id is dropped).
        return None

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
        """An autopayment with the saved method: no confirmation by the person."""
        params: dict = {
            "amount": _money(amount),
            "capture": True,
            "payment_method_id": payment_method_id,
            "description": (description or f"Оплата {metadata}")[:128],
            "metadata": {**metadata, "customer": customer_id},
        }
        if receipt is not None:
            params["receipt"] = _receipt(receipt)
        try:
            payment = _call(
                "POST", Payment.base_path, body=PaymentRequest(params), key=idempotency_key
            )
        except GatewayRefused as error:
            # Refused before any money moved (a method ЮKassa no longer knows, a bad request).
            return PaymentResult(
                status=PaymentStatus.DECLINED, decline_code="invalid_request", message=str(error)
            )
        return payment_result(payment)

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
        if method not in self.checkout_methods:
            raise ValueError(f"unknown payment method {method!r}")
        params: dict = {
            "amount": _money(amount),
            "capture": capture,
            "confirmation": {"type": "redirect", "return_url": return_url},
            "payment_method_data": {"type": method},
            "description": description[:128],
            "metadata": {**metadata, "customer": customer_id},
        }
        if save_method:
            params["save_payment_method"] = True
        if receipt is not None:
            params["receipt"] = _receipt(receipt)
        try:
            payment = _call(
                "POST", Payment.base_path, body=PaymentRequest(params), key=idempotency_key
            )
        except GatewayRefused as error:
            return PaymentResult(
                status=PaymentStatus.DECLINED, decline_code="invalid_request", message=str(error)
            )
        return payment_result(payment)

    def payment_retrieve(self, *, payment_id: str) -> PaymentResult:
        try:
            return payment_result(_call("GET", f"{Payment.base_path}/{payment_id}"))
        except GatewayRefused as error:
            raise ObjectNotFound(str(error)) from error

    def payment_cancel(self, *, payment_id: str) -> PaymentResult:
        """ЮKassa cancels only a payment waiting for capture; a pending one expires on its own
        (expired_on_confirmation) and is reported as it is."""
        try:
            return payment_result(
                _call(
                    "POST",
                    f"{Payment.base_path}/{payment_id}/cancel",
                    body={},
                    key=f"cancel-{payment_id}",
                )
            )
        except GatewayRefused:
            return self.payment_retrieve(payment_id=payment_id)

    def payments_find(self, *, customer_id: str, metadata: dict[str, str]) -> list[PaymentResult]:
        found = [payment_result(p) for p in _listed(Payment.base_path, {})]
        return _with_metadata(found, {**metadata, "customer": customer_id})

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
        params: dict = {
            "payment_id": payment_id,
            "amount": _money(amount),
            "description": (reason or "Возврат")[:250],
            "metadata": metadata,
        }
        if receipt is not None:
            params["receipt"] = _receipt(receipt)
        try:
            body = RefundRequest(params)
        except ValueError:
            return RefundResult(
                status=RefundStatus.FAILED, failure_code="invalid_request", metadata=metadata
            )
        try:
            refund = _call("POST", Refund.base_path, body=body, key=idempotency_key)
        except GatewayRefused as error:
            # Refused for good (more than was paid, a payment not succeeded): an answer.
            return RefundResult(
                status=RefundStatus.FAILED,
                failure_code=str(error).split(":", 1)[0] or "invalid_request",
                metadata=metadata,
            )
        return refund_result(refund)

    def refunds_find(self, *, payment_id: str, metadata: dict[str, str]) -> list[RefundResult]:
        found = [refund_result(r) for r in _listed(Refund.base_path, {"payment_id": payment_id})]
        return _with_metadata(found, metadata)

    def refund_retrieve(self, *, refund_id: str) -> RefundResult:
        try:
            return refund_result(_call("GET", f"{Refund.base_path}/{refund_id}"))
        except GatewayRefused as error:
            raise ObjectNotFound(str(error)) from error

    def receipts_find(self, *, payment_id: str = "", refund_id: str = "") -> list[FiscalReceipt]:
        params = {"refund_id": refund_id} if refund_id else {"payment_id": payment_id}
        return [fiscal_receipt(r) for r in _listed(Receipt.base_path, params)]

    def webhook_event(self, *, payload: bytes, signature: str) -> WebhookEvent:
        """A notification's body: which object it names. Unsigned, so nothing in it is
        believed: the router checks the sender's address and asks ЮKassa for the object."""
        try:
            body = json.loads(payload)
            event = str(body["event"])
            obj = body["object"]
            object_id = str(obj["id"])
        except (ValueError, KeyError, TypeError) as error:
            raise InvalidSignature(f"not a ЮKassa notification: {error!r}") from error
        if body.get("type") != "notification" or not object_id:
            raise InvalidSignature("not a ЮKassa notification")
        kind = event.split(".", 1)[0]
        object_kind = {"payment": WebhookObject.PAYMENT, "refund": WebhookObject.REFUND}.get(
            kind, WebhookObject.OTHER
        )
        claims: dict = {}
        if object_kind == WebhookObject.PAYMENT and isinstance(obj.get("amount"), dict):
            claims["amount"] = _amount(obj)
        return WebhookEvent(
            # ЮKassa's notifications have no id of their own: one per event and object.
            id=f"yookassa:{event}:{object_id}",
            type=event,
            object_kind=object_kind,
            object_id=object_id,
            claims=claims,
        )
