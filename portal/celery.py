"""The Celery application; tasks are found in each app's tasks.py."""

import logging.config
import os

from celery import Celery, signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.dev")

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
# The worker and beat log as the web does (settings.LOGGING: JSON in production, personal data
# masked): Celery never replaces the root logger's handlers with its own plain-text ones.
app.conf.worker_hijack_root_logger = False
app.autodiscover_tasks()


@signals.setup_logging.connect
def logging_from_settings(**_kwargs) -> None:
    """A receiver of setup_logging makes Celery leave logging alone: the worker and beat use
    settings.LOGGING, applied again here in case anything touched it since Django's setup."""
    from django.conf import settings

    logging.config.dictConfig(settings.LOGGING)
