"""Seed the property rates: the insurer's own tariff (no regulator table), edited in the admin."""

import datetime
from decimal import Decimal as D

from django.db import migrations

ACT = "Тарифное руководство страховщика (имущество), ред. 1"
ACT_DATE = datetime.date(2025, 12, 1)
RATES = [
    ("apartment", "structure", "0.150"),
    ("apartment", "finish", "0.300"),
    ("apartment", "belongings", "0.400"),
    ("house", "structure", "0.350"),
    ("house", "finish", "0.450"),
    ("house", "belongings", "0.500"),
]
TARIFF_VERSION = "property-2025-12-01"


def seed(apps, schema_editor):
    apps.get_model("shop", "TariffVersion").objects.get_or_create(
        code=TARIFF_VERSION,
        defaults={"title": "Имущество: тарифы страховщика", "valid_from": ACT_DATE},
    )
    for kind, component, rate in RATES:
        apps.get_model("shop", "PropertyRate").objects.create(
            kind=kind,
            component=component,
            rate_percent=D(rate),
            act=ACT,
            act_date=ACT_DATE,
            valid_from=ACT_DATE,
        )


class Migration(migrations.Migration):
    dependencies = [("shop", "0005_property_tariffs")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
