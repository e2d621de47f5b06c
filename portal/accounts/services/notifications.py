"""The person's notification channels and push subscriptions, and pushes sent through them.

Each kind of message (NotificationKind) comes by the channels the person chose on
/profile/notifications/ (or in the app); a kind never chosen has DEFAULT_CHANNELS. A push or an
SMS is queued through the transactional outbox (portal.core.outbox) in the transaction of the
write that caused it, so a broker that is down loses nothing, and sent by Celery, one task per
device, to each of the person's Web Push subscriptions (gateways.webpush) and store apps' FCM
tokens (gateways.fcm): the same message to both. A subscription the push service says is gone
(404, 410) and a token FCM calls UNREGISTERED are removed; a slow or failing service delays only
its own task."""

from __future__ import annotations

import logging
from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gateways import fcm, webpush
from portal.core import outbox

from ..models import NotificationKind, NotificationPreference, PushSubscription, User

logger = logging.getLogger(__name__)

CHANNELS = ("push", "sms", "email")
DEFAULT_CHANNELS = {"push": True, "sms": False, "email": True}
# Push services are on https; loopback only for the development emulator (devtools).
SECURE_ENDPOINTS = ("https://", "http://127.0.0.1:", "http://localhost:")


def notification_channels(user: User) -> dict[str, dict[str, bool]]:
    """Every kind of message with its channels (the person's choice or the defaults)."""
    chosen = {p.kind: p for p in NotificationPreference.objects.filter(user=user)}
    channels = {}
    for kind in NotificationKind.values:
        row = chosen.get(kind)
        channels[kind] = (
            {name: getattr(row, name) for name in CHANNELS} if row else dict(DEFAULT_CHANNELS)
        )
    return channels


def notification_wanted(user: User, kind: str, channel: str) -> bool:
    row = NotificationPreference.objects.filter(user=user, kind=kind).first()
    return getattr(row, channel) if row else DEFAULT_CHANNELS[channel]


@transaction.atomic
def notification_channels_set(*, user: User, channels: Mapping[str, Mapping[str, bool]]) -> None:
    for kind, chosen in channels.items():
        if kind not in NotificationKind.values:
            raise ValidationError({kind: [_("Нет такого вида сообщений")]})
        NotificationPreference.objects.update_or_create(
            user=user,
            kind=kind,
            defaults={name: bool(chosen.get(name, False)) for name in CHANNELS},
        )


@transaction.atomic
def push_subscription_save(
    *, user: User, kind: str, endpoint: str, p256dh: str = "", auth: str = "", label: str = ""
) -> PushSubscription:
    """Add (or move to this person: a device changes hands) a subscription."""
    if kind == PushSubscription.Kind.WEB and not endpoint.startswith(SECURE_ENDPOINTS):
        raise ValidationError({"endpoint": [_("Адрес push-сервиса должен начинаться с https://")]})
    if kind == PushSubscription.Kind.WEB and not (p256dh and auth):
        raise ValidationError({"keys": [_("Нужны ключи подписки p256dh и auth")]})
    subscription, _created = PushSubscription.objects.update_or_create(
        kind=kind,
        endpoint=endpoint,
        defaults={"user": user, "p256dh": p256dh, "auth": auth, "label": label[:120]},
    )
    subscription.full_clean()
    return subscription


def push_subscription_delete(*, user: User, endpoint: str) -> bool:
    deleted, _rows = PushSubscription.objects.filter(user=user, endpoint=endpoint).delete()
    return bool(deleted)


def notify(*, user: User | None, kind: str, title: str, body: str, url: str = "/") -> None:
    """A message of one kind by the channels the person chose besides e-mail (which the
    message's own sender gates with notification_wanted): push and SMS, after the commit."""
    if user is None or not user.is_active:
        return
    push_notify(user=user, kind=kind, title=title, body=body, url=url)
    if user.phone and notification_wanted(user, kind, "sms"):
        from ..tasks import sms_notify_task

        outbox.send(sms_notify_task, user.pk, f"{title}. {body}"[:300])


def _push_kinds() -> list[str]:
    """The kinds of subscription that can be sent to: those whose service is configured."""
    kinds = []
    if webpush.is_configured():
        kinds.append(PushSubscription.Kind.WEB)
    if fcm.is_configured():
        kinds.append(PushSubscription.Kind.FCM)
    return kinds


def push_notify(*, user: User, kind: str, title: str, body: str, url: str = "/") -> int:
    """Queue the push of one message to the person's browsers and store apps, if they want it by
    push; returns how many were queued."""
    from ..tasks import push_send_task

    kinds = _push_kinds()
    if not kinds or not notification_wanted(user, kind, "push"):
        return 0
    ids = list(
        PushSubscription.objects.filter(user=user, kind__in=kinds)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    message = {"title": title, "body": body, "url": url, "kind": kind}
    for pk in ids:
        outbox.send(push_send_task, pk, message)
    return len(ids)


def push_send(*, subscription_id: int, message: dict) -> int | None:
    """Send one push; a subscription the push service no longer knows is removed. Returns the
    push service's status (None: the subscription is gone already). A service that cannot be
    reached raises webpush.PushError or fcm.FcmError (the task tries again later)."""
    subscription = PushSubscription.objects.filter(pk=subscription_id).first()
    if subscription is None:
        return None
    if subscription.kind == PushSubscription.Kind.FCM:
        try:
            status = fcm.message_send(subscription.endpoint, message)
        except fcm.FcmRefused as error:
            logger.warning("FCM refused a push to subscription %s: %s", subscription_id, error)
            return error.status
        gone = status in fcm.GONE
    else:
        status = webpush.push_send(
            webpush.Subscription(subscription.endpoint, subscription.p256dh, subscription.auth),
            message,
        )
        gone = status in webpush.GONE
    if gone:
        subscription.delete()
        logger.info(
            "push subscription %s removed: the push service answered %s", subscription_id, status
        )
    else:
        PushSubscription.objects.filter(pk=subscription_id).update(last_sent_at=timezone.now())
    return status
