"""The provider's webhooks at a fixed URL: the signature is checked on the raw body."""

from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from .gateways.base import InvalidSignature
from .services import webhook_process


@csrf_exempt
@require_POST
def stripe_webhook(request: HttpRequest) -> HttpResponse:
    try:
        webhook_process(payload=request.body, signature=request.headers.get("Stripe-Signature", ""))
    except InvalidSignature:
        return HttpResponse(status=400)
    return HttpResponse(status=200)
