"""ЮKassa's HTTP API v3, emulated (yookassa.ru/developers/api): payments (create, list, get,
capture, cancel), refunds (create, list, get), saved payment methods (get) and receipts (create,
list, get). Basic auth by shop id and secret key (the portal's own settings are the emulated
shop's), an Idempotence-Key on every POST (a repeat with the same body gets the first answer,
another body under the same key is refused), errors as ЮKassa's {"type": "error", "code", …}.

A shop with «Чеки от ЮKassa» connected: every payment and refund must carry a receipt whose
items add up to its amount; the receipt is registered when the money moves (a payment's capture,
a refund) with made-up, well-formed fiscal attributes. Notifications go to
settings.YOOKASSA_EMULATOR_NOTIFY_URL (the portal's webhook) when set.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import threading
import time
from decimal import Decimal, InvalidOperation

import requests
from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt

from . import state
from .state import LOCK, money, now_iso, object_id, public

logger = logging.getLogger(__name__)

VAT_CODES = set(range(1, 13))
PAYMENT_MODES = {
    "full_prepayment",
    "partial_prepayment",
    "advance",
    "full_payment",
    "partial_payment",
    "credit",
    "credit_payment",
}
PAYMENT_SUBJECTS = {
    "commodity",
    "excise",
    "job",
    "service",
    "gambling_bet",
    "gambling_prize",
    "lottery",
    "lottery_prize",
    "intellectual_activity",
    "payment",
    "agent_commission",
    "property_right",
    "non_operating_gain",
    "insurance_premium",
    "sales_tax",
    "resort_fee",
    "composite",
    "another",
}
CHECKOUT_TYPES = {"bank_card", "sbp", "sberbank"}


class ApiError(Exception):
    def __init__(self, status: int, code: str, description: str, parameter: str = ""):
        super().__init__(description)
        self.status, self.code, self.description, self.parameter = (
            status,
            code,
            description,
            parameter,
        )

    def response(self) -> JsonResponse:
        body = {
            "type": "error",
            "id": object_id("e"),
            "code": self.code,
            "description": self.description,
        }
        if self.parameter:
            body["parameter"] = self.parameter
        return JsonResponse(body, status=self.status)


def _bad(description: str, parameter: str = "") -> ApiError:
    return ApiError(400, "invalid_request", description, parameter)


def _authenticated(request: HttpRequest) -> str:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    try:
        shop_id, _, secret = base64.b64decode(token).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        shop_id, secret = "", ""
    if (
        scheme != "Basic"
        or shop_id != str(settings.YOOKASSA_SHOP_ID)
        or secret != settings.YOOKASSA_SECRET_KEY
    ):
        raise ApiError(401, "invalid_credentials", "Login or password is incorrect")
    return shop_id


def _amount(value, parameter: str) -> Decimal:
    try:
        amount = Decimal(str(value["value"]))
        currency = value["currency"]
    except (KeyError, TypeError, InvalidOperation) as error:
        raise _bad("Invalid amount", parameter) from error
    if currency != "RUB":
        raise _bad("Currency is not supported", f"{parameter}.currency")
    if amount <= 0 or amount != amount.quantize(Decimal("0.01")):
        raise _bad("Invalid amount value", f"{parameter}.value")
    return amount


def _receipt_checked(receipt, amount: Decimal) -> dict:
    """A 54-ФЗ receipt as «Чеки от ЮKassa» accept it: a customer's e-mail or phone, items with
    vat_code, payment_mode and payment_subject from the dictionaries, adding up to the amount."""
    if not isinstance(receipt, dict):
        raise _bad("Receipt is missing or illegal", "receipt")
    customer = receipt.get("customer") or {}
    if not (customer.get("email") or customer.get("phone")):
        raise _bad("Receipt customer's email or phone is required", "receipt.customer")
    items = receipt.get("items")
    if not isinstance(items, list) or not items or len(items) > 100:
        raise _bad("Receipt items are missing", "receipt.items")
    total = Decimal("0")
    for index, item in enumerate(items):
        where = f"receipt.items[{index}]"
        if not isinstance(item, dict) or not str(item.get("description") or "").strip():
            raise _bad("Item description is required", f"{where}.description")
        if len(str(item["description"])) > 128:
            raise _bad("Item description is too long", f"{where}.description")
        try:
            quantity = Decimal(str(item.get("quantity")))
        except InvalidOperation as error:
            raise _bad("Invalid quantity", f"{where}.quantity") from error
        price = _amount(item.get("amount"), f"{where}.amount")
        if item.get("vat_code") not in VAT_CODES:
            raise _bad("Invalid vat_code", f"{where}.vat_code")
        if item.get("payment_mode") not in PAYMENT_MODES:
            raise _bad("Invalid payment_mode", f"{where}.payment_mode")
        if item.get("payment_subject") not in PAYMENT_SUBJECTS:
            raise _bad("Invalid payment_subject", f"{where}.payment_subject")
        total += price * quantity
    if total.quantize(Decimal("0.01")) != amount:
        raise _bad("Sum of receipt items does not equal the amount", "receipt.items")
    if receipt.get("tax_system_code") not in range(1, 7):
        raise _bad("Invalid tax_system_code", "receipt.tax_system_code")
    return receipt


def _body(request: HttpRequest) -> dict:
    try:
        body = json.loads(request.body or b"{}")
    except ValueError as error:
        raise _bad("Request body is not JSON") from error
    if not isinstance(body, dict):
        raise _bad("Request body is not an object")
    return body


def notify(event: str, obj: dict) -> None:
    """The notification ЮKassa would send, from a thread (it is not part of the API answer)."""
    url = settings.YOOKASSA_EMULATOR_NOTIFY_URL
    if not url:
        return
    payload = {"type": "notification", "event": event, "object": public(obj)}

    def send() -> None:
        try:
            requests.post(url, json=payload, timeout=10)
        except requests.RequestException as error:
            logger.warning("emulator notification %s not delivered: %s", event, error)

    threading.Thread(target=send, daemon=True).start()


# --- payments ---------------------------------------------------------------------------------


def payment_succeed(shop: state.Shop, payment: dict) -> None:
    """The money is taken: succeeded, its receipt registered, the shop notified."""
    payment.update(status="succeeded", paid=True, captured_at=now_iso())
    payment.pop("confirmation", None)
    payment.pop("expires_at", None)
    receipt = payment.get("_receipt")
    if receipt:
        state.register_receipt(
            shop, kind="payment", data=receipt, payment_id=payment["id"], refund_id=""
        )
        payment["receipt_registration"] = "succeeded"
    payment["income_amount"] = payment["amount"]
    notify("payment.succeeded", payment)


def payment_authorise(shop: state.Shop, payment: dict) -> None:
    if payment["_capture"]:
        payment_succeed(shop, payment)
        return
    payment.update(status="waiting_for_capture", paid=True)
    payment.pop("confirmation", None)
    payment["expires_at"] = now_iso()
    notify("payment.waiting_for_capture", payment)


def payment_cancel(payment: dict, reason: str) -> None:
    payment.update(
        status="canceled",
        paid=False,
        cancellation_details={
            "party": state.REASON_PARTY.get(reason, "yoo_money"),
            "reason": reason,
        },
    )
    payment.pop("confirmation", None)
    payment.pop("expires_at", None)
    if payment.get("_receipt"):
        payment["receipt_registration"] = "canceled"
    notify("payment.canceled", payment)


def method_save(shop: state.Shop, payment: dict, *, card: dict | None, behaviour: str) -> None:
    """The method that paid, saved for autopayments when the payment asked for it."""
    method = {
        "type": payment["payment_method"]["type"],
        "id": payment["payment_method"]["id"],
        "saved": bool(payment["_save"]),
        "status": "active" if payment["_save"] else "inactive",
    }
    if card:
        method["card"] = card
        method["title"] = f"Bank card *{card['last4']}"
    payment["payment_method"] = method
    if payment["_save"]:
        shop.methods[method["id"]] = dict(method)
        shop.method_behaviour[method["id"]] = behaviour


def _payment_create(shop: state.Shop, body: dict, base_url: str) -> dict:
    amount = _amount(body.get("amount"), "amount")
    metadata = body.get("metadata") or {}
    if not isinstance(metadata, dict) or len(metadata) > 16:
        raise _bad("Invalid metadata", "metadata")
    receipt = _receipt_checked(body.get("receipt"), amount)
    capture = bool(body.get("capture", False))
    payment = {
        "id": object_id(),
        "status": "pending",
        "paid": False,
        "amount": money(amount),
        "description": str(body.get("description") or "")[:128],
        "recipient": {"account_id": next(iter(state.SHOPS.keys() or ["0"])), "gateway_id": "1"},
        "created_at": now_iso(),
        "test": True,
        "refunded_amount": money(Decimal("0")),
        "refundable": False,
        "metadata": {str(k): str(v) for k, v in metadata.items()},
        "_capture": capture,
        "_save": bool(body.get("save_payment_method")),
        "_receipt": receipt,
        "receipt_registration": "pending",
    }
    method_id = body.get("payment_method_id")
    if method_id:
        method = shop.methods.get(str(method_id))
        if method is None or not method.get("saved"):
            raise _bad("Payment method is not found or not saved", "payment_method_id")
        payment["payment_method"] = dict(method)
        shop.payments[payment["id"]] = payment
        behaviour = shop.method_behaviour.get(method["id"], "success")
        if behaviour == "success":
            payment_authorise(shop, payment)
        elif behaviour != "wait":
            payment_cancel(payment, behaviour)
        return payment
    confirmation = body.get("confirmation") or {}
    if confirmation.get("type") != "redirect" or not str(
        confirmation.get("return_url") or ""
    ).startswith(("http://", "https://")):
        raise _bad("Confirmation redirect with a return_url is required", "confirmation")
    method_type = (body.get("payment_method_data") or {}).get("type", "bank_card")
    if method_type not in CHECKOUT_TYPES:
        raise _bad("Payment method type is not supported", "payment_method_data.type")
    if payment["_save"] and method_type not in ("bank_card", "sberbank"):
        raise _bad("This payment method cannot be saved", "save_payment_method")
    payment["payment_method"] = {"type": method_type, "id": object_id(), "saved": False}
    payment["confirmation"] = {
        "type": "redirect",
        "return_url": confirmation["return_url"],
        "confirmation_url": base_url + reverse("yookassa_emulator:checkout", args=[payment["id"]]),
    }
    payment["_return_url"] = confirmation["return_url"]
    shop.payments[payment["id"]] = payment
    return payment


def _fault_answer() -> JsonResponse | None:
    mode, delay = state.fault_take()
    if mode == "timeout":
        time.sleep(delay)  # the request is processed; the client stopped waiting
        return None
    if mode.isdigit():
        return JsonResponse(
            {"type": "error", "id": object_id("e"), "code": "internal_server_error"},
            status=int(mode),
        )
    if mode == "unknown_status":
        return JsonResponse({"unknown_status": True})  # marker, replaced by the caller
    return None


def _api(view):
    """Auth, faults on demand, errors in ЮKassa's shape, idempotence for POSTs."""

    @csrf_exempt
    def wrapped(request: HttpRequest, *args, **kwargs) -> JsonResponse:
        try:
            shop_id = _authenticated(request)
            fault = _fault_answer()
            if fault is not None and fault.status_code != 200:
                return fault
            with LOCK:
                shop = state.shop(shop_id)
                if request.method == "POST":
                    key = request.headers.get("Idempotence-Key", "")
                    if not key or len(key) > 64:
                        raise _bad("Idempotence-Key header is missing or too long")
                    body = _body(request)
                    print_ = state.fingerprint({"path": request.path, **body})
                    if key in shop.keys:
                        seen, status, answer = shop.keys[key]
                        if seen != print_:
                            raise _bad("Idempotence key duplicated with another request")
                        return JsonResponse(answer, status=status)
                    try:
                        answer = view(request, shop, body, *args, **kwargs)
                    except ApiError as error:
                        shop.keys[key] = (
                            print_,
                            error.status,
                            json.loads(error.response().content),
                        )
                        raise
                    shop.keys[key] = (print_, 200, answer)
                else:
                    answer = view(request, shop, None, *args, **kwargs)
            if fault is not None and answer.get("status") in state_statuses():
                answer = {**answer, "status": "processing_unknown"}
            return JsonResponse(answer)
        except ApiError as error:
            return error.response()

    return wrapped


def state_statuses() -> tuple[str, ...]:
    return ("pending", "waiting_for_capture", "succeeded", "canceled")


def _payment(shop: state.Shop, payment_id: str) -> dict:
    payment = shop.payments.get(payment_id)
    if payment is None:
        raise ApiError(404, "not_found", "Payment not found")
    return payment


def _listing(objects: list[dict], request: HttpRequest) -> dict:
    try:
        limit = max(1, min(100, int(request.GET.get("limit", 10))))
        offset = int(request.GET.get("cursor") or 0)
    except ValueError as error:
        raise _bad("Invalid limit or cursor") from error
    objects = sorted(objects, key=lambda o: o["created_at"], reverse=True)
    if request.GET.get("created_at.gte"):
        objects = [o for o in objects if o["created_at"] >= request.GET["created_at.gte"]]
    if request.GET.get("status"):
        objects = [o for o in objects if o["status"] == request.GET["status"]]
    page = objects[offset : offset + limit]
    answer: dict = {"type": "list", "items": [public(o) for o in page]}
    if offset + limit < len(objects):
        answer["next_cursor"] = str(offset + limit)
    return answer


@_api
def payments(request: HttpRequest, shop: state.Shop, body: dict | None) -> dict:
    if request.method == "POST":
        return public(_payment_create(shop, body, request.build_absolute_uri("/").rstrip("/")))
    if request.method != "GET":
        raise ApiError(405, "invalid_request", "Method not allowed")
    return _listing(list(shop.payments.values()), request)


@_api
def payment(request: HttpRequest, shop: state.Shop, body, payment_id: str) -> dict:
    return public(_payment(shop, payment_id))


@_api
def payment_capture(request: HttpRequest, shop: state.Shop, body, payment_id: str) -> dict:
    found = _payment(shop, payment_id)
    if found["status"] != "waiting_for_capture":
        raise _bad("Payment is not waiting for capture")
    payment_succeed(shop, found)
    return public(found)


@_api
def payment_cancel_view(request: HttpRequest, shop: state.Shop, body, payment_id: str) -> dict:
    found = _payment(shop, payment_id)
    if found["status"] != "waiting_for_capture":
        raise _bad("Only a payment waiting for capture can be canceled")
    payment_cancel(found, "canceled_by_merchant")
    return public(found)


# --- refunds ----------------------------------------------------------------------------------


@_api
def refunds(request: HttpRequest, shop: state.Shop, body: dict | None) -> dict:
    if request.method == "GET":
        found = list(shop.refunds.values())
        if request.GET.get("payment_id"):
            found = [r for r in found if r["payment_id"] == request.GET["payment_id"]]
        return _listing(found, request)
    paid = _payment(shop, str(body.get("payment_id") or ""))
    amount = _amount(body.get("amount"), "amount")
    if paid["status"] != "succeeded":
        raise _bad("Payment is not succeeded", "payment_id")
    refunded = Decimal(paid["refunded_amount"]["value"])
    if refunded + amount > Decimal(paid["amount"]["value"]):
        raise _bad("Refund amount exceeds the payment's", "amount")
    receipt = _receipt_checked(body.get("receipt"), amount) if paid.get("_receipt") else None
    metadata = body.get("metadata") or {}
    refund = {
        "id": object_id("1"),
        "payment_id": paid["id"],
        "status": "succeeded",
        "created_at": now_iso(),
        "amount": money(amount),
        "description": str(body.get("description") or "")[:250],
        "metadata": {str(k): str(v) for k, v in metadata.items()},
    }
    behaviour = state.FAULTS.mode if state.FAULTS.mode == "refund_canceled" else ""
    if behaviour and state.FAULTS.count > 0:
        state.FAULTS.count -= 1
        refund["status"] = "canceled"
        refund["cancellation_details"] = {"party": "yoo_money", "reason": "rejected_by_payee"}
    else:
        paid["refunded_amount"] = money(refunded + amount)
        if receipt:
            state.register_receipt(
                shop, kind="refund", data=receipt, payment_id=paid["id"], refund_id=refund["id"]
            )
            refund["receipt_registration"] = "succeeded"
    shop.refunds[refund["id"]] = refund
    notify(f"refund.{refund['status']}", refund)
    return public(refund)


@_api
def refund(request: HttpRequest, shop: state.Shop, body, refund_id: str) -> dict:
    found = shop.refunds.get(refund_id)
    if found is None:
        raise ApiError(404, "not_found", "Refund not found")
    return public(found)


# --- methods and receipts ---------------------------------------------------------------------


@_api
def payment_method(request: HttpRequest, shop: state.Shop, body, method_id: str) -> dict:
    found = shop.methods.get(method_id)
    if found is None:
        raise ApiError(404, "not_found", "Payment method not found")
    return public(found)


@_api
def receipts(request: HttpRequest, shop: state.Shop, body: dict | None) -> dict:
    if request.method == "GET":
        payment_id, refund_id = request.GET.get("payment_id"), request.GET.get("refund_id")
        if not (payment_id or refund_id):
            raise _bad("payment_id or refund_id is required")
        found = [
            r
            for r in shop.receipts.values()
            if (refund_id and r.get("refund_id") == refund_id)
            or (payment_id and not refund_id and r["payment_id"] == payment_id)
        ]
        for item in found:
            item.setdefault("created_at", item["registered_at"])
        return _listing(found, request)
    # A receipt after the payment (a separate «чек прихода» or «чек возврата»).
    kind = body.get("type")
    if kind not in ("payment", "refund"):
        raise _bad("Invalid receipt type", "type")
    paid = _payment(shop, str(body.get("payment_id") or ""))
    total = sum(
        (Decimal(str(i["amount"]["value"])) * Decimal(str(i.get("quantity", 1)))
         for i in body.get("items") or []),
        Decimal("0"),
    )  # fmt: skip
    _receipt_checked({**body, "customer": body.get("customer") or {}}, total)
    receipt = state.register_receipt(
        shop,
        kind=kind,
        data=body,
        payment_id=paid["id"],
        refund_id=str(body.get("refund_id") or ""),
    )
    return public(receipt)


@_api
def receipt(request: HttpRequest, shop: state.Shop, body, receipt_id: str) -> dict:
    found = shop.receipts.get(receipt_id)
    if found is None:
        raise ApiError(404, "not_found", "Receipt not found")
    return public(found)
