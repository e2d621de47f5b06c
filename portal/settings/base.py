"""Settings shared by every mode, read from the environment with django-environ.

The embedded default needs nothing set: SQLite, eager Celery, console e-mail and SMS, localstripe.
With DATABASE_URL and REDIS_URL set, PostgreSQL (psycopg 3, pooled) and a real Celery on Redis.
"""

from pathlib import Path

import environ
from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
env.smart_cast = False
if (BASE_DIR / ".env").is_file():
    environ.Env.read_env(BASE_DIR / ".env")

VAR_DIR = Path(env.str("PORTAL_VAR_DIR", default=str(BASE_DIR / "var")))

DEBUG = env.bool("DJANGO_DEBUG", default=False)
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="dev-only-insecure-key-not-for-production")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    # SimpleAdminConfig: admin modules are discovered by portal.core (django-leaflet's own admin
    # module needs GDAL, which this project does not use: maps take plain lat/lon).
    "django.contrib.admin.apps.SimpleAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.mfa",
    "allauth.headless",
    "axes",
    "csp",
    "leaflet",
    "ninja",
    "portal.core",
    "portal.accounts",
    "portal.esia",
    "policies",
    "clinics",
    "claims",
    "feedback",
    "payments",
    "shop",
    "employers",
    "cabinet",
    "api",
]

MIDDLEWARE = [
    "portal.core.metrics.MetricsMiddleware",  # request latency and errors per view (/metrics/)
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "axes.middleware.AxesMiddleware",
    "portal.accounts.middleware.SessionIdleMiddleware",
    "portal.accounts.middleware.StaffMfaRequiredMiddleware",
    "portal.core.errors.MethodNotAllowedMiddleware",
    "portal.core.db_router.ReplicaReadsMiddleware",
    "cabinet.pwa.PersonHeaderMiddleware",
]
CSRF_FAILURE_VIEW = "portal.core.errors.csrf_failure"

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "portal.core.context_processors.portal",
                "cabinet.context_processors.navigation",
            ],
            # Russian formats (money, numbers, plurals, phones) in every template without a load.
            "builtins": ["portal.core.templatetags.ru"],
        },
    },
]

# --- Database -----------------------------------------------------------------------------
# SQLite is the embedded default of `make run`; CI and production set DATABASE_URL to PostgreSQL.
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'portal.sqlite3'}"),
}
# Degrade, never hang: a new connection gives up after DATABASE_CONNECT_TIMEOUT seconds, a request
# waits at most DATABASE_POOL_TIMEOUT for one from the pool, and the pool checks a connection
# before handing it out (a restarted server's dead connections are replaced, not used).
DATABASE_CONNECT_TIMEOUT = env.int("DATABASE_CONNECT_TIMEOUT", default=2)
DATABASE_POOL_TIMEOUT = env.float("DATABASE_POOL_TIMEOUT", default=3.0)


def postgres_pooled(database: dict, *, min_size: int = 1) -> dict:
    """The PostgreSQL settings with the psycopg pool and the timeouts above."""
    options = database.setdefault("OPTIONS", {})
    options.setdefault("connect_timeout", DATABASE_CONNECT_TIMEOUT)
    options.setdefault(
        "pool",
        {
            "min_size": min_size,
            "max_size": env.int("DATABASE_POOL_MAX", default=10),
            "timeout": DATABASE_POOL_TIMEOUT,
        },
    )
    database["CONN_MAX_AGE"] = 0  # the psycopg pool keeps connections instead
    database["CONN_HEALTH_CHECKS"] = True  # the pool's check before each hand-out
    # Behind PgBouncer in transaction mode: no server-side prepared statements (Django's default
    # for psycopg 3, said here so no one turns it on) and, with DATABASE_PGBOUNCER=1, no named
    # cursors for .iterator() (a cursor does not survive the server connection changing).
    options["prepare_threshold"] = None
    database["DISABLE_SERVER_SIDE_CURSORS"] = env.bool("DATABASE_PGBOUNCER", default=False)
    return database


if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    postgres_pooled(DATABASES["default"])

# A streaming replica for the cabinet's reads (portal/core/db_router.py); a person stays on the
# primary for DATABASE_REPLICA_PIN_SECONDS after a write of their own.
DATABASE_REPLICA_PIN_SECONDS = env.int("DATABASE_REPLICA_PIN_SECONDS", default=30)
if env.str("DATABASE_REPLICA_URL", default=""):
    DATABASES["replica"] = {
        **postgres_pooled(env.db("DATABASE_REPLICA_URL")),
        "TEST": {"MIRROR": "default"},
    }
    DATABASE_ROUTERS = ["portal.core.db_router.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache and Celery -----------------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
# Redis is asked with these timeouts (seconds), by the cache and by Celery alike: a Redis that
# refuses or hangs costs a request about a second, then the cache is skipped for a few seconds
# (portal.core.cache) and queued tasks wait in the outbox (portal.core.outbox).
REDIS_SOCKET_TIMEOUT = env.float("REDIS_SOCKET_TIMEOUT", default=1.0)
REDIS_CONNECT_TIMEOUT = env.float("REDIS_CONNECT_TIMEOUT", default=1.0)


def redis_cache(url: str) -> dict:
    return {
        "BACKEND": "portal.core.cache.ResilientRedisCache",
        "LOCATION": url,
        "KEY_PREFIX": "portal",
        "OPTIONS": {
            "socket_timeout": REDIS_SOCKET_TIMEOUT,
            "socket_connect_timeout": REDIS_CONNECT_TIMEOUT,
        },
    }


if REDIS_URL:
    CACHES = {"default": redis_cache(REDIS_URL)}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL or "memory://")
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# One visibility timeout for every queue (Redis redelivers a task not acknowledged by then): every
# task stays far below it (the daily charges and the imports work in chunks).
CELERY_VISIBILITY_TIMEOUT = env.int("CELERY_VISIBILITY_TIMEOUT", default=1800)
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": CELERY_VISIBILITY_TIMEOUT,
    "socket_timeout": REDIS_SOCKET_TIMEOUT,
    "socket_connect_timeout": REDIS_CONNECT_TIMEOUT,
    "max_retries": 1,
}
CELERY_BROKER_CONNECTION_TIMEOUT = REDIS_CONNECT_TIMEOUT
CELERY_REDIS_SOCKET_TIMEOUT = REDIS_SOCKET_TIMEOUT
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = REDIS_CONNECT_TIMEOUT
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {
    "socket_timeout": REDIS_SOCKET_TIMEOUT,
    "socket_connect_timeout": REDIS_CONNECT_TIMEOUT,
}
# A publish that fails is tried once more, at once: the outbox keeps the task anyway.
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.2,
}
# /healthz/ answers within this many seconds, naming what did not answer in time.
HEALTHZ_TIMEOUT_SECONDS = 2.5
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = "Europe/Moscow"
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# The outbox of tasks queued by writes (portal.core.outbox): tries before giving up, how long a
# handed-over task may stay unacknowledged before it is handed over again, days kept when done.
OUTBOX_MAX_ATTEMPTS = env.int("OUTBOX_MAX_ATTEMPTS", default=12)
OUTBOX_ACK_DEADLINE_SECONDS = env.int("OUTBOX_ACK_DEADLINE_SECONDS", default=30 * 60)
OUTBOX_KEEP_DAYS = env.int("OUTBOX_KEEP_DAYS", default=7)
CELERY_BEAT_SCHEDULE: dict = {
    "outbox-deliver": {
        "task": "portal.core.tasks.outbox_deliver",
        "schedule": crontab(minute="*"),
    },
    # PDFs a killed worker left "being prepared" are queued again.
    "policies-documents-stuck": {
        "task": "policies.tasks.policy_documents_stuck_requeue",
        "schedule": crontab(minute="*/10"),
    },
    "outbox-purge": {
        "task": "portal.core.tasks.outbox_purge",
        "schedule": crontab(hour=3, minute=50),
    },
    "claims-notifications-resend": {
        "task": "claims.tasks.claim_notifications_resend",
        "schedule": crontab(minute="*/15"),
    },
    "access-log-digests": {
        "task": "cabinet.tasks.access_log_digests_send_task",
        "schedule": crontab(day_of_week="mon", hour=8, minute=20),
    },
    "personal-data-retention": {
        "task": "cabinet.tasks.personal_data_retention_task",
        "schedule": crontab(hour=4, minute=10),
    },
    "purge-expired-sessions": {
        "task": "portal.core.tasks.sessions_clear_expired",
        "schedule": crontab(hour=3, minute=15),
    },
    "purge-old-employee-lists": {
        "task": "employers.tasks.import_batches_purge_task",
        "schedule": crontab(hour=3, minute=45),
    },
    # Cabinet invitations a failed or lost task left unsent (each address is mailed once).
    "employers-invitations-unsent": {
        "task": "employers.tasks.invitations_send_task",
        "schedule": crontab(minute=25),
    },
    # Guarantee letters expiring in 3 days: a reminder each, once (feedback.services.notifications).
    "feedback-guarantee-letters-expiry": {
        "task": "feedback.tasks.guarantee_letters_expiry_remind",
        "schedule": crontab(hour=9, minute=30),
    },
    # The day-before reminders of clinic bookings, hourly in the daytime (each is sent once).
    "clinics-appointment-reminders": {
        "task": "clinics.tasks.appointment_reminders_send",
        "schedule": crontab(minute=5, hour="9-20"),
    },
    # The reminders two hours before a visit (push and SMS, as each person chose).
    "clinics-appointment-soon-reminders": {
        "task": "clinics.tasks.appointment_soon_reminders_send",
        "schedule": crontab(minute="*/10"),
    },
    # Co-pay: the day-before notices, the daily charges, reconciliation, activation.
    "payments-copay-notices": {
        "task": "payments.tasks.copay_notices_send",
        "schedule": crontab(hour=10, minute=0),
    },
    "payments-copay-daily-charges": {
        "task": "payments.tasks.copay_daily_charges",
        "schedule": crontab(hour=11, minute=0),
    },
    "payments-charges-reconcile": {
        "task": "payments.tasks.charges_reconcile",
        "schedule": crontab(minute="*/30"),
    },
    "payments-receipts-fetch": {
        "task": "payments.tasks.receipts_fetch_pending",
        "schedule": crontab(minute="*/15"),
    },
    "payments-enrollments-activate": {
        "task": "payments.tasks.enrollments_activate",
        "schedule": crontab(minute="*/20"),
    },
    "policies-child-links-end-at-15": {
        "task": "policies.tasks.child_links_end_at_15",
        "schedule": crontab(hour=0, minute=20),
    },
    # The travel quote's EUR rate: the Bank of Russia sets tomorrow's in the afternoon (Moscow).
    "claims-service-line-partitions-ahead": {
        "task": "claims.tasks.service_line_partitions_ahead",
        "schedule": crontab(hour=2, minute=40),
    },
    "shop-currency-rates-fetch": {
        "task": "shop.tasks.currency_rates_fetch",
        "schedule": crontab(hour="16,21", minute=0),
    },
}
# The Bank of Russia's daily rates (gateways.cbr); empty turns the fetch off.
CBR_DAILY_URL = env.str("CBR_DAILY_URL", default="https://www.cbr.ru/scripts/XML_daily.asp")
CBR_TIMEOUT = env.int("CBR_TIMEOUT", default=10)
# The РСА's АИС ОСАГО КБМ check (gateways.rsa); empty turns it off (quotes use class 3 and say so).
RSA_KBM_URL = env.str("RSA_KBM_URL", default="")
RSA_API_KEY = env.str("RSA_API_KEY", default="")
RSA_CONNECT_TIMEOUT = env.float("RSA_CONNECT_TIMEOUT", default=2.0)
RSA_TIMEOUT = env.float("RSA_TIMEOUT", default=5.0)
# Its emulator (devtools.rsa_emulator; development and tests only): how long «99 99 000001» waits.
RSA_EMULATOR = False
RSA_EMULATOR_DELAY = 8.0
# DaData's address suggestions (gateways.dadata): the base of Suggestions API 4.1; empty turns
# them off (addresses are taken as typed; the map and «Моё местоположение» give the point).
DADATA_SUGGESTIONS_URL = env.str("DADATA_SUGGESTIONS_URL", default="")
DADATA_API_KEY = env.str("DADATA_API_KEY", default="")
DADATA_CONNECT_TIMEOUT = env.float("DADATA_CONNECT_TIMEOUT", default=1.0)
DADATA_TIMEOUT = env.float("DADATA_TIMEOUT", default=2.0)
# Its emulator (devtools.dadata_emulator; development and tests only).
DADATA_EMULATOR = False

# --- Auth (allauth, axes) ---------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ("email", "first_name", "last_name", "middle_name")},
    },
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_LOGOUT_REDIRECT_URL = "home"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = env.str("ACCOUNT_EMAIL_VERIFICATION", default="mandatory")
ACCOUNT_UNIQUE_EMAIL = True
# Signup, login and reset tell nobody whether an address (or, at signup, a passport) is registered:
# the owner is told by e-mail instead (portal.accounts.forms.SignupForm.try_save).
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_SESSION_REMEMBER = False
# Failed logins per (user, IP) are django-axes' (5, then the lockout page); allauth's per-key
# limit sits above it and stops a spread attack on one account from many addresses.
ACCOUNT_RATE_LIMITS = {
    "login_failed": "10/m/ip,10/15m/key",
    "signup": "20/h/ip",
    "reset_password": "20/m/ip,5/h/key",
}
ACCOUNT_ADAPTER = "portal.accounts.adapters.AccountAdapter"
ACCOUNT_FORMS = {
    "signup": "portal.accounts.forms.SignupForm",
    "login": "portal.accounts.forms.LoginForm",
    "add_email": "portal.accounts.forms.EmailChangeForm",
}
ACCOUNT_CHANGE_EMAIL = True  # one address: a new one replaces the old once confirmed
ACCOUNT_EMAIL_NOTIFICATIONS = True  # password and e-mail changes are reported by e-mail
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Личный кабинет] "
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Личный кабинет застрахованного"
# Our own limits, counted by allauth's limiter too (portal.core.ratelimits): "hits/window".
PORTAL_RATE_LIMITS = {
    "sms_phone": env.str("RATE_LIMIT_SMS_PHONE", default="5/h"),
    "sms_user": env.str("RATE_LIMIT_SMS_USER", default="10/d"),
    "sms_ip": env.str("RATE_LIMIT_SMS_IP", default="20/h"),
    "pin_confirm": "5/15m",  # wrong PINs confirming an action, per user
    "pin_login_ip": "30/h",  # PIN logins tried from one address
    "esia_app_ip": "30/h",  # ESIA logins started by the store apps from one address
    # «Добавить полис» and «Добавить полис ребёнка» share one count per person
    "policy_search": "10/h",
    "activation_user": "10/h",  # boxed policy activation codes tried by a person
    "activation_number": "5/h",  # ... and for one policy number, by anyone
    "api_user": env.str("RATE_LIMIT_API_USER", default="600/m,6000/h"),  # API calls per person
}
# The proxies in front of the app (portal.core.client_ip, README «Production»): their number, or
# their addresses and networks; empty: none, and X-Forwarded-For is ignored.
TRUSTED_PROXIES = env.str("TRUSTED_PROXIES", default="")
SMS_CODE_TTL_SECONDS = 5 * 60
SMS_CODE_MAX_ATTEMPTS = 3
SMS_RESEND_SECONDS = 60
PIN_LOGIN_MAX_FAILURES = 5  # wrong PINs in a row on a remembered device forget it
# A change of e-mail or phone written by support waits this long for the person's confirmation;
# a login through ESIA counts as confirming it for this many seconds after the callback.
IDENTIFIER_CHANGE_TTL_HOURS = 72
IDENTIFIER_CHANGE_ESIA_MAX_AGE_SECONDS = 5 * 60
REMEMBERED_DEVICE_COOKIE_NAME = "portal_device"
REMEMBERED_DEVICE_COOKIE_AGE = 180 * 24 * 3600
CONSENT_PERSONAL_DATA_VERSION = "2026-01"
# The separate consent to process health data (152-FZ art. 9 part 4): the version of its text
# (templates/accounts/consents/health_data_<version>.txt); a new version asks everyone again.
CONSENT_HEALTH_DATA_VERSION = "2026-01"
# How long personal data is kept (152-FZ art. 5 part 7), applied by the daily beat job and
# `manage.py personal_data_retention` (cabinet.retention), each run leaving an act of destruction.
PERSONAL_DATA_RETENTION = {
    # the register and the service history: years after the person's insurance ended
    "register_years": 5,
    # a closed account's remaining data (its history, its uploaded files): years after closing
    "closed_account_years": 3,
    # SMS codes and login records (django-axes): days
    "sms_and_login_days": 365,
}
# The store apps log in through allauth's headless API for apps (/_allauth/app/v1/, the session
# token in X-Session-Token); the web pages keep allauth's own views. Links in its e-mails open
# those pages. The portal's own steps (the SMS code, the PIN login) are under /api/v1/auth/.
HEADLESS_CLIENTS = ("app",)
HEADLESS_ONLY = False
HEADLESS_SERVE_SPECIFICATION = False
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False  # an ESIA login never takes over an account by e-mail
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = False
SOCIALACCOUNT_ADAPTER = "portal.esia.adapter.SocialAccountAdapter"
SOCIALACCOUNT_FORMS = {"signup": "portal.esia.forms.EsiaSignupForm"}
SOCIALACCOUNT_AUTO_SIGNUP = False  # a new ESIA person always gives an e-mail and a PIN
SOCIALACCOUNT_STORE_TOKENS = False

# --- ESIA (Госуслуги) login: portal/esia, docs/reference/esia.md ------------------------------
# Off (404) unless ESIA_CLIENT_ID, the system's mnemonic, is set; dev and test point it at the
# emulator. Paths default to var/esia/, where dev makes its own keys on first use.
ESIA_CLIENT_ID = env.str("ESIA_CLIENT_ID", default="")
ESIA_BASE_URL = env.str("ESIA_BASE_URL", default="https://esia-portal1.test.gosuslugi.ru")
ESIA_ISSUER = env.str("ESIA_ISSUER", default="http://esia-portal1.test.gosuslugi.ru/")
ESIA_ACCESS_TYPE = "online"
ESIA_TIMEOUT = env.int("ESIA_TIMEOUT", default=10)
# Where ESIA sends a person back in the store apps (portal.esia.app, /api/v1/auth/esia/…): an
# App Link / Universal Link the apps claim, registered with ESIA. Empty: the portal's own
# /accounts/esia/app/ (its page asks to go back to the app when the app did not open).
ESIA_APP_REDIRECT_URI = env.str("ESIA_APP_REDIRECT_URI", default="")
# The signer (portal.esia.signer): OpenSSLSigner (key and certificate files) or CommandSigner
# (ESIA_SIGNER_COMMAND, e.g. CryptoPro's cryptcp); gost2012_256 or rsa_sha256 (tests); the
# signature sent bare ("raw", as the public v2/v3 clients do) or as a detached CMS ("cms").
ESIA_SIGNER = env.str("ESIA_SIGNER", default="portal.esia.signer.OpenSSLSigner")
ESIA_SIGNATURE_ALGORITHM = env.str("ESIA_SIGNATURE_ALGORITHM", default="gost2012_256")
ESIA_SIGNATURE_FORMAT = env.str("ESIA_SIGNATURE_FORMAT", default="raw")
ESIA_KEY_PATH = env.str("ESIA_KEY_PATH", default=str(VAR_DIR / "esia" / "client-key.pem"))
ESIA_CERT_PATH = env.str("ESIA_CERT_PATH", default=str(VAR_DIR / "esia" / "client-cert.pem"))
ESIA_CERT_HASH = env.str("ESIA_CERT_HASH", default="")  # hex; by default ESIA_CERT_PATH's
# client_certificate_hash in hex "upper" case (as CryptoPro's cpverify prints it) or "lower"
ESIA_CERT_HASH_CASE = env.str("ESIA_CERT_HASH_CASE", default="upper")
ESIA_SIGNER_COMMAND = env.str("ESIA_SIGNER_COMMAND", default="")
ESIA_OPENSSL = env.str("ESIA_OPENSSL", default="openssl")
# The id_token algorithms accepted, each with ESIA's certificate for it (portal.esia.jws):
# "GOST3410_2012_256=/etc/portal/esia/esia-gost.pem,RS256=/etc/portal/esia/esia-rsa.pem".
# ESIA signs with the algorithm the system is registered with; the token's `alg` only picks.
ESIA_ID_TOKEN_KEYS = env.dict(
    "ESIA_ID_TOKEN_KEYS", default={"RS256": str(VAR_DIR / "esia" / "emulator-cert.pem")}
)
ESIA_DEV_KEYS_AUTOCREATE = False
# The emulator (devtools/esia_emulator; dev and test only). "" = the portal's own client id and
# certificate are the registered ones, and the portal's signature format is expected.
ESIA_EMULATOR = False
# The ЮKassa emulator (devtools/yookassa_emulator; dev and test only) and where it notifies.
YOOKASSA_EMULATOR = False
YOOKASSA_EMULATOR_NOTIFY_URL = ""
ESIA_EMULATOR_CLIENT_ID = ""
ESIA_EMULATOR_CLIENT_CERT = ""
ESIA_EMULATOR_SIGNATURE_FORMAT = ""
ESIA_EMULATOR_CERT_HASH_CASE = "upper"  # the case of client_certificate_hash it accepts
# The emulator signs its tokens with this algorithm and key; ESIA_ID_TOKEN_KEYS names its cert.
ESIA_EMULATOR_JWS_ALGORITHM = "RS256"
ESIA_EMULATOR_KEY_PATH = str(VAR_DIR / "esia" / "emulator-key.pem")
ESIA_EMULATOR_CERT_PATH = str(VAR_DIR / "esia" / "emulator-cert.pem")
ESIA_EMULATOR_REDIRECT_URIS = [
    "http://127.0.0.1:*/accounts/esia/login/callback/",
    "http://localhost:*/accounts/esia/login/callback/",
    "http://127.0.0.1:*/accounts/esia/app/",
    "http://localhost:*/accounts/esia/app/",
]
ESIA_EMULATOR_LOGOUT_URLS = ["http://127.0.0.1:*/*", "http://localhost:*/*"]
ESIA_EMULATOR_SKEW_SECONDS = 300
ESIA_EMULATOR_CODE_TTL = 60

AXES_FAILURE_LIMIT = 5
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "login"
AXES_USERNAME_CALLABLE = "portal.accounts.axes.axes_username"
AXES_COOLOFF_TIME = 1  # hours
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "account/lockout.html"
AXES_VERBOSE = False
AXES_CLIENT_IP_CALLABLE = "portal.core.client_ip.client_ip"

SESSION_COOKIE_AGE = env.int("SESSION_ABSOLUTE_SECONDS", default=12 * 3600)
SESSION_IDLE_SECONDS = env.int("SESSION_IDLE_SECONDS", default=30 * 60)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# --- I18N -----------------------------------------------------------------------------------
LANGUAGE_CODE = "ru"
LANGUAGES = [("ru", _("Русский"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Moscow"
USE_I18N = True
USE_TZ = True

# --- Static and private files -----------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
PRIVATE_MEDIA_ROOT = Path(env.str("PRIVATE_MEDIA_ROOT", default=str(VAR_DIR / "private")))


def s3_storage(
    *,
    bucket: str,
    endpoint_url: str | None,
    access_key: str | None,
    secret_key: str | None,
    region: str | None,
    addressing_style: str | None,
) -> dict:
    """A private bucket of any S3-compatible store (django-storages with boto3): Yandex Object
    Storage, VK Cloud, Selectel, MinIO... Files are never public: the views that check the owner
    stream them."""
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": bucket,
            "endpoint_url": endpoint_url or None,
            "access_key": access_key or None,
            "secret_key": secret_key or None,
            "region_name": region or None,
            "addressing_style": addressing_style or None,
            "signature_version": "s3v4",
            "default_acl": None,  # the bucket's own (private) access; some stores refuse ACLs
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }


# Uploads and generated PDFs: outside the web root, no public URL; served only through views that
# check the owner. A bucket when AWS_STORAGE_BUCKET_NAME is set, else a local folder (production
# refuses one unless it is named shared: portal.settings.production).
AWS_STORAGE_BUCKET_NAME = env.str("AWS_STORAGE_BUCKET_NAME", default="")
if AWS_STORAGE_BUCKET_NAME:
    _DEFAULT_STORAGE = s3_storage(
        bucket=AWS_STORAGE_BUCKET_NAME,
        endpoint_url=env.str("AWS_S3_ENDPOINT_URL", default=""),
        access_key=env.str("AWS_S3_ACCESS_KEY_ID", default=""),
        secret_key=env.str("AWS_S3_SECRET_ACCESS_KEY", default=""),
        region=env.str("AWS_S3_REGION_NAME", default=""),
        addressing_style=env.str("AWS_S3_ADDRESSING_STYLE", default=""),
    )
else:
    _DEFAULT_STORAGE = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(PRIVATE_MEDIA_ROOT), "base_url": None},
    }
STORAGES = {
    "default": _DEFAULT_STORAGE,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
FILE_UPLOAD_PERMISSIONS = 0o640
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o750
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
# HR employee lists (employers): the upload's size, what an XLSX may inflate to (zip bombs), rows.
EMPLOYERS_IMPORT_MAX_BYTES = env.int("EMPLOYERS_IMPORT_MAX_BYTES", default=20 * 1024 * 1024)
EMPLOYERS_IMPORT_MAX_UNCOMPRESSED_BYTES = env.int(
    "EMPLOYERS_IMPORT_MAX_UNCOMPRESSED_BYTES", default=200 * 1024 * 1024
)
EMPLOYERS_IMPORT_MAX_ROWS = env.int("EMPLOYERS_IMPORT_MAX_ROWS", default=200_000)
# Claim documents and photos (portal.core.uploads): each file, and the files of one claim.
CLAIMS_UPLOAD_MAX_BYTES = env.int("CLAIMS_UPLOAD_MAX_BYTES", default=10 * 1024 * 1024)
CLAIMS_UPLOAD_MAX_FILES = env.int("CLAIMS_UPLOAD_MAX_FILES", default=20)
APPEALS_UPLOAD_MAX_BYTES = env.int("APPEALS_UPLOAD_MAX_BYTES", default=10 * 1024 * 1024)
APPEALS_UPLOAD_MAX_FILES = env.int("APPEALS_UPLOAD_MAX_FILES", default=10)
# Working days (Russian calendar) to answer an appeal, per kind (feedback.services.appeal_due_on).
APPEAL_DUE_WORKING_DAYS = {
    "review": 10,
    "thanks": 10,
    "complaint": 5,
    "not_provided": 5,
    "clinic_refused": 5,
    "question": 5,
}
# The antivirus hook of uploads: clamd on a Unix socket or TCP. Unset = no scanning; once set,
# a file that cannot be scanned is refused (fails closed).
CLAMD_SOCKET = env.str("CLAMD_SOCKET", default="")
CLAMD_HOST = env.str("CLAMD_HOST", default="")
CLAMD_PORT = env.int("CLAMD_PORT", default=3310)
CLAMD_TIMEOUT = env.int("CLAMD_TIMEOUT", default=30)

# --- E-mail and SMS -------------------------------------------------------------------------
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Личный кабинет <noreply@portal.local>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
SMS_BACKEND = env.str("SMS_BACKEND", default="portal.accounts.sms.ConsoleOutboxBackend")
SMS_OUTBOX_DIR = Path(env.str("SMS_OUTBOX_DIR", default=str(VAR_DIR / "sms-outbox")))

# --- Security headers -------------------------------------------------------------------------
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
MAP_TILES_URL = env.str("MAP_TILES_URL", default="https://tile.openstreetmap.org/{z}/{x}/{y}.png")
STRIPE_JS_URL = env.str("STRIPE_JS_URL", default="http://localhost:8420/js.stripe.com/v3/")
STRIPE_API_BASE = env.str("STRIPE_API_BASE", default="http://localhost:8420")
STRIPE_SECRET_KEY = env.str("STRIPE_SECRET_KEY", default="sk_test_localstripe")
STRIPE_PUBLISHABLE_KEY = env.str("STRIPE_PUBLISHABLE_KEY", default="pk_test_localstripe")
STRIPE_WEBHOOK_SECRET = env.str("STRIPE_WEBHOOK_SECRET", default="whsec_localstripe")
STRIPE_TIMEOUT_SECONDS = env.float("STRIPE_TIMEOUT_SECONDS", default=20.0)
# PAYMENT_GATEWAY=stripe|yookassa picks the acquirer (PAYMENTS_GATEWAY, a dotted path, still wins
# when set: tests point it at a fake).
PAYMENT_GATEWAYS = {
    "stripe": "gateways.stripe.StripeGateway",
    "yookassa": "gateways.yookassa.YooKassaGateway",
}
PAYMENT_GATEWAY = env.str("PAYMENT_GATEWAY", default="stripe")
PAYMENTS_GATEWAY = env.str("PAYMENTS_GATEWAY", default=PAYMENT_GATEWAYS.get(PAYMENT_GATEWAY, ""))
# ЮKassa (gateways.yookassa): the shop's id and secret key, the API address (the emulator in
# development and tests), a real timeout per request and our own retries (the SDK has neither).
YOOKASSA_SHOP_ID = env.str("YOOKASSA_SHOP_ID", default="100500")
YOOKASSA_SECRET_KEY = env.str("YOOKASSA_SECRET_KEY", default="test_emulator_secret")
YOOKASSA_API_URL = env.str("YOOKASSA_API_URL", default="http://127.0.0.1:8000/yookassa-emulator/v3")
YOOKASSA_TIMEOUT_SECONDS = env.float("YOOKASSA_TIMEOUT_SECONDS", default=20.0)
YOOKASSA_RETRIES = env.int("YOOKASSA_RETRIES", default=2)
YOOKASSA_RETRY_PAUSE_SECONDS = env.float("YOOKASSA_RETRY_PAUSE_SECONDS", default=0.5)
# The sum authorised and then cancelled when a card is bound (ЮKassa's save-during-payment).
YOOKASSA_CARD_CHECK_AMOUNT = env.str("YOOKASSA_CARD_CHECK_AMOUNT", default="10.00")
# ЮKassa's notifications are not signed: only these networks may send them (yookassa.ru/developers
# /using-api/webhooks, «IP-адреса ЮKassa»).
YOOKASSA_NOTIFY_NETWORKS = env.list(
    "YOOKASSA_NOTIFY_NETWORKS",
    default=[
        "185.71.76.0/27",
        "185.71.77.0/27",
        "77.75.153.0/25",
        "77.75.156.11/32",
        "77.75.156.35/32",
        "77.75.154.128/25",
        "2a02:5180::/32",
    ],
)
# 54-ФЗ: the seller's tax system (1 ОСН … 6 ПСН) sent with every receipt; insurance premiums and
# co-payments are VAT-exempt (vat_code 1 «Без НДС»). payment_subject «service»: insurance and a
# co-payment for medical care are services (ЮKassa's «insurance_premium» is tag 1212 = 16,
# compulsory social insurance contributions, not premiums under a contract); payment_mode
# «full_payment»: the policy is issued / the service was rendered when the money is taken.
# (Empty as unset: docker-compose.yml passes it through empty when the gateway is Stripe.)
FISCAL_TAX_SYSTEM_CODE = int(env.str("FISCAL_TAX_SYSTEM_CODE", default="") or 1)
FISCAL_VAT_CODE = 1
FISCAL_PREMIUM_SUBJECT = "service"
FISCAL_COPAY_SUBJECT = "service"
FISCAL_PAYMENT_MODE = "full_payment"
# A refund the provider refused is sent again after these many hours; the operator is told after
# the last try.
REFUND_RETRY_HOURS = (1, 6, 24)
# The co-pay program's terms: the version recorded with each consent.
COPAY_TERMS_VERSION = env.str("COPAY_TERMS_VERSION", default="2026-01")
# Days after a failed daily charge before the next automatic try (then the person pays on-session).
COPAY_RETRY_DAYS = (1, 3, 7)
# The daily run's provider calls in flight at once per worker (each charge committed before its
# call; the provider's idempotency key makes a repeat harmless). 1 = one after another.
COPAY_PROVIDER_CONCURRENCY = env.int("COPAY_PROVIDER_CONCURRENCY", default=100)


def _origin(url: str) -> str:
    scheme, _sep, rest = url.partition("://")
    return f"{scheme}://{rest.split('/', 1)[0]}" if rest else url


CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'", _origin(STRIPE_JS_URL)],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", _origin(MAP_TILES_URL.replace("{s}.", ""))],
        "connect-src": ["'self'", _origin(STRIPE_API_BASE)],
        "frame-src": ["'self'", _origin(STRIPE_JS_URL)],
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        # a login through ESIA is a form post that the portal redirects to ESIA
        # (and the «pay» forms that ЮKassa's page follows: its confirmation URLs' origin)
        "form-action": ["'self'", _origin(ESIA_BASE_URL)]
        + (["https://yoomoney.ru"] if PAYMENT_GATEWAY == "yookassa" else []),
        "frame-ancestors": ["'none'"],
    },
}

# --- Personal data --------------------------------------------------------------------------
# Key for field-level encryption of passport numbers (Fernet, urlsafe base64 of 32 bytes). The
# development default is derived from SECRET_KEY; production sets its own.
FIELD_ENCRYPTION_KEY = env.str("FIELD_ENCRYPTION_KEY", default="")

# --- Product facts --------------------------------------------------------------------------
PORTAL_NAME = "Личный кабинет застрахованного"
INSURER_NAME = env.str("INSURER_NAME", default="АО «Страховая компания „Надёжный полис“»")
# The insurer's details printed on policy PDFs (policies.pdf); the defaults are fictitious.
INSURER_NAME_EN = env.str("INSURER_NAME_EN", default="JSC Insurance Company Nadyozhny Polis")
INSURER_INN = env.str("INSURER_INN", default="7709988778")
INSURER_OGRN = env.str("INSURER_OGRN", default="1027709988778")
INSURER_LICENCE = env.str("INSURER_LICENCE", default="СИ № 4321 от 15.03.2021")
# What the admin's «Реквизиты страховщика» leaves empty is taken from here
# (portal.core.insurer.insurer_details): КПП, the licence's number and date, the phones.
INSURER_KPP = env.str("INSURER_KPP", default="770301001")
INSURER_LICENCE_NUMBER = env.str("INSURER_LICENCE_NUMBER", default="СИ № 4321")
INSURER_LICENCE_DATE = env.str("INSURER_LICENCE_DATE", default="2021-03-15")
INSURER_PHONES = env.list("INSURER_PHONES", default=["+78003024419", "+74957771122"])
INSURER_WEBSITE = env.str("INSURER_WEBSITE", default="nadpolis.example")
INSURER_ADDRESS = env.str(
    "INSURER_ADDRESS", default="123112, г. Москва, Пресненская наб., д. 12, стр. 1"
)
# The portal's public address: the QR code of a policy PDF leads to {PORTAL_PUBLIC_URL}/verify/…
PORTAL_PUBLIC_URL = env.str("PORTAL_PUBLIC_URL", default="http://localhost:8000")
# WeasyPrint reads fonts from this folder and our static files only (policies.pdf.fetcher).
PDF_FONT_DIR = env.str("PDF_FONT_DIR", default="/usr/share/fonts/truetype/dejavu")
# Web Push (gateways.webpush): the VAPID key pair (P-256; `manage.py vapid_keys` makes one) and
# the contact the push services see. Without a private key push is off.
VAPID_PRIVATE_KEY = env.str("VAPID_PRIVATE_KEY", default="")
VAPID_PUBLIC_KEY = env.str("VAPID_PUBLIC_KEY", default="")
VAPID_SUBJECT = env.str("VAPID_SUBJECT", default="mailto:support@example.com")
WEBPUSH_TIMEOUT = env.float("WEBPUSH_TIMEOUT", default=10.0)
PUSH_EMULATOR = False  # devtools.push_emulator, a push service for development and tests
# Firebase Cloud Messaging to the store apps (gateways.fcm): the service account's JSON key as the
# Firebase console gives it (the text, or a file); without one FCM is off. The project defaults
# to the account's. The addresses are Google's; dev and test point them at devtools.fcm_emulator.
FCM_SERVICE_ACCOUNT_JSON = env.str("FCM_SERVICE_ACCOUNT_JSON", default="")
FCM_SERVICE_ACCOUNT_FILE = env.str("FCM_SERVICE_ACCOUNT_FILE", default="")
FCM_PROJECT_ID = env.str("FCM_PROJECT_ID", default="")
FCM_API_URL = env.str("FCM_API_URL", default="https://fcm.googleapis.com")
FCM_TOKEN_URL = env.str("FCM_TOKEN_URL", default="https://oauth2.googleapis.com/token")
FCM_TIMEOUT = env.float("FCM_TIMEOUT", default=10.0)
FCM_EMULATOR = False  # devtools.fcm_emulator: FCM and Google's token service, dev and tests only
# The service account the emulator knows (JSON text or a file); empty: the portal's own.
FCM_EMULATOR_SERVICE_ACCOUNT = ""
# The installable app (cabinet.pwa): its short name and colours, and the store apps' pages that
# the landing and login pages link to on phones (empty: no link).
PWA_SHORT_NAME = "Мой ДМС"
PWA_THEME_COLOR = "#006b73"
PWA_BACKGROUND_COLOR = "#f4f7f8"
APP_STORE_URL = env.str("APP_STORE_URL", default="")
GOOGLE_PLAY_URL = env.str("GOOGLE_PLAY_URL", default="")
RUSTORE_URL = env.str("RUSTORE_URL", default="")
HOTLINE_PHONE = "+78003024419"
HOTLINE_PHONE_DISPLAY = "+7\u00a0(800)\u00a0302-44-19"  # as every phone is written

LEAFLET_CONFIG = {
    "TILES": [("OSM", MAP_TILES_URL, {"attribution": "© OpenStreetMap"})],
    "DEFAULT_CENTER": (55.751244, 37.618423),
    "DEFAULT_ZOOM": 10,
    "RESET_VIEW": False,
}

# --- Logging --------------------------------------------------------------------------------
LOG_FORMAT = env.str("LOG_FORMAT", default="text")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"personal_data": {"()": "portal.core.logging.PersonalDataFilter"}},
    "formatters": {
        "text": {
            "()": "portal.core.logging.MaskingFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s: %(message)s",
        },
        "json": {
            "()": "portal.core.logging.MaskingJsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["personal_data"],
        },
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "weasyprint": {"level": "ERROR"},
        "fontTools": {"level": "ERROR"},
    },
}
SMS_PROVIDER_URL = env.str("SMS_PROVIDER_URL", default="")
SMS_PROVIDER_TOKEN = env.str("SMS_PROVIDER_TOKEN", default="")

# --- Error reports (portal.core.sentry): a self-hosted Sentry or a compatible service ----------
# Unset: no reports. Personal data is masked before anything is sent.
SENTRY_DSN = env.str("SENTRY_DSN", default="")
if SENTRY_DSN:
    from portal.core.sentry import sentry_init

    sentry_init(
        dsn=SENTRY_DSN,
        environment=env.str("SENTRY_ENVIRONMENT", default=""),
        release=env.str("SENTRY_RELEASE", default=""),
        traces_sample_rate=env.float("SENTRY_TRACES_SAMPLE_RATE", default=0.0),
    )

# --- Prometheus metrics (portal.core.metrics) at /metrics/ -------------------------------------
# Who may read them: these addresses and networks (the client's address as TRUSTED_PROXIES makes
# it known), or a request with "Authorization: Bearer <METRICS_TOKEN>"; anyone else gets a 404.
METRICS_ALLOWED_IPS = env.str("METRICS_ALLOWED_IPS", default="127.0.0.1/32,::1/128")
METRICS_TOKEN = env.str("METRICS_TOKEN", default="")
METRICS_CELERY_QUEUES = env.list("METRICS_CELERY_QUEUES", default=["celery"])
# What the apps report at each scrape (functions yielding metric families).
METRICS_COLLECTORS = ["payments.metrics.copay_daily_run", "policies.metrics.pdf_documents"]
