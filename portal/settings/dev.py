"""The embedded default of `make run`: SQLite, eager Celery unless REDIS_URL is set."""

from .base import *  # noqa: F403
from .base import VAR_DIR, env

DEBUG = env.bool("DJANGO_DEBUG", default=True)
ESIA_EMULATOR = env.bool("ESIA_EMULATOR", default=True)

# The embedded SQLite database, the SMS outbox and private files live here (git-ignored).
VAR_DIR.mkdir(parents=True, exist_ok=True)
