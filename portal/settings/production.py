"""Production: every secret comes from the environment and has no default.

Refuses to start without DJANGO_SECRET_KEY, DATABASE_URL, REDIS_URL, DJANGO_ALLOWED_HOSTS,
FIELD_ENCRYPTION_KEY and PORTAL_PUBLIC_URL, without the payment gateway's live credentials, and
with the ESIA emulator switched on.
"""

import ipaddress
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import LOGGING, STORAGES, env

DEBUG = False
SECRET_KEY = env.str("DJANGO_SECRET_KEY")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS")
DATABASES = {"default": env.db("DATABASE_URL")}
if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    raise ImproperlyConfigured("Production runs on PostgreSQL: DATABASE_URL must be postgres://")
DATABASES["default"]["OPTIONS"] = {
    "pool": {"min_size": 2, "max_size": env.int("DATABASE_POOL_MAX", default=10)}
}
REDIS_URL = env.str("REDIS_URL")
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "portal",
    }
}
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
SECURE_REDIRECT_EXEMPT = [r"^healthz/$"]  # probes of the load balancer and compose speak HTTP
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
if env.str("AWS_STORAGE_BUCKET_NAME", default=""):
    # S3-compatible private bucket (django-storages); files are never public, the views that check
    # the owner stream them.
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env.str("AWS_STORAGE_BUCKET_NAME"),
            "endpoint_url": env.str("AWS_S3_ENDPOINT_URL", default=None),
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }

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


PAYMENTS_GATEWAY = env.str("PAYMENTS_GATEWAY", default="gateways.stripe.StripeGateway")
if PAYMENTS_GATEWAY != "gateways.stripe.StripeGateway":
    # A new gateway brings its own credentials check here.
    raise ImproperlyConfigured(f"PAYMENTS_GATEWAY {PAYMENTS_GATEWAY}: no production credentials")
STRIPE_SECRET_KEY = _payment_secret("STRIPE_SECRET_KEY", "sk_live_", "rk_live_")
STRIPE_PUBLISHABLE_KEY = _payment_secret("STRIPE_PUBLISHABLE_KEY", "pk_live_")
STRIPE_WEBHOOK_SECRET = _payment_secret("STRIPE_WEBHOOK_SECRET", "whsec_")
STRIPE_API_BASE = _payment_url("STRIPE_API_BASE")
STRIPE_JS_URL = _payment_url("STRIPE_JS_URL")
