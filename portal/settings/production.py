"""Production: every secret comes from the environment and has no default.

Refuses to start without DJANGO_SECRET_KEY, DATABASE_URL, REDIS_URL, DJANGO_ALLOWED_HOSTS,
FIELD_ENCRYPTION_KEY and PORTAL_PUBLIC_URL, without the payment gateway's live credentials,
without shared file storage (a bucket or SHARED_MEDIA_ROOT), and with the ESIA emulator on.
"""

import ipaddress
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import (
    AWS_STORAGE_BUCKET_NAME,
    CONTENT_SECURITY_POLICY,
    DATABASES,
    FCM_API_URL,
    FCM_TOKEN_URL,
    LOGGING,
    PAYMENT_GATEWAYS,
    STORAGES,
    STRIPE_API_BASE,
    STRIPE_JS_URL,
    YOOKASSA_NOTIFY_NETWORKS,
    _origin,
    env,
    redis_cache,
)

DEBUG = False
SECRET_KEY = env.str("DJANGO_SECRET_KEY")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS")
env.str("DATABASE_URL")  # required here; base.py built DATABASES from it (and the replica's)
if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    raise ImproperlyConfigured("Production runs on PostgreSQL: DATABASE_URL must be postgres://")
for _alias in DATABASES:
    DATABASES[_alias]["OPTIONS"]["pool"]["min_size"] = 2
REDIS_URL = env.str("REDIS_URL")
CACHES = {"default": redis_cache(REDIS_URL)}
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL)
CELERY_TASK_ALWAYS_EAGER = False
FIELD_ENCRYPTION_KEY = env.str("FIELD_ENCRYPTION_KEY")
# Links in e-mails and the QR codes of policy PDFs lead here: never the development default.
PORTAL_PUBLIC_URL = env.str("PORTAL_PUBLIC_URL")
if not PORTAL_PUBLIC_URL.startswith("https://"):
    raise ImproperlyConfigured("PORTAL_PUBLIC_URL must be the portal's https:// address")

ESIA_EMULATOR = env.bool("ESIA_EMULATOR", default=False)
if ESIA_EMULATOR:
    raise ImproperlyConfigured("The ESIA emulator is for development and tests only")
RSA_EMULATOR = env.bool("RSA_EMULATOR", default=False)
if RSA_EMULATOR:
    raise ImproperlyConfigured("The РСА emulator is for development and tests only")
DADATA_EMULATOR = env.bool("DADATA_EMULATOR", default=False)
if DADATA_EMULATOR:
    raise ImproperlyConfigured("The DaData emulator is for development and tests only")
PUSH_EMULATOR = env.bool("PUSH_EMULATOR", default=False)
if PUSH_EMULATOR:
    raise ImproperlyConfigured("The push service emulator is for development and tests only")
FCM_EMULATOR = env.bool("FCM_EMULATOR", default=False)
if FCM_EMULATOR:
    raise ImproperlyConfigured("The FCM emulator is for development and tests only")
if not (FCM_API_URL.startswith("https://") and FCM_TOKEN_URL.startswith("https://")):
    raise ImproperlyConfigured("FCM_API_URL and FCM_TOKEN_URL must be https:// addresses")
YOOKASSA_EMULATOR = env.bool("YOOKASSA_EMULATOR", default=False)
if YOOKASSA_EMULATOR:
    raise ImproperlyConfigured("The ЮKassa emulator is for development and tests only")
if env.str("ESIA_CLIENT_ID", default=""):
    # ESIA login is on: ESIA's address, issuer and certificate, and our own certificate (or its
    # hash) and key, are set explicitly, never taken from the development defaults.
    ESIA_BASE_URL = env.str("ESIA_BASE_URL")
    ESIA_ISSUER = env.str("ESIA_ISSUER")
    ESIA_ID_TOKEN_KEYS = env.dict("ESIA_ID_TOKEN_KEYS")
    if not ESIA_ID_TOKEN_KEYS or set(ESIA_ID_TOKEN_KEYS) - {"GOST3410_2012_256", "RS256"}:
        raise ImproperlyConfigured("ESIA_ID_TOKEN_KEYS: GOST3410_2012_256=… and/or RS256=…")
    if env.str("ESIA_SIGNER", default=".OpenSSLSigner").endswith(".OpenSSLSigner"):
        ESIA_KEY_PATH = env.str("ESIA_KEY_PATH")
        ESIA_CERT_PATH = env.str("ESIA_CERT_PATH")
    elif not env.str("ESIA_CERT_HASH", default=""):
        ESIA_CERT_PATH = env.str("ESIA_CERT_PATH")

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
# probes of the load balancer and compose, and the metrics scraper, speak HTTP inside
SECURE_REDIRECT_EXEMPT = [r"^healthz/$", r"^livez/$", r"^metrics/$"]
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_NAME = "__Host-sessionid"
REMEMBERED_DEVICE_COOKIE_NAME = "__Host-portal_device"
CSRF_COOKIE_NAME = "__Host-csrftoken"

EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
SMS_BACKEND = env.str("SMS_BACKEND", default="portal.accounts.sms.HttpProviderBackend")

STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# Files on storage that every web and worker instance shares: a bucket (AWS_STORAGE_BUCKET_NAME,
# set up in base), or a folder named shared explicitly (a volume every instance mounts, NFS...).
# A local folder of one host would serve its files on that host only, and a PDF made by a worker
# elsewhere would be "missing" on every other one.
SHARED_MEDIA_ROOT = env.str("SHARED_MEDIA_ROOT", default="")
if AWS_STORAGE_BUCKET_NAME:
    pass  # the bucket (base); SHARED_MEDIA_ROOT, if set too, is not used
elif SHARED_MEDIA_ROOT:
    STORAGES["default"] = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": SHARED_MEDIA_ROOT, "base_url": None},
    }
else:
    raise ImproperlyConfigured(
        "Production keeps files (uploads, PDFs) on storage every instance shares: set "
        "AWS_STORAGE_BUCKET_NAME (with AWS_S3_ENDPOINT_URL, AWS_S3_ACCESS_KEY_ID, "
        "AWS_S3_SECRET_ACCESS_KEY, AWS_S3_REGION_NAME) for an S3-compatible bucket, or "
        "SHARED_MEDIA_ROOT to a folder that every web and worker host mounts"
    )

LOGGING = {**LOGGING, "handlers": {**LOGGING["handlers"]}}
LOGGING["handlers"]["console"] = {**LOGGING["handlers"]["console"], "formatter": "json"}

# --- Payments: the gateway's live credentials, never localstripe's ----------------------------


def _payment_secret(name: str, *prefixes: str) -> str:
    """A credential of the payment provider, from the environment only: not localstripe's
    development value, and of the provider's live kind (a test-mode key would let anyone pay
    for a real policy with a test card number)."""
    value = env.str(name)
    if "localstripe" in value.lower() or not value.startswith(prefixes):
        raise ImproperlyConfigured(
            f"{name} must be the payment provider's live credential ({' or '.join(prefixes)}…)"
        )
    return value


def _payment_url(name: str) -> str:
    """An address of the payment provider: HTTPS, and not this machine or a private network
    (where localstripe or another emulator would answer)."""
    value = env.str(name)
    parts = urlsplit(value)
    host = (parts.hostname or "").lower()
    try:
        local = not ipaddress.ip_address(host).is_global
    except ValueError:
        local = host in ("", "localhost") or host.endswith((".localhost", ".local", ".internal"))
    if parts.scheme != "https" or local:
        raise ImproperlyConfigured(f"{name} must be the payment provider's https:// address")
    return value


PAYMENT_GATEWAY = env.str("PAYMENT_GATEWAY", default="stripe")
if PAYMENT_GATEWAY not in PAYMENT_GATEWAYS:
    raise ImproperlyConfigured(f"PAYMENT_GATEWAY must be one of {', '.join(PAYMENT_GATEWAYS)}")
PAYMENTS_GATEWAY = env.str("PAYMENTS_GATEWAY", default=PAYMENT_GATEWAYS[PAYMENT_GATEWAY])
if PAYMENTS_GATEWAY not in PAYMENT_GATEWAYS.values():
    # A gateway brings its own credentials check here.
    raise ImproperlyConfigured(f"PAYMENTS_GATEWAY {PAYMENTS_GATEWAY}: no production credentials")
if PAYMENT_GATEWAYS["stripe"] == PAYMENTS_GATEWAY:
    STRIPE_SECRET_KEY = _payment_secret("STRIPE_SECRET_KEY", "sk_live_", "rk_live_")
    STRIPE_PUBLISHABLE_KEY = _payment_secret("STRIPE_PUBLISHABLE_KEY", "pk_live_")
    STRIPE_WEBHOOK_SECRET = _payment_secret("STRIPE_WEBHOOK_SECRET", "whsec_")
    STRIPE_API_BASE = _payment_url("STRIPE_API_BASE")
    STRIPE_JS_URL = _payment_url("STRIPE_JS_URL")
else:
    # ЮKassa: the shop's id (digits) and its live secret key («live_…»; a «test_…» key is a test
    # shop's, where test cards pay), at ЮKassa's https address, never the emulator's.
    YOOKASSA_SHOP_ID = env.str("YOOKASSA_SHOP_ID")
    if not YOOKASSA_SHOP_ID.isdigit():
        raise ImproperlyConfigured("YOOKASSA_SHOP_ID must be the shop's number (shopId)")
    YOOKASSA_SECRET_KEY = _payment_secret("YOOKASSA_SECRET_KEY", "live_")
    YOOKASSA_API_URL = _payment_url("YOOKASSA_API_URL")
    YOOKASSA_NOTIFY_NETWORKS = env.list(
        "YOOKASSA_NOTIFY_NETWORKS", default=YOOKASSA_NOTIFY_NETWORKS
    )
    _tax_system = env.str("FISCAL_TAX_SYSTEM_CODE")  # empty when compose passes it unset
    if _tax_system not in {str(code) for code in range(1, 7)}:
        raise ImproperlyConfigured("FISCAL_TAX_SYSTEM_CODE must be ЮKassa's code 1–6")
    FISCAL_TAX_SYSTEM_CODE = int(_tax_system)
    # No Stripe page is served: the content security policy names no Stripe origin (nor the
    # development default's localstripe, which the unused Stripe settings keep).
    _stripe_origins = {_origin(STRIPE_JS_URL), _origin(STRIPE_API_BASE)}
    CONTENT_SECURITY_POLICY = {
        **CONTENT_SECURITY_POLICY,
        "DIRECTIVES": {
            directive: [source for source in sources if source not in _stripe_origins]
            for directive, sources in CONTENT_SECURITY_POLICY["DIRECTIVES"].items()
        },
    }
