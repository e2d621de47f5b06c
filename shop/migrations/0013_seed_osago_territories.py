"""ОСАГО for the whole country: КТ for every federal subject and the towns the act names (data in
shop/data/osago_territories.csv: act, dates, annex, `confirmed`, the source of each value), the
purposes of use with their ТБ corridors, КН and КПр; and the tariff act cited as it is dated.

The act: Указание Банка России от 08.12.2021 № 6007-У, amended by № 7204-У of 09.10.2025, in
force from 09.12.2025 (0002 cited it as «7204-У от 09.12.2025», the day it came into force).

No value here has been checked against the official text of the acts (`confirmed` stays False and
`note` says where each value comes from): the territory table is a public calculator's copy of
6007-У, with the 7204-У changes that could be found in the press; the taxi corridor
(1 267 – 18 119 ₽) and the individuals' corridor (1 399 – 8 665 ₽) are the figures published
for 7204-У. Verify them against the directive and set `confirmed` in the admin.
"""

import csv
import datetime
from decimal import Decimal as D
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "data" / "osago_territories.csv"
ACT_6007 = "Указание Банка России № 6007-У"
ACT_6007_DATE = datetime.date(2021, 12, 8)
ACT_6007_FROM = datetime.date(2022, 1, 10)
ACT_7204 = "Указание Банка России № 6007-У в ред. № 7204-У"
ACT_7204_DATE = datetime.date(2025, 10, 9)
ACT_7204_FROM = datetime.date(2025, 12, 9)
OLD_7204 = "Указание Банка России № 7204-У"
SECONDARY = "значение из публичных калькуляторов и публикаций; с официальным текстом не сверено"
CORRIDOR_NOTE = (
    "коридор 7204-У по публикациям (76.ru, 03.01.2026: физ. лица 1 399 – 8 665 ₽, такси "
    "1 267 – 18 119 ₽); ТБ — ставка страховщика внутри коридора; с официальным текстом не сверено"
)
# ТБ of the insurer inside the corridor, category B, in every region without a rate of its own.
BASE_RATES = [
    ("personal", D("1399"), D("8665"), D("5500")),
    ("training", D("1399"), D("8665"), D("5500")),
    ("other", D("1399"), D("8665"), D("5500")),
    ("taxi", D("1267"), D("18119"), D("9800")),
]
ANNEX = {
    "BonusMalusClass": "приложение 2 (КБМ)",
    "AgeExperienceCoefficient": "приложение 2 (КВС)",
    "DriversCoefficient": "приложение 2 (КО)",
    "PowerCoefficient": "приложение 2 (КМ)",
    "SeasonCoefficient": "приложение 2 (КС)",
}


def seed(apps, schema_editor):
    get = apps.get_model
    Region = get("shop", "Region")
    Territory = get("shop", "TerritoryCoefficient")
    BaseRate = get("shop", "BaseRate")
    kw_6007 = {"act": ACT_6007, "act_date": ACT_6007_DATE, "valid_from": ACT_6007_FROM}

    get("shop", "TariffVersion").objects.filter(code="osago-7204U-2025-12-09").update(
        title="ОСАГО по № 6007-У в ред. № 7204-У от 09.10.2025 (действует с 09.12.2025)"
    )
    BaseRate.objects.filter(act=OLD_7204).update(
        act=ACT_7204, act_date=ACT_7204_DATE, annex="приложение 1", note=CORRIDOR_NOTE
    )
    for model, annex in ANNEX.items():
        get("shop", model).objects.filter(annex="").update(annex=annex, note=SECONDARY)

    # The territories: the two rows 0002 seeded are replaced by the whole table.
    Territory.objects.all().delete()
    regions = {}
    with DATA.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            region = regions.get(row["subject_code"])
            if region is None:
                region, _ = Region.objects.update_or_create(
                    code=row["subject_code"], defaults={"name": row["subject"]}
                )
                regions[row["subject_code"]] = region
            Territory.objects.create(
                region=region,
                town=row["town"],
                value=D(row["kt"]),
                act=row["act"],
                act_date=datetime.date.fromisoformat(row["act_date"]),
                valid_from=datetime.date.fromisoformat(row["valid_from"]),
                valid_to=datetime.date.fromisoformat(row["valid_to"]) if row["valid_to"] else None,
                annex=row["annex"],
                confirmed=row["confirmed"] == "1",
                note=row["note"],
            )

    for purpose, low, high, value in BASE_RATES:
        BaseRate.objects.get_or_create(
            category="B",
            purpose=purpose,
            region=None,
            valid_from=ACT_7204_FROM,
            defaults={
                "corridor_min": low,
                "corridor_max": high,
                "value": value,
                "act": ACT_7204,
                "act_date": ACT_7204_DATE,
                "annex": "приложение 1",
                "note": CORRIDOR_NOTE,
            },
        )

    violations = "по публичным источникам: 1,5 при нарушениях п. 3 ст. 9 40-ФЗ; " + SECONDARY
    for flag, value in ((False, D("1.00")), (True, D("1.50"))):
        get("shop", "ViolationsCoefficient").objects.get_or_create(
            violations=flag,
            valid_from=ACT_6007_FROM,
            defaults={"value": value, "annex": "приложение 2 (КН)", "note": violations, **kw_6007},
        )
    trailer = (
        "по публичным источникам: 1,16 для ТС категорий «B», «BE» юридических лиц, для ТС "
        "физических лиц — 1; " + SECONDARY
    )
    for legal, value in ((False, D("1.00")), (True, D("1.16"))):
        get("shop", "TrailerCoefficient").objects.get_or_create(
            category="B",
            legal_entity=legal,
            valid_from=ACT_6007_FROM,
            defaults={"value": value, "annex": "приложение 2 (КПр)", "note": trailer, **kw_6007},
        )


class Migration(migrations.Migration):
    dependencies = [("shop", "0012_osago_territories_purpose_violations_trailer")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
