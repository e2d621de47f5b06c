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
    "axes",
    "csp",
    "leaflet",
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
]

MIDDLEWARE = [
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
        },
    },
]

# --- Database -----------------------------------------------------------------------------
# SQLite is the embedded default of `make run`; CI and production set DATABASE_URL to PostgreSQL.
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'portal.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].setdefault(
        "pool", {"min_size": 1, "max_size": env.int("DATABASE_POOL_MAX", default=10)}
    )
    DATABASES["default"]["CONN_MAX_AGE"] = 0  # the psycopg pool keeps connections instead
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache and Celery -----------------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "portal",
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL or "memory://")
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = "Europe/Moscow"
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE: dict = {
    "claims-notifications-resend": {
        "task": "claims.tasks.claim_notifications_resend",
        "schedule": crontab(minute="*/15"),
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
    "payments-enrollments-activate": {
        "task": "payments.tasks.enrollments_activate",
        "schedule": crontab(minute="*/20"),
    },
    "policies-child-links-end-at-15": {
        "task": "policies.tasks.child_links_end_at_15",
        "schedule": crontab(hour=0, minute=20),
    },
    # The travel quote's EUR rate: the Bank of Russia sets tomorrow's in the afternoon (Moscow).
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
    # «Добавить полис» and «Добавить полис ребёнка» share one count per person
    "policy_search": "10/h",
    "activation_user": "10/h",  # boxed policy activation codes tried by a person
    "activation_number": "5/h",  # ... and for one policy number, by anyone
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
STORAGES = {
    "default": {
        # Uploads and generated PDFs: outside the web root, no public URL; served only through
        # views that check the owner.
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(PRIVATE_MEDIA_ROOT), "base_url": None},
    },
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
PAYMENTS_GATEWAY = env.str("PAYMENTS_GATEWAY", default="gateways.stripe.StripeGateway")
# The co-pay program's terms: the version recorded with each consent.
COPAY_TERMS_VERSION = env.str("COPAY_TERMS_VERSION", default="2026-01")
# Days after a failed daily charge before the next automatic try (then the person pays on-session).
COPAY_RETRY_DAYS = (1, 3, 7)


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
        "form-action": ["'self'", _origin(ESIA_BASE_URL)],
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
INSURER_ADDRESS = env.str(
    "INSURER_ADDRESS", default="123112, г. Москва, Пресненская наб., д. 12, стр. 1"
)
# The portal's public address: the QR code of a policy PDF leads to {PORTAL_PUBLIC_URL}/verify/…
PORTAL_PUBLIC_URL = env.str("PORTAL_PUBLIC_URL", default="http://localhost:8000")
# WeasyPrint reads fonts from this folder and our static files only (policies.pdf.fetcher).
PDF_FONT_DIR = env.str("PDF_FONT_DIR", default="/usr/share/fonts/truetype/dejavu")
HOTLINE_PHONE = "+78003024419"
HOTLINE_PHONE_DISPLAY = "8-800-302-44-19"

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
        "text": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
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
