"""Seed the КАСКО tables: the insurer's own tariff (no regulator table), edited in the admin."""

import datetime
from decimal import Decimal as D

from django.db import migrations

ACT = "Тарифное руководство страховщика (КАСКО), ред. 1"
ACT_DATE = datetime.date(2025, 12, 1)
RATES = [(0, 2, "4.500"), (3, 5, "5.500"), (6, 10, "7.000")]
DEDUCTIBLES = [(0, "1.00"), (15000, "0.85"), (30000, "0.75"), (50000, "0.65")]
# (age from, to, experience from, to, coefficient)
DRIVERS = [
    (18, 24, 0, 2, "1.80"),
    (18, 24, 3, 99, "1.40"),
    (25, 34, 0, 2, "1.50"),
    (25, 34, 3, 99, "1.10"),
    (35, 99, 0, 2, "1.30"),
    (35, 99, 3, 99, "1.00"),
]
TARIFF_VERSION = "kasko-2025-12-01"


def seed(apps, schema_editor):
    kw = {"act": ACT, "act_date": ACT_DATE, "valid_from": ACT_DATE}
    get = apps.get_model
    get("shop", "TariffVersion").objects.get_or_create(
        code=TARIFF_VERSION,
        defaults={"title": "КАСКО: тарифы страховщика", "valid_from": ACT_DATE},
    )
    for age_from, age_to, rate in RATES:
        get("shop", "KaskoRate").objects.create(
            car_age_from=age_from, car_age_to=age_to, rate_percent=D(rate), **kw
        )
    for amount, value in DEDUCTIBLES:
        get("shop", "KaskoDeductible").objects.create(amount=amount, value=D(value), **kw)
    for age_from, age_to, exp_from, exp_to, value in DRIVERS:
        get("shop", "KaskoDriverCoefficient").objects.create(
            age_from=age_from,
            age_to=age_to,
            experience_from=exp_from,
            experience_to=exp_to,
            value=D(value),
            **kw,
        )


class Migration(migrations.Migration):
    dependencies = [("shop", "0007_kasko_tariffs")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
