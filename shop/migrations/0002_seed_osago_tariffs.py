"""Seed the ОСАГО tables from /work/shared/reference/osago-tariffs.md (public sources; values
marked "(2nd)" there come from several public calculators and are to be verified against the
directive's official text — admins edit them in the admin, a new directive is new rows).

ТБ: the insurer's own choice inside the corridor of № 7204-У (from 09.12.2025, category B/BE,
individuals: 1 399 – 8 665 ₽); we set 5 500 ₽ for category B in every seeded region.
КВС: the reference's "50–59" and "59+" rows overlap at 59; the directive's wording is «старше 59»,
so 50–59 and 60+ are used here.
"""

import datetime
from decimal import Decimal as D

from django.db import migrations

ACT_6007 = "Указание Банка России № 6007-У (ред. № 6209-У)"
ACT_6007_DATE = datetime.date(2021, 12, 8)
ACT_6209_FROM = datetime.date(2022, 9, 13)
ACT_7204 = "Указание Банка России № 7204-У"
ACT_7204_FROM = datetime.date(2025, 12, 9)
KBM_FROM = datetime.date(2022, 4, 1)

REGIONS = [("77", "Москва", D("1.80")), ("78", "Санкт-Петербург", D("1.64"))]
KBM = [
    ("M", "3.92"), ("0", "2.94"), ("1", "2.25"), ("2", "1.76"), ("3", "1.17"), ("4", "1.00"),
    ("5", "0.91"), ("6", "0.83"), ("7", "0.78"), ("8", "0.74"), ("9", "0.68"), ("10", "0.63"),
    ("11", "0.57"), ("12", "0.52"), ("13", "0.46"),
]
EXPERIENCE = [(0, 0), (1, 1), (2, 2), (3, 4), (5, 6), (7, 9), (10, 14), (15, None)]
KVS = [
    ((16, 21), ["2.27", "1.92", "1.84", "1.65", "1.62", None, None, None]),
    ((22, 24), ["1.88", "1.72", "1.71", "1.13", "1.10", "1.09", None, None]),
    ((25, 29), ["1.72", "1.60", "1.54", "1.09", "1.08", "1.07", "1.02", None]),
    ((30, 34), ["1.56", "1.50", "1.48", "1.05", "1.04", "1.01", "0.97", "0.95"]),
    ((35, 39), ["1.54", "1.47", "1.46", "1.00", "0.97", "0.95", "0.94", "0.93"]),
    ((40, 49), ["1.50", "1.44", "1.43", "0.96", "0.95", "0.94", "0.93", "0.91"]),
    ((50, 59), ["1.46", "1.40", "1.39", "0.93", "0.92", "0.91", "0.90", "0.86"]),
    ((60, None), ["1.43", "1.36", "1.35", "0.91", "0.90", "0.89", "0.88", "0.83"]),
]
POWER = [(0, 50, "0.6"), (50, 70, "1.0"), (70, 100, "1.1"), (100, 120, "1.2"), (120, 150, "1.4"),
         (150, None, "1.6")]
SEASON = [(3, "0.5"), (4, "0.6"), (5, "0.65"), (6, "0.7"), (7, "0.8"), (8, "0.9"), (9, "0.95"),
          (10, "1.0")]


def seed(apps, schema_editor):
    get = apps.get_model
    Region = get("shop", "Region")
    kw_7204 = {"act": ACT_7204, "act_date": ACT_7204_FROM, "valid_from": ACT_7204_FROM}
    kw_6007 = {"act": ACT_6007, "act_date": ACT_6007_DATE, "valid_from": ACT_6209_FROM}
    get("shop", "TariffVersion").objects.get_or_create(
        code="osago-7204U-2025-12-09",
        defaults={
            "title": "ОСАГО по № 6007-У в ред. № 7204-У (с 09.12.2025)",
            "valid_from": ACT_7204_FROM,
            "notes": "ТБ 5 500 ₽ (категория B) внутри коридора 1 399 – 8 665 ₽.",
        },
    )
    for code, name, kt in REGIONS:
        region, _ = Region.objects.get_or_create(code=code, defaults={"name": name})
        get("shop", "TerritoryCoefficient").objects.create(region=region, value=kt, **kw_7204)
        get("shop", "BaseRate").objects.create(
            region=region,
            category="B",
            corridor_min=D("1399"),
            corridor_max=D("8665"),
            value=D("5500"),
            **kw_7204,
        )
    for position, (code, value) in enumerate(KBM):
        get("shop", "BonusMalusClass").objects.create(
            code=code, position=position, value=D(value),
            act=ACT_6007, act_date=ACT_6007_DATE, valid_from=KBM_FROM,
        )
    for (age_from, age_to), values in KVS:
        for (exp_from, exp_to), value in zip(EXPERIENCE, values, strict=True):
            if value is None:
                continue
            get("shop", "AgeExperienceCoefficient").objects.create(
                age_from=age_from, age_to=age_to, experience_from=exp_from,
                experience_to=exp_to, value=D(value), **kw_6007,
            )
    # Where a row of a "-" cell is missing (a 16–21-year-old cannot have 7 years of experience),
    # validation refuses the driver rather than guessing.
    get("shop", "DriversCoefficient").objects.create(unlimited=True, value=D("2.32"), **kw_6007)
    get("shop", "DriversCoefficient").objects.create(unlimited=False, value=D("1.00"), **kw_6007)
    for above, to, value in POWER:
        get("shop", "PowerCoefficient").objects.create(
            power_above=above, power_to=to, value=D(value), **kw_6007
        )
    for months, value in SEASON:
        get("shop", "SeasonCoefficient").objects.create(months=months, value=D(value), **kw_6007)


class Migration(migrations.Migration):
    dependencies = [("shop", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
