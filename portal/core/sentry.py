"""Error reports through the Sentry SDK (a self-hosted Sentry or a compatible service such as
GlitchTip), switched on by SENTRY_DSN in the web, the worker and beat alike (settings.base).

Nothing personal leaves the portal: the SDK sends no cookies, IP addresses or user details of its
own (send_default_pii=False) and no local variables of the stack; whatever is left (exception
messages, request data, the user, breadcrumbs, log messages, extra and contexts) goes through the
same mask as the logs (portal.core.logging.redact_data) in before_send and before_breadcrumb.
"""

from __future__ import annotations

from typing import Any

from .logging import redact_data


def scrub_event(event: dict[str, Any], _hint: dict[str, Any] | None = None) -> dict[str, Any]:
    """The event with every personal datum masked (before_send, before_send_transaction)."""
    return redact_data(event)


def scrub_breadcrumb(crumb: dict[str, Any], _hint: dict[str, Any] | None = None) -> dict[str, Any]:
    return redact_data(crumb)


def sentry_options(*, dsn: str, environment: str = "", release: str = "", **extra) -> dict:
    """The SDK's options: `sentry_sdk.init(**sentry_options(...))` (settings, tests)."""
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration

    options = {
        "dsn": dsn,
        "send_default_pii": False,
        "include_local_variables": False,
        "max_request_body_size": "small",
        "before_send": scrub_event,
        "before_send_transaction": scrub_event,
        "before_breadcrumb": scrub_breadcrumb,
        "integrations": [DjangoIntegration(), CeleryIntegration()],
        "traces_sample_rate": 0.0,
        **extra,
    }
    if environment:
        options["environment"] = environment
    if release:
        options["release"] = release
    return options


def sentry_init(**options) -> None:
    import sentry_sdk

    sentry_sdk.init(**sentry_options(**options))
