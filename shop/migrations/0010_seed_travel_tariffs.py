"""Seed the travel (ВЗР) tables: the insurer's own daily rates, age and sport coefficients (no
regulator table exists for them), the destinations with the Schengen flag, and a starting EUR
rate. All are edited in the admin; the Bank of Russia's rate is entered there day by day."""

import datetime
from decimal import Decimal as D

from django.db import migrations

ACT = "Тарифное руководство страховщика (ВЗР), ред. 1"
ACT_DATE = datetime.date(2025, 12, 1)
TARIFF_VERSION = "vzr-2025-12-01"
# (sum insured in EUR, daily rate per traveller in EUR)
RATES = [(15_000, "0.550"), (30_000, "0.800"), (50_000, "1.100"), (100_000, "1.600")]
# (age from, to, coefficient); older travellers are not insured online
AGES = [(0, 2, "1.50"), (3, 64, "1.00"), (65, 74, "2.00"), (75, 84, "3.00")]
SPORTS = [
    ("none", "Без спорта и активного отдыха", "1.00"),
    ("active", "Активный отдых: горные лыжи на трассах, дайвинг до 18 м, треккинг", "1.50"),
    ("extreme", "Экстремальный спорт: альпинизм, фрирайд, парапланеризм, рафтинг", "2.50"),
]
SCHENGEN = [
    ("AT", "Австрия", "Austria"),
    ("BE", "Бельгия", "Belgium"),
    ("BG", "Болгария", "Bulgaria"),
    ("HU", "Венгрия", "Hungary"),
    ("DE", "Германия", "Germany"),
    ("GR", "Греция", "Greece"),
    ("DK", "Дания", "Denmark"),
    ("IS", "Исландия", "Iceland"),
    ("ES", "Испания", "Spain"),
    ("IT", "Италия", "Italy"),
    ("LV", "Латвия", "Latvia"),
    ("LT", "Литва", "Lithuania"),
    ("LI", "Лихтенштейн", "Liechtenstein"),
    ("LU", "Люксембург", "Luxembourg"),
    ("MT", "Мальта", "Malta"),
    ("NL", "Нидерланды", "Netherlands"),
    ("NO", "Норвегия", "Norway"),
    ("PL", "Польша", "Poland"),
    ("PT", "Португалия", "Portugal"),
    ("RO", "Румыния", "Romania"),
    ("SK", "Словакия", "Slovakia"),
    ("SI", "Словения", "Slovenia"),
    ("FI", "Финляндия", "Finland"),
    ("FR", "Франция", "France"),
    ("HR", "Хорватия", "Croatia"),
    ("CZ", "Чехия", "Czechia"),
    ("CH", "Швейцария", "Switzerland"),
    ("SE", "Швеция", "Sweden"),
    ("EE", "Эстония", "Estonia"),
]
OTHERS = [
    ("TR", "Турция", "Türkiye"),
    ("AE", "ОАЭ", "United Arab Emirates"),
    ("TH", "Таиланд", "Thailand"),
    ("EG", "Египет", "Egypt"),
    ("GE", "Грузия", "Georgia"),
    ("AM", "Армения", "Armenia"),
    ("CY", "Кипр", "Cyprus"),
    ("RS", "Сербия", "Serbia"),
    ("ME", "Черногория", "Montenegro"),
    ("VN", "Вьетнам", "Viet Nam"),
    ("CN", "Китай", "China"),
    ("ID", "Индонезия", "Indonesia"),
    ("MV", "Мальдивы", "Maldives"),
    ("LK", "Шри-Ланка", "Sri Lanka"),
    ("CU", "Куба", "Cuba"),
]
# The starting EUR rate (roubles per euro); the admin adds the Bank of Russia's rate of each day.
EUR_RATE = (datetime.date(2025, 12, 1), "91.5000")


def seed(apps, schema_editor):
    get = apps.get_model
    kw = {"act": ACT, "act_date": ACT_DATE, "valid_from": ACT_DATE}
    get("shop", "TariffVersion").objects.get_or_create(
        code=TARIFF_VERSION,
        defaults={"title": "ВЗР: тарифы страховщика", "valid_from": ACT_DATE},
    )
    for sum_insured, rate in RATES:
        get("shop", "TravelRate").objects.create(
            sum_insured=sum_insured, daily_rate=D(rate), **kw
        )
    for age_from, age_to, value in AGES:
        get("shop", "TravelAgeCoefficient").objects.create(
            age_from=age_from, age_to=age_to, value=D(value), **kw
        )
    for code, name, value in SPORTS:
        get("shop", "TravelSportOption").objects.create(
            code=code, name=name, value=D(value), **kw
        )
    for rows, schengen in ((SCHENGEN, True), (OTHERS, False)):
        for code, name, name_en in rows:
            get("shop", "Country").objects.get_or_create(
                code=code, defaults={"name": name, "name_en": name_en, "schengen": schengen}
            )
    day, rate = EUR_RATE
    get("shop", "CurrencyRate").objects.get_or_create(
        currency="EUR", day=day, defaults={"rate": D(rate), "source": "Банк России"}
    )


class Migration(migrations.Migration):
    dependencies = [("shop", "0009_travel_tariffs")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
