"""FCM: pushes to the store apps' registration tokens through Firebase Cloud Messaging's HTTP v1
API, with the service account's OAuth 2.0 bearer — both checked by the FCM emulator on the live
server (devtools.fcm_emulator); a token FCM calls UNREGISTERED is removed; a slow FCM delays only
its own push, not the browser's, the other phone's or the SMS."""

import json

import pytest
import requests
from django.utils import timezone

from devtools import fcm_emulator
from devtools.fcm_emulator import RECEIVED, device_new, device_slow, device_unregister
from devtools.push_emulator import RECEIVED as WEB_RECEIVED
from devtools.push_emulator import subscription_new
from gateways import fcm as fcm_gateway
from portal.accounts.models import NotificationKind, NotificationPreference, PushSubscription
from portal.accounts.services.notifications import (
    notify,
    push_notify,
    push_send,
    push_subscription_save,
)
from portal.core.models import OutboxMessage
from tests.factories import UserFactory

from .conftest import MESSAGE, sms_messages


@pytest.fixture
def fcm(settings, live_server):
    """FCM on, its addresses at the emulator, with a service account the emulator knows."""
    token_url = f"{live_server.url}/fcm-emulator/token"
    settings.FCM_SERVICE_ACCOUNT_JSON = json.dumps(
        fcm_emulator.service_account_new(token_url, "portal-test")
    )
    settings.FCM_SERVICE_ACCOUNT_FILE = ""
    settings.FCM_PROJECT_ID = ""
    settings.FCM_API_URL = f"{live_server.url}/fcm-emulator"
    settings.FCM_TOKEN_URL = token_url
    settings.FCM_TIMEOUT = 5.0
    settings.FCM_EMULATOR_SERVICE_ACCOUNT = ""
    fcm_gateway.access_token_forget()
    yield settings
    fcm_gateway.access_token_forget()


def _app_token(user, label: str = "Pixel 8") -> tuple[PushSubscription, str]:
    device = device_new()
    subscription = push_subscription_save(user=user, kind="fcm", endpoint=device, label=label)
    return subscription, device


def test_a_push_reaches_the_app_with_the_service_accounts_bearer(fcm):
    user = UserFactory()
    subscription, device = _app_token(user)

    first = push_send(subscription_id=subscription.pk, message={**MESSAGE, "kind": "x"})
    issued = len(fcm_emulator.ISSUED)
    second = push_send(subscription_id=subscription.pk, message=MESSAGE)

    assert first == second == 200
    assert len(fcm_emulator.ISSUED) == issued  # the bearer is reused while it lasts
    received = RECEIVED[device][0]
    assert received["token"] == device
    assert received["notification"] == {"title": MESSAGE["title"], "body": MESSAGE["body"]}
    assert received["data"] == {"url": "/appeals/", "kind": "x"}
    assert received["android"] == {"ttl": "86400s"}
    assert int(received["apns"]["headers"]["apns-expiration"]) > timezone.now().timestamp()
    subscription.refresh_from_db()
    assert subscription.last_sent_at is not None


def test_a_token_fcm_calls_unregistered_is_removed(fcm):
    user = UserFactory()
    subscription, device = _app_token(user)
    device_unregister(device)

    assert push_send(subscription_id=subscription.pk, message=MESSAGE) == 404

    assert not PushSubscription.objects.filter(pk=subscription.pk).exists()
    assert RECEIVED[device] == []


def test_a_token_fcm_does_not_know_is_refused_and_kept(fcm):
    user = UserFactory()
    subscription = push_subscription_save(user=user, kind="fcm", endpoint="not-from-fcm")

    # 400 INVALID_ARGUMENT is not UNREGISTERED: nothing removed, nothing retried
    assert push_send(subscription_id=subscription.pk, message=MESSAGE) == 400
    assert PushSubscription.objects.filter(pk=subscription.pk).exists()


def test_a_service_account_google_does_not_know_gets_no_bearer(fcm, live_server):
    user = UserFactory()
    subscription, device = _app_token(user)
    # the emulator knows another account: our JWT's signature, kid and iss do not check
    fcm.FCM_EMULATOR_SERVICE_ACCOUNT = json.dumps(
        fcm_emulator.service_account_new(fcm.FCM_TOKEN_URL, "portal-test")
    )

    assert push_send(subscription_id=subscription.pk, message=MESSAGE) == 400

    assert RECEIVED[device] == []
    assert PushSubscription.objects.filter(pk=subscription.pk).exists()


def test_fcm_refuses_a_bad_bearer_another_project_and_a_malformed_message(fcm, live_server):
    device = device_new()
    bearer = fcm_gateway.access_token(fcm_gateway.service_account())
    url = f"{live_server.url}/fcm-emulator/v1/projects/portal-test/messages:send"
    good = {"message": fcm_gateway.message_body(device, MESSAGE, ttl=60)}

    def post(body, token=bearer, target=url):
        headers = {"Authorization": f"Bearer {token}"}
        return requests.post(target, json=body, headers=headers, timeout=10)

    unauthenticated = post(good, token="ya29.forged")
    other_project = post(good, target=url.replace("portal-test", "someone-else"))
    number_in_data = post({"message": {**good["message"], "data": {"count": 1}}})
    no_target = post({"message": {"notification": good["message"]["notification"]}})
    legacy = post({"to": device, "notification": good["message"]["notification"]})

    assert unauthenticated.status_code == 401
    assert unauthenticated.json()["error"]["status"] == "UNAUTHENTICATED"
    assert other_project.status_code == 403
    for refused in (number_in_data, no_target, legacy):
        assert refused.status_code == 400
        assert refused.json()["error"]["status"] == "INVALID_ARGUMENT"
    assert RECEIVED[device] == []
    assert post(good).status_code == 200 and len(RECEIVED[device]) == 1


def test_one_message_goes_to_the_browser_and_the_apps_and_a_slow_fcm_breaks_nothing(
    fcm, vapid, live_server, django_capture_on_commit_callbacks, sms_outbox
):
    # given: a person with a browser, two phones with the app (one behind a slow FCM answer) and
    # SMS chosen too
    user = UserFactory(phone="+79161234567", phone_confirmed_at=timezone.now())
    NotificationPreference.objects.create(
        user=user, kind=NotificationKind.APPEAL_ANSWERED, push=True, sms=True, email=True
    )
    browser = subscription_new(live_server.url)
    push_subscription_save(
        user=user, kind="web", endpoint=browser["endpoint"], **browser["keys"], label="Chromium"
    )
    slow, slow_device = _app_token(user, "Galaxy")
    _fast, fast_device = _app_token(user, "Pixel")
    fcm.FCM_TIMEOUT = 0.3
    device_slow(slow_device, 1.0)

    # when
    with django_capture_on_commit_callbacks(execute=True):
        notify(user=user, kind=NotificationKind.APPEAL_ANSWERED, **MESSAGE)

    # then: the browser, the other phone and the SMS got the message
    sent = {**MESSAGE, "kind": "appeal_answered"}
    assert WEB_RECEIVED[browser["endpoint"]] == [sent]
    assert [m["data"]["kind"] for m in RECEIVED[fast_device]] == ["appeal_answered"]
    sms_text = f"{MESSAGE['title']}. {MESSAGE['body']}"
    assert [m["text"] for m in sms_messages(sms_outbox)] == [sms_text]
    # and the slow phone's push waits in the outbox for a later try; its token is kept
    waiting = OutboxMessage.objects.get(args=[slow.pk, sent])
    assert waiting.acked_at is None and "FcmError" in waiting.last_error
    assert PushSubscription.objects.filter(pk=slow.pk).exists()


def test_app_tokens_are_queued_only_with_fcm_configured(
    settings, db, django_capture_on_commit_callbacks
):
    settings.FCM_SERVICE_ACCOUNT_JSON = settings.FCM_SERVICE_ACCOUNT_FILE = ""
    settings.VAPID_PRIVATE_KEY = ""
    user = UserFactory()
    push_subscription_save(user=user, kind="fcm", endpoint="some-token")

    with django_capture_on_commit_callbacks(execute=True):
        assert push_notify(user=user, kind=NotificationKind.CLAIM_STATUS, **MESSAGE) == 0

    settings.FCM_SERVICE_ACCOUNT_JSON = json.dumps({"client_email": "x", "private_key": "y"})
    with django_capture_on_commit_callbacks(execute=False):
        assert push_notify(user=user, kind=NotificationKind.CLAIM_STATUS, **MESSAGE) == 1
