"""Settings of the test suite: the database and Redis come from the environment (CI sets both)."""

import copy

from .base import *  # noqa: F403
from .base import DATABASES, INSTALLED_APPS, STORAGES, YOOKASSA_NOTIFY_NETWORKS, env

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
PUSH_EMULATOR = True  # devtools.push_emulator stands in for the browsers' push services
# devtools.fcm_emulator stands in for FCM; its tests point FCM_API_URL and FCM_TOKEN_URL at the
# live server (tests/accounts/test_fcm.py).
FCM_EMULATOR = True
RSA_KBM_URL = ""
# The DaData emulator is mounted; a test of suggestions points DADATA_SUGGESTIONS_URL at the live
# server (tests/conftest.py `dadata`).
DADATA_EMULATOR = True
DADATA_SUGGESTIONS_URL = ""
DADATA_API_KEY = "test-token"
# The ЮKassa emulator is mounted; its tests point YOOKASSA_API_URL at the live server and let it
# notify from 127.0.0.1 (tests/payments/gateways.py).
YOOKASSA_EMULATOR = True
YOOKASSA_NOTIFY_NETWORKS = [*YOOKASSA_NOTIFY_NETWORKS, "127.0.0.1/32"]
YOOKASSA_EMULATOR_NOTIFY_URL = ""
YOOKASSA_RETRY_PAUSE_SECONDS = 0.0
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

# On PostgreSQL a `replica` alias mirrors the test database (what DATABASE_REPLICA_URL pointing
# at the primary gives); the router stays off except in tests/clinics/test_replica_reads.py.
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and "replica" not in DATABASES:
    DATABASES["replica"] = {
        **DATABASES["default"],
        "OPTIONS": copy.deepcopy(DATABASES["default"]["OPTIONS"]),
        "TEST": {"MIRROR": "default"},
    }

# Tests' fake providers may touch the test database, which other threads cannot see: one call at a
# time, except in the tests of the concurrency itself.
COPAY_PROVIDER_CONCURRENCY = 1
