"""docker-compose.yml and the Dockerfile cannot be run here (no Docker engine): they are parsed
and read for what production needs."""

import fnmatch
import re
import tomllib
from pathlib import Path

import pytest
import yaml
from cryptography.fernet import Fernet

from portal.settings import base
from tests.core.test_settings import STRIPE_ENV, YOOKASSA_ENV, run

ROOT = Path(__file__).resolve().parent.parent


def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))


def test_compose_has_every_service_of_the_stack():
    services = compose()["services"]
    assert {
        "postgres",
        "postgres-replica",
        "pgbouncer",
        "redis-broker",
        "redis-cache",
        "migrate",
        "web",
        "web2",
        "proxy",
        "worker",
        "beat",
    } <= set(services)
    assert services["web"]["command"][0] == "gunicorn"
    assert "portal.wsgi:application" in services["web"]["command"]
    assert services["worker"]["command"][:4] == ["celery", "-A", "portal", "worker"]
    assert services["beat"]["command"][:4] == ["celery", "-A", "portal", "beat"]


def test_app_services_run_production_settings_with_required_secrets():
    services = compose()["services"]
    for name in ("migrate", "web", "worker", "beat"):
        env = services[name]["environment"]
        assert env["DJANGO_SETTINGS_MODULE"] == "portal.settings.production"
        for secret in (
            "DJANGO_SECRET_KEY",
            "FIELD_ENCRYPTION_KEY",
            "DJANGO_ALLOWED_HOSTS",
            "PORTAL_PUBLIC_URL",
        ):
            # `${VAR:?message}`: compose refuses to start without the secret.
            assert env[secret].startswith("${" + secret + ":?"), (name, secret)
        assert env["DATABASE_URL"].startswith("postgres://")
        assert env["REDIS_URL"] == "redis://redis-cache:6379/0"
        assert env["CELERY_BROKER_URL"] == "redis://redis-broker:6379/0"


def compose_environment(service: str, given: dict[str, str]) -> dict[str, str]:
    """The service's environment as compose hands it over with `given` set: `${VAR:-default}`
    and `${VAR:?message}` interpolated as compose does (unset or empty alike); a missing
    required one raises KeyError, as compose refuses to start."""

    def value(match: re.Match) -> str:
        name, kind, rest = match.groups()
        if given.get(name):
            return given[name]
        if kind == "?":
            raise KeyError(name)
        return rest if kind == "-" else ""

    environment = compose()["services"][service]["environment"]
    return {key: INTERPOLATION.sub(value, str(raw)) for key, raw in environment.items()}


INTERPOLATION = re.compile(r"\$\{(\w+)(?::([-?])([^}]*))?\}")
COMPOSE_SECRETS = {
    "DJANGO_SECRET_KEY": "x" * 64,
    "FIELD_ENCRYPTION_KEY": Fernet.generate_key().decode(),
    "DJANGO_ALLOWED_HOSTS": "lk.example.ru",
    "PORTAL_PUBLIC_URL": "https://lk.example.ru",
    "POSTGRES_PASSWORD": "portal-password",
    "POSTGRES_REPLICATION_PASSWORD": "replication-password",
}


@pytest.mark.parametrize("gateway", ["stripe", "yookassa"])
def test_compose_needs_only_the_chosen_gateways_credentials(gateway):
    """Compose passes every gateway's variables through, empty when unset; the production
    settings then start with the chosen gateway's credentials alone, and refuse to start,
    naming it, without one of them."""
    credentials = {"stripe": STRIPE_ENV, "yookassa": YOOKASSA_ENV}[gateway]
    other = {"stripe": YOOKASSA_ENV, "yookassa": STRIPE_ENV}[gateway]
    given = {**COMPOSE_SECRETS, **credentials, "PAYMENT_GATEWAY": gateway}

    environment = compose_environment("web", given)
    started = run(["-c", "import django; django.setup()"], "portal.settings.production",
                  **environment)  # fmt: skip

    assert started.returncode == 0, started.stderr
    assert environment["PAYMENT_GATEWAY"] == gateway
    for name in set(other) - {"PAYMENT_GATEWAY", "STRIPE_API_BASE", "STRIPE_JS_URL",
                              "YOOKASSA_API_URL"}:  # fmt: skip
        assert environment[name] == "", name  # passed through, empty: not required
    for name in set(credentials) - {"PAYMENT_GATEWAY"}:
        if compose()["services"]["web"]["environment"][name].endswith(":-}"):
            without = compose_environment("web", {**given, name: ""})
            refused = run(["-c", "import django; django.setup()"],
                          "portal.settings.production", **without)  # fmt: skip
            assert refused.returncode != 0, name
            assert "ImproperlyConfigured" in refused.stderr and name in refused.stderr


def test_compose_without_a_gateway_chosen_is_stripe():
    assert compose_environment("web", COMPOSE_SECRETS)["PAYMENT_GATEWAY"] == "stripe"


def test_app_services_wait_for_healthy_database_and_migrations():
    services = compose()["services"]
    assert services["migrate"]["depends_on"]["postgres"]["condition"] == "service_healthy"
    for name in ("web", "worker", "beat"):
        assert (
            services[name]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
        )
    assert "healthcheck" in services["postgres"] and "healthcheck" in services["redis-broker"]


def test_compose_is_the_picture_of_production():
    """Two web instances behind the proxy; PgBouncer before the primary and its replica; the
    broker's Redis persistent and apart from the cache's; migrations on the primary directly."""
    services = compose()["services"]
    assert services["web"]["command"] == services["web2"]["command"]
    proxy_conf = (ROOT / "deploy/nginx/portal.conf").read_text(encoding="utf-8")
    assert "server web:8000" in proxy_conf and "server web2:8000" in proxy_conf
    web_env = services["web"]["environment"]
    assert "@pgbouncer:" in web_env["DATABASE_URL"] and web_env["DATABASE_PGBOUNCER"] == "1"
    assert "@pgbouncer:" in web_env["DATABASE_REPLICA_URL"]
    assert "postgres-replica" in services["pgbouncer"]["environment"]["DATABASE_URLS"]
    assert services["pgbouncer"]["environment"]["POOL_MODE"] == "transaction"
    assert "--appendonly" in services["redis-broker"]["command"]
    assert "allkeys-lru" in services["redis-cache"]["command"]
    assert "@postgres:5432/" in services["migrate"]["environment"]["DATABASE_URL"]
    assert "pg_basebackup" in (ROOT / "deploy/postgres/replica.sh").read_text(encoding="utf-8")
    beats = [name for name, service in services.items() if "beat" in service.get("command", [])]
    assert beats == ["beat"]


def test_dockerfile_installs_pdf_dependencies_and_serves_with_gunicorn():
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert dockerfile.startswith("#") and "FROM python:3.11" in dockerfile
    for package in ("libpango-1.0-0", "libpangoft2-1.0-0", "fonts-dejavu-core"):
        assert package in dockerfile
    assert "collectstatic" in dockerfile
    assert "USER portal" in dockerfile
    assert 'CMD ["gunicorn", "portal.wsgi:application"' in dockerfile


def package_patterns() -> list[str]:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return pyproject["tool"]["setuptools"]["packages"]["find"]["include"]


def in_package(name: str) -> bool:
    """As setuptools' packages.find filters: a package is in if an include pattern matches."""
    return any(fnmatch.fnmatchcase(name, pattern) for pattern in package_patterns())


def production_apps() -> list[str]:
    """Our own apps of production's INSTALLED_APPS (the base settings': production adds none)."""
    return [app for app in base.INSTALLED_APPS if (ROOT / app.split(".")[0]).is_dir()]


def dockerfile_copies() -> set[str]:
    lines = (ROOT / "Dockerfile").read_text(encoding="utf-8").splitlines()
    return {source for line in lines if line.startswith("COPY ") for source in line.split()[1:-1]}


def test_the_package_holds_every_production_app_and_no_development_code():
    assert "devtools" not in base.INSTALLED_APPS
    for app in production_apps():
        assert in_package(app), app
    for name in ("devtools", "devtools.demo", "devtools.esia_emulator", "tests", "bench", "docs"):
        assert not in_package(name), name


def test_the_image_copies_only_what_production_runs():
    copies = dockerfile_copies()
    packages = {pattern.rstrip("*") for pattern in package_patterns()}

    assert "." not in copies
    assert {app.split(".")[0] for app in production_apps()} <= copies
    assert packages <= copies
    assert {"manage.py", "templates", "static", "locale"} <= copies
    assert not {"devtools", "tests", "bench", "docs", "scripts"} & copies
    runtime = {
        "pyproject.toml",
        "README.md",
        "manage.py",
        "templates",
        "static",
        "locale",
        "gunicorn.conf.py",
    }
    assert copies <= packages | runtime
