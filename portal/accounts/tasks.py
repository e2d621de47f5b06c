from celery import shared_task

from gateways.fcm import FcmError
from gateways.webpush import PushError


@shared_task(autoretry_for=(PushError, FcmError), retry_backoff=60, max_retries=5)
def push_send_task(subscription_id: int, message: dict) -> int | None:
    """One push to one browser or store app (safe to run twice: a repeated push is the same
    message)."""
    from .services.notifications import push_send

    return push_send(subscription_id=subscription_id, message=message)


@shared_task
def sms_notify_task(user_id: int, text: str) -> None:
    """A notification by SMS to the person's confirmed phone."""
    from .models import User
    from .sms import sms_send

    user = User.objects.filter(pk=user_id, is_active=True, phone_confirmed_at__isnull=False).first()
    if user is not None and user.phone:
        sms_send(phone=user.phone, text=text)


@shared_task
def identifier_change_requested_notify_task(request_id: int) -> None:
    """Support wrote a request to change the person's e-mail or phone: they are told."""
    from .services.identity import identifier_change_requested_notify

    identifier_change_requested_notify(request_id=request_id)


@shared_task
def identifier_changed_notify_task(request_id: int, before: str) -> None:
    """The person confirmed the change: told at the new and the old e-mail address or phone."""
    from .services.identity import identifier_changed_notify

    identifier_changed_notify(request_id=request_id, before=before)
