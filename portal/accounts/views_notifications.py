"""/profile/notifications/: which messages come by push, SMS or e-mail, and this browser's push
subscription (static/accounts/push.js subscribes with the VAPID public key and posts here)."""

import json

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from .models import NotificationKind, PushSubscription
from .services.notifications import (
    CHANNELS,
    notification_channels,
    notification_channels_set,
    push_subscription_delete,
    push_subscription_save,
)


class NotificationChannelsForm(forms.Form):
    """A tick per kind of message and channel: `<kind>_<channel>`."""

    def __init__(self, *args, channels: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = []
        for kind in NotificationKind:
            row = []
            for channel in CHANNELS:
                name = f"{kind.value}_{channel}"
                self.fields[name] = forms.BooleanField(
                    required=False, initial=channels[kind.value][channel], label=channel
                )
                row.append(self[name])
            self.rows.append((kind.label, row))

    def channels(self) -> dict[str, dict[str, bool]]:
        return {
            kind: {c: self.cleaned_data[f"{kind}_{c}"] for c in CHANNELS}
            for kind in NotificationKind.values
        }


@login_required
@require_http_methods(["GET", "POST"])
def notifications(request: HttpRequest) -> HttpResponse:
    form = NotificationChannelsForm(
        request.POST or None, channels=notification_channels(request.user)
    )
    if request.method == "POST" and form.is_valid():
        notification_channels_set(user=request.user, channels=form.channels())
        messages.success(request, _("Настройки уведомлений сохранены"))
        return redirect("accounts:notifications")
    return render(
        request,
        "accounts/notifications.html",
        {
            "form": form,
            "vapid_public_key": settings.VAPID_PUBLIC_KEY,
            "subscriptions": request.user.push_subscriptions.order_by("-created_at"),
        },
    )


@login_required
@require_POST
def push_subscription(request: HttpRequest) -> JsonResponse:
    """The browser's PushSubscription as JSON (subscribe), or {"endpoint", "unsubscribe": true}."""
    try:
        data = json.loads(request.body or b"{}")
        endpoint = str(data["endpoint"])
    except (ValueError, KeyError, TypeError):
        return JsonResponse({"detail": _("Неверный запрос подписки")}, status=400)
    if data.get("unsubscribe"):
        push_subscription_delete(user=request.user, endpoint=endpoint)
        return JsonResponse({"detail": _("Push-уведомления на этом устройстве выключены")})
    keys = data.get("keys") if isinstance(data.get("keys"), dict) else {}
    try:
        push_subscription_save(
            user=request.user,
            kind=PushSubscription.Kind.WEB,
            endpoint=endpoint,
            p256dh=str(keys.get("p256dh", "")),
            auth=str(keys.get("auth", "")),
            label=request.headers.get("User-Agent", "")[:120],
        )
    except ValidationError as error:
        return JsonResponse({"detail": " ".join(error.messages)}, status=400)
    return JsonResponse({"detail": _("Push-уведомления на этом устройстве включены")}, status=201)
