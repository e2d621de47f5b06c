"""«Мои документы» and «Личная информация» for the apps: the same composition as the pages."""

import datetime

from django.http import HttpRequest
from ninja import Router, Schema, Status

from cabinet.documents import documents_for_user
from portal.accounts.models import NotificationKind, PushSubscription
from portal.accounts.selectors import health_consent_given
from portal.accounts.services import (
    notification_channels,
    notification_channels_set,
    push_subscription_delete,
    push_subscription_save,
)
from portal.accounts.validators import mask_phone

from .errors import ApiError

router = Router(tags=["Профиль и документы"])


class DocumentOut(Schema):
    group: str
    title: str
    subtitle: str
    date: datetime.date | None = None
    state: str
    file_type: str
    web_url: str


class ProfileOut(Schema):
    email: str
    last_name: str
    first_name: str
    middle_name: str
    birth_date: datetime.date | None = None
    phone: str
    phone_confirmed: bool
    has_pin: bool
    health_consent: bool


@router.get("/documents/", response=list[DocumentOut], summary="Мои документы")
def documents(request: HttpRequest):
    return [
        {
            "group": entry.group,
            "title": entry.title,
            "subtitle": entry.subtitle,
            "date": entry.date,
            "state": entry.state,
            "file_type": entry.file_type,
            "web_url": request.build_absolute_uri(entry.url),
        }
        for group in documents_for_user(request.auth)
        for entry in group.entries
    ]


@router.get("/profile/", response=ProfileOut, summary="Личная информация")
def profile(request: HttpRequest):
    user = request.auth
    return {
        "email": user.email,
        "last_name": user.last_name,
        "first_name": user.first_name,
        "middle_name": user.middle_name,
        "birth_date": user.birth_date,
        "phone": mask_phone(user.phone) if user.phone else "",
        "phone_confirmed": user.phone_confirmed_at is not None,
        "has_pin": user.has_pin,
        "health_consent": health_consent_given(user),
    }


class ChannelsIn(Schema):
    push: bool
    sms: bool
    email: bool


class ChannelsSetIn(Schema):
    channels: dict[str, ChannelsIn]  # kind of message → its channels


class KindChannelsOut(ChannelsIn):
    kind: str
    label: str


class PushTokenIn(Schema):
    kind: str = PushSubscription.Kind.FCM
    # FCM: the registration token; Web Push: the push service's endpoint
    token: str
    p256dh: str = ""
    auth: str = ""
    label: str = ""


class PushTokenOut(Schema):
    id: int
    kind: str
    label: str


class PushTokenDeleteIn(Schema):
    token: str


def _channels_out(user) -> list[dict]:
    channels = notification_channels(user)
    return [
        {"kind": kind.value, "label": str(kind.label), **channels[kind.value]}
        for kind in NotificationKind
    ]


@router.get(
    "/notifications/", response=list[KindChannelsOut], summary="Какие сообщения и как присылать"
)
def notifications(request: HttpRequest):
    return _channels_out(request.auth)


@router.put(
    "/notifications/", response=list[KindChannelsOut], summary="Изменить каналы уведомлений"
)
def notifications_set(request: HttpRequest, data: ChannelsSetIn):
    notification_channels_set(
        user=request.auth, channels={kind: value.dict() for kind, value in data.channels.items()}
    )
    return _channels_out(request.auth)


@router.post(
    "/push-tokens/", response={201: PushTokenOut}, summary="Подключить push (FCM или Web Push)"
)
def push_token_add(request: HttpRequest, data: PushTokenIn):
    if data.kind not in PushSubscription.Kind.values:
        raise ApiError("Неизвестный вид push", errors={"kind": ["Ожидается fcm или web"]})
    subscription = push_subscription_save(
        user=request.auth,
        kind=data.kind,
        endpoint=data.token,
        p256dh=data.p256dh,
        auth=data.auth,
        label=data.label,
    )
    return Status(
        201, {"id": subscription.pk, "kind": subscription.kind, "label": subscription.label}
    )


@router.post("/push-tokens/delete", response={204: None}, summary="Отключить push на устройстве")
def push_token_delete(request: HttpRequest, data: PushTokenDeleteIn):
    push_subscription_delete(user=request.auth, endpoint=data.token)
    return Status(204, None)
