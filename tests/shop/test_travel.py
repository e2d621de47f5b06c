"""Travel (ВЗР): the premium worked by hand from the seeded tables and the EUR rate, validation in
Russian (dates, travellers, the Schengen minimum, no rate), the saved quote keeping its price, and
the same checkout as the other products ending in «Мои полисы» with the shop's PDF."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from policies.models import Policy
from policies.translit import user_latin_name
from shop import services
from shop.models import CurrencyRate, Purchase, Quote, TravelRate
from shop.travel import travel_premium
from tests.factories import UserFactory

from .conftest import CARD_OK

URL = "/shop/travel/"


def trip(start_in: int = 3, days: int = 10) -> tuple[datetime.date, datetime.date]:
    start = timezone.localdate() + datetime.timedelta(days=start_in)
    return start, start + datetime.timedelta(days=days - 1)


FAMILY = (
    ("IVANOV", "ALEKSEI", 35, "75 1234567"),
    ("IVANOVA", "MARIIA", 33, "75 1234568"),
    ("IVANOVA", "SOFIIA", 2, "75 1234569"),
)


def born(age: int, on: datetime.date) -> datetime.date:
    """A birth date that makes `age` full years on the day (and not a day more)."""
    return on.replace(year=on.year - age) - datetime.timedelta(days=40)


def travellers(rows=FAMILY, start: datetime.date | None = None) -> dict:
    """The «travellers» formset's fields for (surname, name, age at the trip's start, passport)."""
    start = start or trip()[0]
    data = {
        "travellers-TOTAL_FORMS": str(len(rows)),
        "travellers-INITIAL_FORMS": "0",
        "travellers-MIN_NUM_FORMS": "1",
        "travellers-MAX_NUM_FORMS": "5",
    }
    for i, (last, first, age, passport) in enumerate(rows):
        data.update(
            {
                f"travellers-{i}-last_name_latin": last,
                f"travellers-{i}-first_name_latin": first,
                f"travellers-{i}-birth_date": born(age, start).isoformat()
                if isinstance(age, int)
                else age,
                f"travellers-{i}-passport_number": passport,
            }
        )
    return data


def form(rows=FAMILY, **overrides) -> dict:
    """Italy, France and Turkey, 10 days, two adults and a two-year-old, 50 000 EUR, active rest."""
    start, end = trip()
    data = {
        "countries": ["IT", "FR", "TR"],
        "trip_type": "single",
        "starts_on": start.isoformat(),
        "ends_on": end.isoformat(),
        "sum_insured": "50000",
        "sport": "active",
        **travellers(rows),
    }
    data.update(overrides)
    return data


def traveller_errors(response) -> str:
    assert response.status_code == 200, "the form was expected to be refused"
    return str([f.errors for f in response.context["travellers"].forms]) + str(
        response.context["travellers"].non_form_errors()
    )


def errors(response) -> str:
    assert response.status_code == 200, "the form was expected to be refused"
    return str(response.context["form"].errors)


# --- The premium -------------------------------------------------------------------------------


def priced(**overrides) -> dict:
    """The service's breakdown of the worked example, with some inputs changed."""
    inputs = {
        "countries": ["IT", "FR", "TR"],
        "starts_on": datetime.date(2026, 7, 1),
        "ends_on": datetime.date(2026, 7, 10),
        "ages": [35, 33, 2],
        "sum_insured": 50_000,
        "sport": "active",
        "quote_day": datetime.date(2026, 6, 15),
    }
    inputs.update(overrides)
    return travel_premium(**inputs)


def test_worked_example_from_the_tables(tariffs):
    # the seeded tables: 50 000 EUR → 1.100 EUR a day per traveller; ages 35 and 33 → 1.00 each,
    # age 2 → 1.50; active rest → 1.50; the EUR rate of 01.12.2025 → 91.5000 ₽
    rate = TravelRate.objects.get(sum_insured=50_000).daily_rate
    assert rate == Decimal("1.100")
    # 1.100 × (1.00 + 1.00 + 1.50) × 1.50 × 10 days = 57.75 EUR
    # 57.75 × 91.5000 = 5 284.125 ₽ → 5 284.13 ₽ (half up; banker's rounding would give .12)
    breakdown = priced()
    assert breakdown["premium_eur"] == "57.75"
    assert Decimal(breakdown["premium"]) == Decimal("5284.13")
    assert breakdown["eur_rate"] == "91.5000" and breakdown["eur_rate_day"] == "2025-12-01"
    assert [t["value"] for t in breakdown["travellers"]] == ["1.00", "1.00", "1.50"]
    values = {row["code"]: row["value"] for row in breakdown["coefficients"]}
    assert values["Дней поездки"] == "10"
    assert values["Тариф в день на путешественника"] == "1.100"
    assert values["Возраст: сумма коэффициентов путешественников"] == "1.00 + 1.00 + 1.50"
    assert values["Курс евро, руб. за 1 EUR"] == "91.5000"
    assert breakdown["territory"] == "Италия, Турция, Франция" and breakdown["schengen"]


def test_the_latest_rate_on_or_before_the_quote_day_applies(tariffs):
    CurrencyRate.objects.create(day=datetime.date(2026, 6, 10), rate=Decimal("100.1234"))
    CurrencyRate.objects.create(day=datetime.date(2026, 6, 20), rate=Decimal("200.0000"))
    breakdown = priced(
        countries=["TR"],
        ends_on=datetime.date(2026, 7, 1),
        ages=[70],
        sum_insured=15_000,
        sport="none",
    )
    # 0.550 × 2.00 (age 65–74) × 1.00 × 1 day = 1.10 EUR × 100.1234 = 110.13574 → 110.14 ₽
    assert breakdown["premium_eur"] == "1.10"
    assert breakdown["premium"] == "110.14"


def test_no_rate_no_quote(person_client, tariffs):
    CurrencyRate.objects.all().delete()
    response = person_client.post(URL, form())
    assert "Нет курса евро" in errors(response)
    assert not Quote.objects.exists()


# --- Validation --------------------------------------------------------------------------------


def test_schengen_under_30000_eur_is_refused(person_client, tariffs):
    response = person_client.post(URL, form(countries=["IT", "TR"], sum_insured="15000"))
    message = errors(response)
    assert "Шенгенской зоны (Италия)" in message and "не меньше 30 000 EUR" in message
    assert not Quote.objects.exists()
    # the service refuses it too, whoever calls it
    with pytest.raises(ValidationError, match="Шенгенской"):
        priced(countries=["FR"], sum_insured=15_000)
    # outside Schengen the smaller sum is fine
    response = person_client.post(URL, form(countries=["TR", "EG"], sum_insured="15000"))
    assert response.status_code == 302
    assert Quote.objects.get().inputs["territory"] == "Египет, Турция"


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"starts_on": "PAST"}, "не может быть в прошлом"),
        ({"ends_on": "BEFORE"}, "не может быть раньше даты начала"),
        ({"ends_on": "TOO_LONG"}, "не дольше 365 дней"),
        ({"ends_on": ""}, "Укажите дату окончания поездки"),
        ({"countries": []}, "Выберите хотя бы одну страну"),
        ({"countries": ["XX"]}, "XX"),
        ({"sum_insured": "20000"}, "20000"),
        ({"sport": "base-jumping"}, "base-jumping"),
        ({"trip_type": "annual", "cover_days": "17"}, "17"),
    ],
)
def test_bad_input_is_refused_in_russian(person_client, tariffs, overrides, message):
    start, _end = trip()
    dates = {
        "PAST": (timezone.localdate() - datetime.timedelta(days=1)).isoformat(),
        "BEFORE": (start - datetime.timedelta(days=1)).isoformat(),
        "TOO_LONG": (start + datetime.timedelta(days=365)).isoformat(),
    }
    overrides = {k: dates.get(v, v) if isinstance(v, str) else v for k, v in overrides.items()}
    text = errors(person_client.post(URL, form(**overrides)))
    assert message in text
    assert not Quote.objects.exists()


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (("ИВАНОВ", "ALEKSEI", 35, "75 1234567"), "русские буквы здесь не подходят"),
        (("IVANOV2", "ALEKSEI", 35, "75 1234567"), "Цифр в имени быть не может"),
        (("IVANOV", "A" * 41, 35, "75 1234567"), "Не длиннее 40 символов"),
        (("IVANOV", "ALEKSEI!", 35, "75 1234567"), "Только латинские буквы"),
        (("", "ALEKSEI", 35, "75 1234567"), "Обязательное поле"),
        (("IVANOV", "ALEKSEI", 90, "75 1234567"), "онлайн страхуем до 84 лет"),
        (("IVANOV", "ALEKSEI", "2999-01-01", "75 1234567"), "не может быть в будущем"),
        (("IVANOV", "ALEKSEI", 35, "12345"), "9 цифр"),
    ],
)
def test_a_bad_traveller_is_refused_at_the_field(person_client, tariffs, row, message):
    response = person_client.post(URL, form(rows=[row]))

    assert message in traveller_errors(response)
    assert not Quote.objects.exists()


def test_no_traveller_or_too_many_is_refused(person_client, tariffs):
    six = [("DOE", f"JOHN{chr(65 + i)}", 30, "75 1234567") for i in range(6)]
    six = [("DOE", "JOHN" + "ABCDEF"[i], 30, "75 1234567") for i in range(6)]
    assert "не больше 5 путешественников" in traveller_errors(
        person_client.post(URL, form(rows=six))
    )
    assert "хотя бы одного путешественника" in traveller_errors(
        person_client.post(URL, form(rows=[]))
    )
    assert not Quote.objects.exists()


def test_a_365_day_trip_is_accepted(person_client, tariffs):
    start, end = trip(days=365)
    response = person_client.post(URL, form(ends_on=end.isoformat()))
    assert response.status_code == 302
    assert Quote.objects.get().breakdown["coefficients"][4]["value"] == "365"


def test_an_annual_multi_trip_policy_covers_a_year_priced_by_the_days_of_cover(
    person_client, user, tariffs
):
    start, _end = trip()
    response = person_client.post(URL, form(trip_type="annual", cover_days="30", ends_on=""))
    assert response.status_code == 302, response.context["form"].errors
    quote = Quote.objects.get()
    assert (
        quote.inputs["ends_on"]
        == (start.replace(year=start.year + 1) - datetime.timedelta(days=1)).isoformat()
    )
    values = {row["code"]: row["value"] for row in quote.breakdown["coefficients"]}
    assert values["Дней покрытия в каждой поездке (годовой полис)"] == "30"
    # 1.100 × 3.50 × 1.50 × 30 = 173.25 EUR
    assert quote.breakdown["premium_eur"] == "173.25"


def test_the_schengen_warning_names_the_visa(person_client, tariffs):
    page = person_client.get(URL).content.decode()
    assert "не для Шенгена" in page  # the smaller sums say so
    response = person_client.post(URL, form(countries=["IT"], sum_insured="15000"))
    assert "консульство не устроит" in response.content.decode()


# --- The saved quote and the purchase ----------------------------------------------------------


def test_a_rate_change_changes_new_quotes_not_the_saved_one(person_client, user, tariffs):
    first = person_client.post(URL, form())
    old = Quote.objects.get()
    assert old.premium == Decimal("5284.13") and old.tariff_version.code == "vzr-2025-12-01"
    # the Bank of Russia's rate of today is entered in the admin
    CurrencyRate.objects.create(day=timezone.localdate(), rate=Decimal("100.1234"))
    person_client.post(URL, form())
    new = Quote.objects.exclude(pk=old.pk).get()
    # 57.75 EUR × 100.1234 = 5 782.12635 → 5 782.13 ₽
    assert new.premium == Decimal("5782.13")
    old.refresh_from_db()
    assert old.premium == Decimal("5284.13")
    # the price shown on the old quote is the price charged
    page = person_client.get(first["Location"]).content.decode().replace("\xa0", " ")
    assert "5 284,13" in page
    person_client.post(first["Location"], {"rules": "on"})
    purchase = Purchase.objects.get()
    assert purchase.amount == Decimal("5284.13") and purchase.policy.premium == Decimal("5284.13")


def test_the_quote_page_shows_each_factor(person_client, tariffs):
    response = person_client.post(URL, form())
    page = person_client.get(response["Location"]).content.decode().replace("\xa0", " ")
    for text in (
        "5 284,13",
        "Италия, Турция, Франция",
        "1,00 + 1,00 + 1,50",
        "91,5",
        "57,75 EUR",
        "Тарифное руководство страховщика (ВЗР)",
        reverse("shop_vzr_rules"),
    ):
        assert text in page, text


def pay(purchase: Purchase, provider) -> None:
    client_secret = services.purchase_pay(purchase=purchase)
    purchase.refresh_from_db()
    setup_intent = provider.confirm_setup(client_secret, CARD_OK)
    services.purchase_charge(purchase=purchase, setup_intent_id=setup_intent)
    purchase.refresh_from_db()


def test_buy_travel_policy_and_see_it_in_my_policies(
    person_client, user, tariffs, provider, django_capture_on_commit_callbacks
):
    assert person_client.get(URL).status_code == 200
    response = person_client.post(URL, form())
    assert response.status_code == 302, response.context["form"].errors
    person_client.post(response["Location"], {"rules": "on"})
    purchase = Purchase.objects.get()
    policy = purchase.policy
    start, end = trip()
    assert policy.product == Policy.Product.VZR and policy.number.startswith("ВЗР ")
    assert policy.holder == user and policy.insured_person is None
    assert (policy.starts_on, policy.ends_on) == (start, end)
    assert policy.status == Policy.Status.AWAITING_PAYMENT
    with django_capture_on_commit_callbacks(execute=True):  # the worker makes the PDF
        pay(purchase, provider)
    assert purchase.status == Purchase.Status.PAID
    policy.refresh_from_db()
    assert policy.status == Policy.Status.ACTIVE
    # «Мои полисы»: the bought ВЗР's card with the trip and the travellers; its PDF is the
    # insurer's bilingual document made by the worker when the payment completed
    page = person_client.get("/policies/").content.decode().replace("\xa0", " ")
    pdf_url = reverse("policies:pdf", args=[policy.pk])
    for text in (
        policy.number,
        "Италия, Турция, Франция",
        "IVANOV ALEKSEI, IVANOVA MARIIA, IVANOVA SOFIIA",
        "50 000 EUR",
        f"с {start:%d.%m.%Y} по {end:%d.%m.%Y}",
        pdf_url,
    ):
        assert text in page, text
    assert policy.number in person_client.get("/").content.decode()  # the dashboard's tile
    detail = person_client.get(reverse("policies:detail", args=[policy.pk]))
    assert detail.status_code == 200 and pdf_url in detail.content.decode()
    # the shop's old address of the PDF leads to it
    old = person_client.get(reverse("shop_policy_pdf", args=[purchase.pk]))
    assert old.status_code == 302 and old["Location"] == pdf_url
    pdf = person_client.get(pdf_url)
    if pdf["Content-Type"].startswith("text/html"):  # still being made: ask again
        pdf = person_client.get(pdf_url)
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    content = b"".join(pdf.streaming_content)
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages)
    text = " ".join(text.replace("\xa0", " ").split())
    for part in (
        policy.number,
        "Италия, Турция, Франция",
        "France, Italy, Türkiye",
        "50 000 EUR",
        "IVANOV ALEKSEI",
        "IVANOVA MARIIA",
        "IVANOVA SOFIIA",
        "75 1234569",
        "Travel medical insurance policy",
        "Insured persons",
        "Deductible",
        "Schengen",
        "5 284,13",
        "ОГРН",
        "/verify/",
    ):
        assert part in text, part
    docs = person_client.get("/documents/").content.decode()
    assert pdf_url in docs and reverse("shop_receipt_pdf", args=[purchase.pk]) in docs
    # another person sees none of it
    person_client.force_login(UserFactory())
    for url in (
        pdf_url,
        reverse("shop_policy_pdf", args=[purchase.pk]),
        reverse("shop_receipt_pdf", args=[purchase.pk]),
        reverse("shop_purchase", args=[purchase.pk]),
        reverse("shop_quote", args=[purchase.quote_id]),
        reverse("policies:detail", args=[policy.pk]),
    ):
        assert person_client.get(url).status_code == 404, url
    assert policy.number not in person_client.get("/policies/").content.decode()


def test_the_form_starts_filled_in(person_client, user, tariffs):
    # tomorrow for a week; the buyer as the first traveller, the name transliterated
    start = timezone.localdate() + datetime.timedelta(days=1)
    end = start + datetime.timedelta(days=6)
    page = person_client.get(URL).content.decode()
    assert f'value="{start.isoformat()}"' in page and f'value="{end.isoformat()}"' in page
    last, first = user_latin_name(user)
    assert (
        f'name="travellers-0-last_name_latin" value="{last}"'
        in page.replace(' autocapitalize="characters"', "")
        or f'value="{last}"' in page
    )
    assert f'value="{first}"' in page
    assert f'value="{user.birth_date.isoformat()}"' in page
    assert 'name="ages"' not in page


def test_travel_is_on_the_shop_index(person_client, tariffs):
    page = person_client.get("/shop/").content.decode()
    assert 'href="/shop/travel/"' in page
    assert person_client.get(reverse("shop_vzr_rules")).status_code == 200


def test_the_product_code_path_leads_to_the_travel_form(client):
    # when
    response = client.get("/shop/vzr/?from=offer")

    # then
    assert response.status_code == 301
    assert response["Location"] == "/shop/travel/?from=offer"
