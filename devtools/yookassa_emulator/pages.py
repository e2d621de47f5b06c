"""The confirmation page that stands in for ЮKassa's (the person's side of a redirect payment),
and the control endpoints tests use to settle waiting payments and inject faults."""

from __future__ import annotations

import json
import re

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from . import api, state
from .state import LOCK


def _shop_payment(payment_id: str) -> tuple[state.Shop, dict]:
    shop = state.shop(str(settings.YOOKASSA_SHOP_ID))
    payment = shop.payments.get(payment_id)
    if payment is None:
        raise Http404
    return shop, payment


def _card(number: str, month: str, year: str) -> dict:
    return {
        "first6": number[:6],
        "last4": number[-4:],
        "expiry_month": month.zfill(2),
        "expiry_year": year if len(year) == 4 else f"20{year}",
        "card_type": state.SUCCESS_CARDS.get(
            number, "Mir" if number.startswith("22") else "Unknown"
        ),
        "issuer_country": "RU",
    }


@csrf_exempt  # ЮKassa's page on ЮKassa's domain: our CSRF cookie has no place there
def checkout(request: HttpRequest, payment_id: str) -> HttpResponse:
    """ЮKassa's payment page: a card form (test cards listed), or СБП / SberPay buttons."""
    with LOCK:
        shop, payment = _shop_payment(payment_id)
        error = ""
        if request.method == "POST" and payment["status"] == "pending":
            action = request.POST.get("action", "pay")
            method_type = payment["payment_method"]["type"]
            if action == "cancel":
                api.payment_cancel(payment, "expired_on_confirmation")
            elif method_type == "bank_card":
                number = re.sub(r"\D", "", request.POST.get("number", ""))
                expiry = re.sub(r"[^\d/]", "", request.POST.get("expiry", ""))
                month, _, year = expiry.partition("/")
                if len(number) < 16 or not (month.isdigit() and year.isdigit()):
                    error = "Проверьте номер карты и срок действия"
                elif number == state.WAIT_CARD:
                    payment["_card_waiting"] = True  # the bank takes its time
                elif number in state.DECLINE_CARDS:
                    api.payment_cancel(payment, state.DECLINE_CARDS[number])
                else:
                    api.method_save(
                        shop, payment, card=_card(number, month, year), behaviour="success"
                    )
                    api.payment_authorise(shop, payment)
            else:  # СБП, SberPay: the bank's app confirmed
                api.method_save(shop, payment, card=None, behaviour="success")
                if method_type == "sbp":
                    payment["payment_method"]["sbp_operation_id"] = state.object_id("5")
                api.payment_authorise(shop, payment)
            if not error:
                return HttpResponseRedirect(payment["_return_url"])
        context = {
            "payment": state.public(payment),
            "method_type": payment["payment_method"]["type"],
            "return_url": payment["_return_url"],
            "success_cards": state.SUCCESS_CARDS,
            "decline_cards": state.DECLINE_CARDS,
            "wait_card": state.WAIT_CARD,
            "error": error,
        }
    return render(request, "yookassa_emulator/checkout.html", context)


@csrf_exempt
@require_POST
def control(request: HttpRequest, what: str) -> JsonResponse:
    """Tests' levers: reset, faults, settle a waiting payment, change a saved card's fate."""
    try:
        body = json.loads(request.body or b"{}")
    except ValueError:
        return JsonResponse({"error": "not JSON"}, status=400)
    with LOCK:
        shop = state.shop(str(settings.YOOKASSA_SHOP_ID))
        if what == "reset":
            state.reset()
        elif what == "faults":
            state.FAULTS.mode = str(body.get("mode", ""))
            state.FAULTS.count = int(body.get("count", 1))
            state.FAULTS.delay = float(body.get("delay", 0))
        elif what == "settle":
            payment = shop.payments.get(str(body.get("payment_id")))
            if payment is None or payment["status"] != "pending":
                return JsonResponse({"error": "no pending payment"}, status=404)
            reason = str(body.get("reason") or "")
            if reason:
                api.payment_cancel(payment, reason)
            else:
                api.payment_authorise(shop, payment)
        elif what == "method":
            method_id = str(body.get("payment_method_id"))
            if method_id not in shop.methods:
                return JsonResponse({"error": "no such method"}, status=404)
            shop.method_behaviour[method_id] = str(body.get("behaviour", "success"))
        else:
            return JsonResponse({"error": "unknown"}, status=404)
    return JsonResponse({"ok": True})
