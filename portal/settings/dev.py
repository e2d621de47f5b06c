"""The embedded default of `make run`: SQLite, eager Celery unless REDIS_URL is set."""

from .base import *  # noqa: F403
from .base import INSTALLED_APPS, VAR_DIR, YOOKASSA_NOTIFY_NETWORKS, env

INSTALLED_APPS = [*INSTALLED_APPS, "devtools"]  # the demo seeding and the ESIA emulator

DEBUG = env.bool("DJANGO_DEBUG", default=True)
ESIA_EMULATOR = env.bool("ESIA_EMULATOR", default=True)
if ESIA_EMULATOR:
    # «Войти через Госуслуги» works out of the box: the emulator on this server, keys made on
    # first use in var/esia/ (python manage.py esia_dev_keys makes them ahead).
    ESIA_CLIENT_ID = env.str("ESIA_CLIENT_ID", default="INSURED-PORTAL")
    ESIA_BASE_URL = env.str("ESIA_BASE_URL", default="http://127.0.0.1:8000/esia-emulator")
    ESIA_DEV_KEYS_AUTOCREATE = True
    ESIA_SIGNER = env.str("ESIA_SIGNER", default="devtools.esia_emulator.devkeys.DevKeysSigner")

DADATA_EMULATOR = env.bool("DADATA_EMULATOR", default=True)
if DADATA_EMULATOR:
    # Address suggestions answer from the emulator on this server (devtools.dadata_emulator).
    DADATA_SUGGESTIONS_URL = env.str(
        "DADATA_SUGGESTIONS_URL",
        default="http://127.0.0.1:8000/dadata-emulator/suggestions/api/4_1/rs",
    )
    DADATA_API_KEY = env.str("DADATA_API_KEY", default="dev-token")

PUSH_EMULATOR = env.bool("PUSH_EMULATOR", default=True)
FCM_EMULATOR = env.bool("FCM_EMULATOR", default=True)
if FCM_EMULATOR:
    # FCM and Google's token service answer from the emulator on this server
    # (devtools.fcm_emulator); FCM stays off until FCM_SERVICE_ACCOUNT_JSON or _FILE is set.
    FCM_API_URL = env.str("FCM_API_URL", default="http://127.0.0.1:8000/fcm-emulator")
    FCM_TOKEN_URL = env.str("FCM_TOKEN_URL", default="http://127.0.0.1:8000/fcm-emulator/token")
RSA_EMULATOR = env.bool("RSA_EMULATOR", default=True)
if RSA_EMULATOR:
    # The КБМ check answers from the emulator on this server (devtools.rsa_emulator).
    RSA_KBM_URL = env.str("RSA_KBM_URL", default="http://127.0.0.1:8000/rsa-emulator")

YOOKASSA_EMULATOR = env.bool("YOOKASSA_EMULATOR", default=True)
if YOOKASSA_EMULATOR:
    # PAYMENT_GATEWAY=yookassa pays through the ЮKassa emulator on this server, which sends its
    # notifications from 127.0.0.1 to YOOKASSA_EMULATOR_NOTIFY_URL.
    YOOKASSA_NOTIFY_NETWORKS = [*YOOKASSA_NOTIFY_NETWORKS, "127.0.0.1/32"]
    YOOKASSA_EMULATOR_NOTIFY_URL = env.str(
        "YOOKASSA_EMULATOR_NOTIFY_URL", default="http://127.0.0.1:8000/payments/webhooks/yookassa/"
    )

# The embedded SQLite database, the SMS outbox and private files live here (git-ignored).
VAR_DIR.mkdir(parents=True, exist_ok=True)
