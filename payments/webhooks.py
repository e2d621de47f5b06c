"""The provider's webhooks at a fixed URL: the signature is checked on the raw body, then the
event's object is asked of the provider again (services.webhook_process)."""

import logging

from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from gateways.payments_base import GatewayError, InvalidSignature

from .services import webhook_process

logger = logging.getLogger(__name__)


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
