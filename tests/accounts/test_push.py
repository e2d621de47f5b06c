"""Web Push: /profile/notifications/ chooses channels per kind of message and keeps this
browser's subscription; a push goes to the push service signed (VAPID) and encrypted
(aes128gcm), which the push service emulator checks and decrypts; a subscription the push
service says is gone (410) is removed."""

import pytest
import requests

from devtools.push_emulator import RECEIVED, subscription_gone, subscription_new
from portal.accounts.models import NotificationKind, NotificationPreference, PushSubscription
from portal.accounts.services.notifications import (
    push_notify,
    push_send,
    push_subscription_save,
)
from tests.factories import UserFactory

from .conftest import MESSAGE


def _subscribe(user, base_url: str) -> tuple[PushSubscription, dict]:
    browser = subscription_new(base_url)
    subscription = push_subscription_save(
        user=user, kind="web", endpoint=browser["endpoint"], **browser["keys"], label="Chromium"
    )
    return subscription, browser


def test_a_push_arrives_signed_and_encrypted(live_server, vapid):
    user = UserFactory()
    subscription, browser = _subscribe(user, live_server.url)

    status = push_send(subscription_id=subscription.pk, message=MESSAGE)

    assert status == 201
    assert RECEIVED[browser["endpoint"]] == [MESSAGE]
    subscription.refresh_from_db()
    assert subscription.last_sent_at is not None


def test_the_push_service_refuses_what_is_not_web_push(live_server, vapid):
    browser = subscription_new(live_server.url)

    unsigned = requests.post(browser["endpoint"], data=b"hello", headers={"TTL": "60"}, timeout=10)
    assert unsigned.status_code == 401
    assert RECEIVED[browser["endpoint"]] == []


def test_a_subscription_the_push_service_says_is_gone_is_removed(live_server, vapid):
    user = UserFactory()
    subscription, browser = _subscribe(user, live_server.url)
    subscription_gone(browser["endpoint"])

    assert push_send(subscription_id=subscription.pk, message=MESSAGE) == 410

    assert not PushSubscription.objects.filter(pk=subscription.pk).exists()


def test_a_push_is_queued_after_the_commit_and_only_when_wanted(
    live_server, vapid, django_capture_on_commit_callbacks
):
    user = UserFactory()
    _subscription, browser = _subscribe(user, live_server.url)

    with django_capture_on_commit_callbacks(execute=True):
        queued = push_notify(user=user, kind=NotificationKind.APPEAL_ANSWERED, **MESSAGE)
    assert queued == 1
    assert RECEIVED[browser["endpoint"]] == [{**MESSAGE, "kind": "appeal_answered"}]

    NotificationPreference.objects.create(
        user=user, kind=NotificationKind.APPEAL_ANSWERED, push=False, sms=False, email=True
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert push_notify(user=user, kind=NotificationKind.APPEAL_ANSWERED, **MESSAGE) == 0
    assert len(RECEIVED[browser["endpoint"]]) == 1


@pytest.mark.django_db
def test_the_notifications_page_keeps_the_choices_and_the_subscription(client, vapid):
    user = UserFactory()
    client.force_login(user)

    page = client.get("/profile/notifications/")
    assert page.status_code == 200
    assert "Включить push-уведомления" in page.content.decode()

    data = {f"{kind}_email": "on" for kind in NotificationKind.values}
    data["visit_reminder_sms"] = "on"
    data["visit_reminder_push"] = "on"
    assert client.post("/profile/notifications/", data).status_code == 302
    reminder = NotificationPreference.objects.get(user=user, kind="visit_reminder")
    assert (reminder.push, reminder.sms, reminder.email) == (True, True, True)
    claim = NotificationPreference.objects.get(user=user, kind="claim_status")
    assert (claim.push, claim.sms, claim.email) == (False, False, True)

    subscription = {
        "endpoint": "https://push.example.com/send/abc",
        "keys": {"p256dh": "BNc" + "A" * 84, "auth": "c2VjcmV0c2VjcmV0"},
    }
    response = client.post(
        "/profile/notifications/push/", subscription, content_type="application/json"
    )
    assert response.status_code == 201
    assert PushSubscription.objects.get(user=user).endpoint == subscription["endpoint"]

    refused = client.post(
        "/profile/notifications/push/",
        {"endpoint": "http://evil.example.com/x", "keys": subscription["keys"]},
        content_type="application/json",
    )
    assert refused.status_code == 400 and "https://" in refused.json()["detail"]

    client.post(
        "/profile/notifications/push/",
        {"endpoint": subscription["endpoint"], "unsubscribe": True},
        content_type="application/json",
    )
    assert not PushSubscription.objects.filter(user=user).exists()


def test_a_visit_two_hours_ahead_is_reminded_by_push_once(
    live_server, vapid, django_capture_on_commit_callbacks
):
    import datetime

    from django.utils import timezone

    from clinics.tasks import appointment_soon_reminders_send
    from tests.factories import AppointmentFactory, SlotFactory

    user = UserFactory()
    _subscription, browser = _subscribe(user, live_server.url)
    slot = SlotFactory(starts_at=timezone.now() + datetime.timedelta(minutes=90))
    AppointmentFactory(user=user, slot=slot)
    SlotFactory(starts_at=timezone.now() + datetime.timedelta(hours=5))  # not yet

    with django_capture_on_commit_callbacks(execute=True):
        assert appointment_soon_reminders_send() == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert appointment_soon_reminders_send() == 0

    (message,) = RECEIVED[browser["endpoint"]]
    assert message["kind"] == "visit_reminder" and message["title"].startswith("Сегодня в ")
