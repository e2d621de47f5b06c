"""Settings of the test suite: the database and Redis come from the environment (CI sets both)."""

from .base import *  # noqa: F403
from .base import INSTALLED_APPS, STORAGES, env

INSTALLED_APPS = [*INSTALLED_APPS, "devtools"]  # the demo seeding and the ESIA emulator

DEBUG = False
ESIA_EMULATOR = True
# Tests generate their ESIA keys in a temporary directory and point ESIA_BASE_URL at the live
# server's emulator (tests/esia/conftest.py); nothing is made in var/esia/.
ESIA_CLIENT_ID = "INSURED-PORTAL-TEST"
ESIA_BASE_URL = "http://127.0.0.1:8000/esia-emulator"
ESIA_DEV_KEYS_AUTOCREATE = False
# The РСА emulator is mounted; a test that checks КБМ points RSA_KBM_URL at the live server.
RSA_EMULATOR = True
RSA_KBM_URL = ""
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CELERY_TASK_ALWAYS_EAGER = True
SMS_BACKEND = "portal.accounts.sms.ConsoleOutboxBackend"
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_AUTOREFRESH = True
LOG_LEVEL = env.str("LOG_LEVEL", default="WARNING")
