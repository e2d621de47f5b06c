"""The settings package boots in each mode from the environment alone.

Each case runs in a subprocess with an environment built from scratch, so that neither this test
run's variables nor an already configured Django leak into what is checked.
"""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.conf import settings

BASE_DIR = Path(settings.BASE_DIR)
POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/portal_settings_probe"
REDIS_URL = "redis://127.0.0.1:6379/15"

STRIPE_ENV = {
    "STRIPE_SECRET_KEY": "sk_live_" + "x" * 24,
    "STRIPE_PUBLISHABLE_KEY": "pk_live_" + "x" * 24,
    "STRIPE_WEBHOOK_SECRET": "whsec_" + "x" * 32,
    "STRIPE_API_BASE": "https://api.stripe.com",
    "STRIPE_JS_URL": "https://js.stripe.com/v3/",
}

PROBE = """
import json
import django
django.setup()
from django.conf import settings
from portal.celery import app
db = settings.DATABASES["default"]
cache = settings.CACHES["default"]
print(json.dumps({
    "engine": db["ENGINE"],
    "options": db.get("OPTIONS", {}),
    "conn_max_age": db.get("CONN_MAX_AGE"),
    "cache_backend": cache["BACKEND"],
    "cache_location": cache.get("LOCATION", ""),
    "eager": settings.CELERY_TASK_ALWAYS_EAGER,
    "broker": settings.CELERY_BROKER_URL,
    "app_broker": app.conf.broker_url,
    "app_eager": app.conf.task_always_eager,
    "debug": settings.DEBUG,
    "time_zone": settings.TIME_ZONE,
    "use_tz": settings.USE_TZ,
    "language_code": settings.LANGUAGE_CODE,
}))
"""


def production_env() -> dict[str, str]:
    return {
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(64),
        "DATABASE_URL": POSTGRES_URL,
        "REDIS_URL": REDIS_URL,
        "DJANGO_ALLOWED_HOSTS": "lk.example.ru",
        "FIELD_ENCRYPTION_KEY": Fernet.generate_key().decode(),
        "PORTAL_PUBLIC_URL": "https://lk.example.ru",
        "SHARED_MEDIA_ROOT": "/srv/portal-shared/private",
        **STRIPE_ENV,
    }


def production_refusal(variables: dict[str, str]) -> str:
    """Start Django under the production settings with `variables`: it must refuse
    (ImproperlyConfigured); its error output is returned for the test to read the reason."""
    result = run(["-c", "import django; django.setup()"], "portal.settings.production", **variables)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    return result.stderr


def run(args: list[str], settings_module: str, **variables: str) -> subprocess.CompletedProcess:
    environment = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(Path.home()),
        "LANG": "C.UTF-8",
        "DJANGO_SETTINGS_MODULE": settings_module,
        **variables,
    }
    return subprocess.run(  # noqa: S603 — our own interpreter and manage.py
        [sys.executable, *args],
        cwd=BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def probe(settings_module: str, **variables: str) -> dict:
    result = run(["-c", PROBE], settings_module, **variables)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_dev_default_boots_with_no_variables_on_sqlite_eager_celery_and_locmem_cache():
    # when
    found = probe("portal.settings.dev")
    check = run(["manage.py", "check"], "portal.settings.dev")

    # then
    assert found["engine"] == "django.db.backends.sqlite3"
    assert found["cache_backend"] == "django.core.cache.backends.locmem.LocMemCache"
    assert found["eager"] is True
    assert found["app_eager"] is True
    assert found["broker"] == "memory://"
    assert found["debug"] is True
    assert check.returncode == 0, check.stderr
    assert "System check identified no issues" in check.stdout


def test_dev_with_database_and_redis_urls_uses_pooled_postgres_redis_cache_and_real_celery():
    # when
    found = probe("portal.settings.dev", DATABASE_URL=POSTGRES_URL, REDIS_URL=REDIS_URL)

    # then
    assert found["engine"] == "django.db.backends.postgresql"
    assert found["options"]["pool"] == {"min_size": 1, "max_size": 10, "timeout": 3.0}
    assert found["conn_max_age"] == 0
    assert found["cache_backend"] == "portal.core.cache.ResilientRedisCache"
    assert found["cache_location"] == REDIS_URL
    assert found["eager"] is False
    assert found["app_eager"] is False
    assert found["broker"] == REDIS_URL
    assert found["app_broker"] == REDIS_URL


def test_time_zone_and_language_are_russian_in_every_mode():
    dev = probe("portal.settings.dev")
    production = probe("portal.settings.production", **production_env())

    for found in (dev, production):
        assert found["time_zone"] == "Europe/Moscow"
        assert found["use_tz"] is True
        assert found["language_code"] == "ru"
    assert settings.TIME_ZONE == "Europe/Moscow"
    assert settings.USE_TZ is True
    assert settings.LANGUAGE_CODE == "ru"


def test_production_with_everything_set_is_postgres_redis_and_not_eager():
    found = probe("portal.settings.production", **production_env())

    assert found["engine"] == "django.db.backends.postgresql"
    assert "pool" in found["options"]
    assert found["cache_backend"] == "portal.core.cache.ResilientRedisCache"
    assert found["eager"] is False
    assert found["app_broker"] == REDIS_URL
    assert found["debug"] is False


@pytest.mark.parametrize(
    "missing",
    [
        "DJANGO_SECRET_KEY",
        "DATABASE_URL",
        "REDIS_URL",
        "DJANGO_ALLOWED_HOSTS",
        "FIELD_ENCRYPTION_KEY",
        "PORTAL_PUBLIC_URL",
    ],
)
def test_production_refuses_to_start_without_a_required_variable(missing):
    # given
    variables = production_env()
    del variables[missing]

    # when
    result = run(["-c", "import django; django.setup()"], "portal.settings.production", **variables)

    # then
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert missing in result.stderr


def test_production_refuses_to_start_with_the_esia_emulator():
    result = run(
        ["-c", "import django; django.setup()"],
        "portal.settings.production",
        **production_env(),
        ESIA_EMULATOR="true",
    )

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "ESIA" in result.stderr


DEVTOOLS_PROBE = """
import sys
import django
django.setup()
from django.apps import apps
from django.core.management import get_commands
from django.urls import Resolver404, resolve
try:
    resolve("/esia-emulator/aas/oauth2/v2/ac")
    mounted = True
except Resolver404:
    mounted = False
commands = get_commands()
print(apps.is_installed("devtools"), mounted, "seed_demo" in commands, "esia_dev_keys" in commands)
print(sorted(name for name in sys.modules if name.split(".")[0] == "devtools"))
"""


def test_devtools_are_installed_in_development_and_not_even_imported_in_production():
    # when
    dev = run(["-c", DEVTOOLS_PROBE], "portal.settings.dev")
    production = run(["-c", DEVTOOLS_PROBE], "portal.settings.production", **production_env())

    # then: the demo commands and the ESIA emulator at /esia-emulator/ only in development
    assert dev.returncode == 0, dev.stderr
    assert dev.stdout.splitlines()[0] == "True True True True"
    assert production.returncode == 0, production.stderr
    assert production.stdout.splitlines() == ["False False False False", "[]"]


def test_production_refuses_a_public_url_that_is_not_https():
    # links in e-mails and the QR codes of policy PDFs must not lead to the development default
    variables = {**production_env(), "PORTAL_PUBLIC_URL": "http://localhost:8000"}

    stderr = production_refusal(variables)

    assert "PORTAL_PUBLIC_URL" in stderr


def test_production_refuses_to_start_with_the_rsa_emulator():
    result = run(
        ["-c", "import django; django.setup()"],
        "portal.settings.production",
        **production_env(),
        RSA_EMULATOR="true",
    )

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "РСА emulator" in result.stderr


@pytest.mark.parametrize(
    ("variable", "named"),
    [
        ("DADATA_EMULATOR", "DaData emulator"),
        ("PUSH_EMULATOR", "push service emulator"),
        ("FCM_EMULATOR", "FCM emulator"),
    ],
)
def test_production_refuses_to_start_with_the_dadata_push_or_fcm_emulator(variable, named):
    result = run(
        ["-c", "import django; django.setup()"],
        "portal.settings.production",
        **production_env(),
        **{variable: "true"},
    )

    assert result.returncode != 0
    assert named in result.stderr


def test_production_refuses_fcm_at_a_plain_http_address():
    result = run(
        ["-c", "import django; django.setup()"],
        "portal.settings.production",
        **production_env(),
        FCM_API_URL="http://127.0.0.1:8000/fcm-emulator",
    )

    assert result.returncode != 0
    assert "FCM_API_URL and FCM_TOKEN_URL must be https://" in result.stderr


def test_production_refuses_sqlite():
    variables = {**production_env(), "DATABASE_URL": "sqlite:////tmp/portal-prod.sqlite3"}

    production_refusal(variables)


def test_production_passes_the_deploy_check_without_a_single_warning():
    result = run(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        "portal.settings.production",
        **production_env(),
    )

    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "WARNING" not in output
    assert "System check identified no issues (0 silenced)." in output


@pytest.mark.parametrize("missing", sorted(STRIPE_ENV))
def test_production_refuses_to_start_without_a_payment_provider_variable(missing):
    variables = production_env()
    del variables[missing]

    stderr = production_refusal(variables)

    assert missing in stderr


@pytest.mark.parametrize(
    ("name", "value"),
    [
        # localstripe's development values (portal/settings/base.py)
        ("STRIPE_SECRET_KEY", "sk_test_localstripe"),
        ("STRIPE_PUBLISHABLE_KEY", "pk_test_localstripe"),
        ("STRIPE_WEBHOOK_SECRET", "whsec_localstripe"),
        ("STRIPE_API_BASE", "http://localhost:8420"),
        ("STRIPE_JS_URL", "http://localhost:8420/js.stripe.com/v3/"),
        # an emulator elsewhere on this machine or network, or plain HTTP
        ("STRIPE_API_BASE", "https://127.0.0.1:8420"),
        ("STRIPE_API_BASE", "https://10.0.0.5"),
        ("STRIPE_API_BASE", "https://localstripe.localhost"),
        ("STRIPE_API_BASE", "http://api.stripe.com"),
        # test-mode keys (a test card would pay for a real policy), or keys swapped
        ("STRIPE_SECRET_KEY", "sk_test_" + "x" * 24),
        ("STRIPE_PUBLISHABLE_KEY", "pk_test_" + "x" * 24),
        ("STRIPE_SECRET_KEY", "pk_live_" + "x" * 24),
        ("STRIPE_WEBHOOK_SECRET", ""),
    ],
)
def test_production_refuses_to_start_with_a_development_payment_setting(name, value):
    variables = {**production_env(), name: value}

    stderr = production_refusal(variables)

    assert name in stderr
    if value:
        assert value not in stderr  # a credential is never echoed


YOOKASSA_ENV = {
    "PAYMENT_GATEWAY": "yookassa",
    "YOOKASSA_SHOP_ID": "123456",
    "YOOKASSA_SECRET_KEY": "live_" + "x" * 24,
    "YOOKASSA_API_URL": "https://api.yookassa.ru/v3",
    "FISCAL_TAX_SYSTEM_CODE": "1",
}

GATEWAY_PROBE = """
import json
import django
django.setup()
from django.conf import settings
print(json.dumps({
    "gateway": settings.PAYMENTS_GATEWAY,
    "csp": settings.CONTENT_SECURITY_POLICY["DIRECTIVES"],
}))
"""


def yookassa_production_env() -> dict[str, str]:
    """Production with ЮKassa: no Stripe variable at all."""
    variables = {**production_env(), **YOOKASSA_ENV}
    for name in STRIPE_ENV:
        del variables[name]
    return variables


def test_production_with_yookassa_needs_no_stripe_variable_and_names_no_stripe_origin():
    result = run(["-c", GATEWAY_PROBE], "portal.settings.production", **yookassa_production_env())

    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout.strip().splitlines()[-1])
    assert found["gateway"] == "gateways.yookassa.YooKassaGateway"
    sources = [source for directive in found["csp"].values() for source in directive]
    assert not [s for s in sources if "stripe" in s or "8420" in s], found["csp"]
    assert "https://yoomoney.ru" in found["csp"]["form-action"]


@pytest.mark.parametrize(
    ("gateway_env", "unused"),
    [
        # docker-compose.yml passes every gateway's variables, empty when unset
        (STRIPE_ENV, ["YOOKASSA_SHOP_ID", "YOOKASSA_SECRET_KEY", "FISCAL_TAX_SYSTEM_CODE"]),
        (YOOKASSA_ENV, ["STRIPE_SECRET_KEY", "STRIPE_PUBLISHABLE_KEY", "STRIPE_WEBHOOK_SECRET"]),
    ],
    ids=["stripe", "yookassa"],
)
def test_production_ignores_the_other_gateways_variables_left_empty(gateway_env, unused):
    variables = yookassa_production_env() if gateway_env is YOOKASSA_ENV else production_env()

    result = run(
        ["-c", GATEWAY_PROBE],
        "portal.settings.production",
        **variables,
        **dict.fromkeys(unused, ""),
    )

    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("missing", sorted(set(YOOKASSA_ENV) - {"PAYMENT_GATEWAY"}))
@pytest.mark.parametrize("how", ["unset", "empty"])
def test_production_with_yookassa_refuses_to_start_without_its_variable(missing, how):
    variables = yookassa_production_env()
    if how == "unset":
        del variables[missing]
    else:
        variables[missing] = ""  # as docker-compose.yml passes a variable that is not set

    stderr = production_refusal(variables)

    assert missing in stderr


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("YOOKASSA_SECRET_KEY", "test_emulator_secret"),
        ("YOOKASSA_SHOP_ID", "shop-1"),
        ("YOOKASSA_API_URL", "http://127.0.0.1:8000/yookassa-emulator/v3"),
        ("FISCAL_TAX_SYSTEM_CODE", "7"),
    ],
)
def test_production_with_yookassa_refuses_a_development_or_wrong_setting(name, value):
    variables = {**yookassa_production_env(), name: value}

    stderr = production_refusal(variables)

    assert name in stderr


def test_production_refuses_a_gateway_it_has_no_credentials_check_for():
    variables = {**production_env(), "PAYMENTS_GATEWAY": "devtools.fake.Gateway"}

    result = run(["-c", "import django; django.setup()"], "portal.settings.production", **variables)

    assert result.returncode != 0
    assert "PAYMENTS_GATEWAY" in result.stderr


STORAGE_PROBE = """
import json
import django
django.setup()
from django.conf import settings
print(json.dumps(settings.STORAGES["default"]))
"""


def test_production_refuses_local_files_unless_a_shared_folder_is_named():
    variables = production_env()
    del variables["SHARED_MEDIA_ROOT"]

    stderr = production_refusal(variables)

    assert "AWS_STORAGE_BUCKET_NAME" in stderr and "SHARED_MEDIA_ROOT" in stderr


def test_production_keeps_files_in_the_named_shared_folder():
    result = run(["-c", STORAGE_PROBE], "portal.settings.production", **production_env())

    assert result.returncode == 0, result.stderr
    storage = json.loads(result.stdout.strip().splitlines()[-1])
    assert storage["BACKEND"] == "django.core.files.storage.FileSystemStorage"
    assert storage["OPTIONS"]["location"] == "/srv/portal-shared/private"


def test_production_keeps_files_in_an_s3_compatible_bucket_from_the_environment():
    variables = {
        **production_env(),
        "SHARED_MEDIA_ROOT": "",
        "AWS_STORAGE_BUCKET_NAME": "portal-private",
        "AWS_S3_ENDPOINT_URL": "https://storage.yandexcloud.net",
        "AWS_S3_ACCESS_KEY_ID": "YCAJE-key-id",
        "AWS_S3_SECRET_ACCESS_KEY": "YCM-secret",
        "AWS_S3_REGION_NAME": "ru-central1",
    }

    result = run(["-c", STORAGE_PROBE], "portal.settings.production", **variables)

    assert result.returncode == 0, result.stderr
    storage = json.loads(result.stdout.strip().splitlines()[-1])
    assert storage["BACKEND"] == "storages.backends.s3.S3Storage"
    options = storage["OPTIONS"]
    assert options["bucket_name"] == "portal-private"
    assert options["endpoint_url"] == "https://storage.yandexcloud.net"
    assert options["access_key"] == "YCAJE-key-id"
    assert options["secret_key"] == "YCM-secret"
    assert options["region_name"] == "ru-central1"
    assert options["querystring_auth"] is True and options["file_overwrite"] is False


DATABASES_PROBE = """
import json
import django
django.setup()
from django.conf import settings
print(json.dumps({
    alias: {
        "options": db.get("OPTIONS", {}),
        "no_named_cursors": db.get("DISABLE_SERVER_SIDE_CURSORS", False),
        "mirror": db.get("TEST", {}).get("MIRROR"),
    }
    for alias, db in settings.DATABASES.items()
} | {"routers": settings.DATABASE_ROUTERS}))
"""


def test_production_behind_pgbouncer_prepares_nothing_and_opens_no_named_cursors():
    result = run(
        ["-c", DATABASES_PROBE],
        "portal.settings.production",
        **production_env(),
        DATABASE_PGBOUNCER="1",
    )

    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout.strip().splitlines()[-1])
    assert found["default"]["options"]["prepare_threshold"] is None
    assert found["default"]["no_named_cursors"] is True
    assert found["routers"] == []


def test_production_with_a_replica_url_routes_the_cabinets_reads_to_it():
    result = run(
        ["-c", DATABASES_PROBE],
        "portal.settings.production",
        **production_env(),
        DATABASE_REPLICA_URL="postgres://postgres@127.0.0.1:5432/portal_replica_probe",
    )

    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout.strip().splitlines()[-1])
    assert found["routers"] == ["portal.core.db_router.ReplicaRouter"]
    assert found["replica"]["options"]["pool"]["min_size"] == 2
    assert found["replica"]["options"]["prepare_threshold"] is None
    assert found["default"]["no_named_cursors"] is False
