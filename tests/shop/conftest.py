"""The shop's tests pay through a real localstripe: the payments suite's session fixture."""

import datetime
import importlib

import pytest
from django.apps import apps
from django.utils import timezone

from shop.models import TariffVersion
from tests.payments.conftest import (  # noqa: F401  (fixtures re-exported for this package)
    CARD_3DS,
    CARD_DECLINED,
    CARD_OK,
    _stripe_settings,
    localstripe_url,
    provider,
)
from tests.payments.gateways import yookassa  # noqa: F401  (the ЮKassa emulator fixture)

SEED = importlib.import_module("shop.migrations.0002_seed_osago_tariffs")
SEED_PROPERTY = importlib.import_module("shop.migrations.0006_seed_property_tariffs")
SEED_KASKO = importlib.import_module("shop.migrations.0008_seed_kasko_tariffs")
SEED_PERSONAL = importlib.import_module("shop.migrations.0004_seed_personal_tariffs")
SEED_TRAVEL = importlib.import_module("shop.migrations.0010_seed_travel_tariffs")
SEED_TERRITORIES = importlib.import_module("shop.migrations.0013_seed_osago_territories")


@pytest.fixture(autouse=True)
def _fresh_lowest_premiums():
    """The shop's «от N руб.» are cached under the tariffs' version, which every test's rolled
    back transaction takes back to the same numbers: each test prices its own tariffs."""
    from django.core.cache import cache

    from portal.core.versioned_cache import forget_all

    forget_all()
    cache.clear()
    yield
    forget_all()


@pytest.fixture(autouse=True)
def _no_bank_of_russia(settings):
    """Nothing here reaches the Bank: test_rates points CBR_DAILY_URL at a loopback server."""
    settings.CBR_DAILY_URL = ""


@pytest.fixture(autouse=True)
def _no_rsa(settings):
    """The КБМ check is off unless a test points RSA_KBM_URL at the live server's emulator."""
    settings.RSA_KBM_URL = ""


@pytest.fixture
def tariffs(db):
    """The seeded tables (a transactional test flushes the migration's rows: seed them again)."""
    if not TariffVersion.objects.exists():
        SEED.seed(apps, None)
        SEED_PERSONAL.seed(apps, None)
        SEED_PROPERTY.seed(apps, None)
        SEED_KASKO.seed(apps, None)
        SEED_TRAVEL.seed(apps, None)
        SEED_TERRITORIES.seed(apps, None)


def osago_inputs(**overrides) -> dict:
    """Valid form data of the ОСАГО quote form (one driver, Moscow, 110 hp, 12 months)."""
    start = timezone.localdate() + datetime.timedelta(days=3)
    data = {
        "category": "B",
        "region": "77",
        "power_hp": "110",
        "months": "12",
        "starts_on": start.isoformat(),
        "purpose": "personal",
        "town": "",
        "vin": "XTA21099043512345",
        "body_number": "",
        "plate": "А123ВС77",
        "make": "Lada",
        "model": "Vesta",
        "year": "2020",
        "registration_document": "99 12 345678",
        "drivers-TOTAL_FORMS": "1",
        "drivers-INITIAL_FORMS": "0",
        "drivers-MIN_NUM_FORMS": "0",
        "drivers-MAX_NUM_FORMS": "5",
        "drivers-0-last_name": "Смирнов",
        "drivers-0-first_name": "Алексей",
        "drivers-0-middle_name": "Петрович",
        "drivers-0-birth_date": "1986-04-12",
        "drivers-0-licence_series": "36 16",
        "drivers-0-licence_number": "123456",
        "drivers-0-licence_since": "2006-05-20",
    }
    data.update(overrides)
    return data
