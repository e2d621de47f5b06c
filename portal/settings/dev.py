"""The embedded default of `make run`: SQLite, eager Celery unless REDIS_URL is set."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DJANGO_DEBUG", default=True)
ESIA_EMULATOR = env.bool("ESIA_EMULATOR", default=True)
