"""Seed the accident and oncology tables. These are the insurer's own tariffs (no regulator
table exists for them): the values are a starting point for the actuaries, edited in the admin."""

import datetime
from decimal import Decimal as D

from django.db import migrations

ACT = "Тарифное руководство страховщика (НС и онко), ред. 1"
ACT_DATE = datetime.date(2025, 12, 1)
RATES = {
    "accident": [(1, 17, "4.000"), (18, 59, "3.000"), (60, 75, "5.000")],
    "oncology": [(18, 39, "1.500"), (40, 54, "3.000"), (55, 65, "6.000")],
}
OPTIONS = {
    "accident": [("sport", "Занятия любительским спортом", "1.50"),
                 ("worldwide", "Действие по всему миру", "1.20")],
    "oncology": [("abroad", "Лечение за рубежом", "1.80"),
                 ("second_opinion", "Второе мнение", "1.10")],
}
TARIFF_VERSION = "personal-2025-12-01"


def seed(apps, schema_editor):
    kw = {"act": ACT, "act_date": ACT_DATE, "valid_from": ACT_DATE}
    apps.get_model("shop", "TariffVersion").objects.get_or_create(
        code=TARIFF_VERSION,
        defaults={"title": "НС и онко: тарифы страховщика", "valid_from": ACT_DATE},
    )
    for product, rows in RATES.items():
        for age_from, age_to, rate in rows:
            apps.get_model("shop", "PersonalRate").objects.create(
                product=product, age_from=age_from, age_to=age_to, rate_per_mille=D(rate), **kw
            )
    for product, rows in OPTIONS.items():
        for code, name, value in rows:
            apps.get_model("shop", "PersonalOption").objects.create(
                product=product, code=code, name=name, value=D(value), **kw
            )


class Migration(migrations.Migration):
    dependencies = [("shop", "0003_personal_tariffs")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
