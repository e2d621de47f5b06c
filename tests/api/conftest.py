import pytest
from django.core.management import call_command

DEMO_LOGIN = {"email": "demo@example.com", "password": "demo-pass-2026"}


def app_login(client, credentials: dict) -> str:
    """allauth's headless login for apps: the session token of the X-Session-Token header."""
    response = client.post(
        "/_allauth/app/v1/auth/login", credentials, content_type="application/json"
    )
    assert response.status_code == 200, response.content.decode()
    return response.json()["meta"]["session_token"]


class ApiClient:
    """The test client with a session token, as a store app calls the API."""

    def __init__(self, client, token: str):
        self.client = client
        self.headers = {"X-Session-Token": token}

    def get(self, path: str, data=None):
        return self.client.get(path, data, headers=self.headers)

    def post(self, path: str, data=None, **kwargs):
        if "content_type" not in kwargs and not kwargs.pop("multipart", False):
            kwargs["content_type"] = "application/json"
        return self.client.post(path, data or {}, headers=self.headers, **kwargs)


@pytest.fixture
def demo(db):
    call_command("seed_demo", verbosity=0)


@pytest.fixture
def demo_api(demo, client) -> ApiClient:
    return ApiClient(client, app_login(client, DEMO_LOGIN))
