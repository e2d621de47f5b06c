"""Notification channels and push tokens through the API, by the services the profile page uses."""

import pytest

from portal.accounts.models import NotificationPreference, PushSubscription
from tests.api.conftest import ApiClient
from tests.core.test_access_sweep import session_token

pytestmark = pytest.mark.django_db


def test_channels_and_an_fcm_token(user, client):
    api = ApiClient(client, session_token(user))

    channels = api.get("/api/v1/notifications/").json()
    assert {c["kind"] for c in channels} >= {"visit_reminder", "appeal_answered"}
    assert all(c["email"] and c["push"] and not c["sms"] for c in channels)

    response = api.client.put(
        "/api/v1/notifications/",
        {"channels": {"claim_status": {"push": False, "sms": True, "email": True}}},
        content_type="application/json",
        headers=api.headers,
    )
    assert response.status_code == 200
    row = NotificationPreference.objects.get(user=user, kind="claim_status")
    assert (row.push, row.sms, row.email) == (False, True, True)

    refused = api.client.put(
        "/api/v1/notifications/",
        {"channels": {"no_such_kind": {"push": True, "sms": True, "email": True}}},
        content_type="application/json",
        headers=api.headers,
    )
    assert refused.status_code == 400 and "no_such_kind" in refused.json()["errors"]

    added = api.post(
        "/api/v1/push-tokens/", {"kind": "fcm", "token": "fcm-token-1", "label": "Pixel"}
    )
    assert added.status_code == 201
    assert PushSubscription.objects.get(user=user).kind == "fcm"
    assert api.post("/api/v1/push-tokens/delete", {"token": "fcm-token-1"}).status_code == 204
    assert not PushSubscription.objects.filter(user=user).exists()
