"""The EUR rate fetched from the Bank of Russia: the Bank's daily XML (written by hand in its real
shape, windows-1251) is served by a loopback HTTP server that CBR_DAILY_URL points at, so the
real requests call, its status and timeout handling run, and nothing leaves the machine."""

import datetime
import http.server
import io
import logging
import socket
import threading
import time
from decimal import Decimal

import pytest
import time_machine
from django.conf import settings as django_settings
from django.core.management import CommandError, call_command
from django.urls import reverse

from portal.celery import app as celery_app
from shop import rates
from shop.models import CurrencyRate, Quote
from shop.tasks import currency_rates_fetch
from shop.travel import eur_rate_on

from .test_travel import URL, form

MOSCOW = datetime.timezone(datetime.timedelta(hours=3))


def daily_xml(
    day: str = "13.06.2026", *, eur: tuple[str, str] | None = ("1", "105,1234"), extra: str = ""
) -> bytes:
    """The Bank's answer as it sends it: windows-1251 bytes, a decimal comma, VunitRate beside."""
    valutes = [
        ("R01235", "840", "USD", "1", "Доллар США", "90,4567"),
        ("R01820", "392", "JPY", "100", "Японских иен", "61,2345"),
    ]
    if eur is not None:
        valutes.insert(1, ("R01239", "978", "EUR", eur[0], "Евро", eur[1]))
    body = "".join(
        f'<Valute ID="{vid}"><NumCode>{num}</NumCode><CharCode>{code}</CharCode>'
        f"<Nominal>{nominal}</Nominal><Name>{name}</Name><Value>{value}</Value>"
        f"<VunitRate>{value}</VunitRate></Valute>"
        for vid, num, code, nominal, name, value in valutes
    )
    text = (
        '<?xml version="1.0" encoding="windows-1251"?>'
        f'<ValCurs Date="{day}" name="Foreign Currency Market">{body}{extra}</ValCurs>'
    )
    return text.encode("cp1251")


class FakeBank:
    """What the loopback server answers next, and the request paths it was sent."""

    def __init__(self):
        self.status = 200
        self.body = daily_xml()
        self.delay = 0.0
        self.paths: list[str] = []


@pytest.fixture
def bank(settings):
    fake = FakeBank()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            fake.paths.append(self.path)
            time.sleep(fake.delay)
            self.send_response(fake.status)
            self.send_header("Content-Type", "application/xml; charset=windows-1251")
            self.send_header("Content-Length", str(len(fake.body)))
            self.end_headers()
            self.wfile.write(fake.body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    settings.CBR_DAILY_URL = f"http://127.0.0.1:{server.server_port}/scripts/XML_daily.asp"
    settings.CBR_TIMEOUT = 2
    yield fake
    server.shutdown()
    server.server_close()


def fetch(day: datetime.date = datetime.date(2026, 6, 14)) -> rates.RateFetch:
    return rates.currency_rate_fetch(day=day)


def warnings_of(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]


# --- A good answer -----------------------------------------------------------------------------


def test_the_rate_is_stored_for_the_day_the_answer_names(db, bank):
    CurrencyRate.objects.all().delete()
    # asked for Sunday 14.06, the Bank answers with Saturday's rate
    result = fetch(datetime.date(2026, 6, 14))
    assert bank.paths == ["/scripts/XML_daily.asp?date_req=14/06/2026"]
    assert result.outcome == "created"
    row = CurrencyRate.objects.get()
    assert (row.currency, row.day, row.rate, row.source) == (
        "EUR",
        datetime.date(2026, 6, 13),
        Decimal("105.1234"),
        "Банк России",
    )


def test_running_twice_stores_one_row(db, bank):
    CurrencyRate.objects.all().delete()
    assert fetch().outcome == "created"
    assert fetch().outcome == "unchanged"
    assert CurrencyRate.objects.count() == 1
    assert len(bank.paths) == 2


def test_the_value_is_for_nominal_units(db, bank):
    CurrencyRate.objects.all().delete()
    # 1 051,23456 ₽ for 10 EUR → 105.123456 → 105.1235 (4 places, half up)
    bank.body = daily_xml(eur=("10", "1051,23456"))
    fetch()
    assert CurrencyRate.objects.get().rate == Decimal("105.1235")
    # and a currency the Bank quotes per 100: 61,2345 ₽ for 100 JPY
    assert rates.currency_rate_fetch(day=datetime.date(2026, 6, 14), currency="JPY").rate.rate == (
        Decimal("0.6123")
    )


def test_off_when_the_url_is_empty(db, bank, settings):
    settings.CBR_DAILY_URL = ""
    before = list(CurrencyRate.objects.values_list("day", "rate"))
    assert fetch().outcome == "off"
    assert currency_rates_fetch.delay().get() == "off"
    assert bank.paths == []
    assert list(CurrencyRate.objects.values_list("day", "rate")) == before


# --- Failures change nothing -------------------------------------------------------------------

BILLION_LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
    b'<ValCurs Date="13.06.2026"><Valute><CharCode>EUR</CharCode><Nominal>1</Nominal>'
    b"<Value>&lol2;</Value></Valute></ValCurs>"
)


@pytest.mark.parametrize(
    ("status", "body", "logged"),
    [
        (500, b"Internal Server Error", "500 Server Error"),
        (404, b"", "404 Client Error"),
        (200, b"<html><body>\xcf\xf0\xee\xf4\xe8\xeb\xe0\xea\xf2\xe8\xea\xe0", "not XML"),
        (200, daily_xml()[:-40], "not XML"),
        (200, b"", "not XML"),
        (200, daily_xml().replace(b"windows-1251", b"koi9"), "not XML"),
        (200, b'<?xml version="1.0" encoding="utf-16"?><ValCurs/>', "not XML"),
        (200, b"<html><body>ok</body></html>", "not <ValCurs>"),
        (200, daily_xml(day="2026-06-13"), "Date is '2026-06-13'"),
        (200, daily_xml(eur=None), "has no EUR"),
        (200, daily_xml(eur=("1", "0,0000")), "Value '0,0000'"),
        (200, daily_xml(eur=("1", "-105,1234")), "Value '-105,1234'"),
        (200, daily_xml(eur=("0", "105,1234")), "Nominal '0'"),
        (200, daily_xml(eur=("1", "")), "Value ''"),
        (200, daily_xml(eur=("1", "105.12.34")), "Value '105.12.34'"),
        (200, daily_xml(eur=("100000", "0,0001")), "rounds to zero"),
        (200, daily_xml(eur=("1", "12345678,9")), "10 цифр"),
        (200, BILLION_LAUGHS, "DTD"),
    ],
)
def test_a_bad_answer_changes_nothing_and_is_logged(db, bank, caplog, status, body, logged):
    before = list(CurrencyRate.objects.values_list("currency", "day", "rate", "source"))
    bank.status, bank.body = status, body
    result = fetch()
    assert result.outcome == "failed"
    assert list(CurrencyRate.objects.values_list("currency", "day", "rate", "source")) == before
    (warning,) = warnings_of(caplog)
    assert "was not fetched" in warning and logged in warning
    # the task neither raises nor retries: the next scheduled run tries again
    assert currency_rates_fetch.delay().get() == "failed"


def test_an_unreachable_bank_changes_nothing(db, settings, caplog):
    with socket.socket() as closed:  # a loopback port nothing listens on
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    settings.CBR_DAILY_URL = f"http://127.0.0.1:{port}/scripts/XML_daily.asp"
    before = CurrencyRate.objects.count()
    assert fetch().outcome == "failed"
    assert CurrencyRate.objects.count() == before
    assert "request failed" in warnings_of(caplog)[0]


def test_a_slow_bank_times_out_and_changes_nothing(db, bank, settings, caplog):
    settings.CBR_TIMEOUT = 0.2
    bank.delay = 1.0
    before = CurrencyRate.objects.count()
    started = time.monotonic()
    assert fetch().outcome == "failed"
    assert time.monotonic() - started < 0.9
    assert CurrencyRate.objects.count() == before
    assert "timed out" in warnings_of(caplog)[0]


# --- A rate typed by hand ----------------------------------------------------------------------


def test_a_different_rate_typed_by_hand_is_kept_and_logged(db, bank, caplog):
    typed = CurrencyRate.objects.create(
        day=datetime.date(2026, 6, 13), rate=Decimal("104.0000"), source="ввёл оператор"
    )
    result = fetch()
    assert result.outcome == "kept" and "105.1234" in result.detail
    typed.refresh_from_db()
    assert (typed.rate, typed.source) == (Decimal("104.0000"), "ввёл оператор")
    (warning,) = warnings_of(caplog)
    assert "kept as stored (104.0000" in warning and "105.1234" in warning
    # the operator deletes it; the next run stores the Bank's
    typed.delete()
    assert fetch().outcome == "created"
    assert CurrencyRate.objects.get(day=datetime.date(2026, 6, 13)).rate == Decimal("105.1234")


def test_the_same_rate_typed_by_hand_is_left_alone(db, bank, caplog):
    CurrencyRate.objects.create(
        day=datetime.date(2026, 6, 13), rate=Decimal("105.1234"), source="ввёл оператор"
    )
    assert fetch().outcome == "unchanged"
    assert CurrencyRate.objects.get(day=datetime.date(2026, 6, 13)).source == "ввёл оператор"
    assert warnings_of(caplog) == []


# --- The schedule, the task and the command ----------------------------------------------------


def test_the_schedule_runs_a_real_task_in_the_moscow_afternoon():
    entry = django_settings.CELERY_BEAT_SCHEDULE["shop-currency-rates-fetch"]
    celery_app.loader.import_default_modules()
    assert celery_app.tasks[entry["task"]].name == currency_rates_fetch.name
    assert entry["schedule"].hour == {16, 21} and entry["schedule"].minute == {0}
    assert django_settings.CELERY_TIMEZONE == "Europe/Moscow"


def test_the_task_asks_for_tomorrow_in_moscow(db, bank):
    CurrencyRate.objects.all().delete()
    bank.body = daily_xml(day="16.06.2026")
    # 22:30 UTC on the 14th is 01:30 on the 15th in Moscow: tomorrow is the 16th
    with time_machine.travel(datetime.datetime(2026, 6, 14, 22, 30, tzinfo=datetime.UTC)):
        assert currency_rates_fetch.delay().get() == "created"
    assert bank.paths == ["/scripts/XML_daily.asp?date_req=16/06/2026"]
    assert CurrencyRate.objects.get().day == datetime.date(2026, 6, 16)


def test_the_command(db, bank):
    CurrencyRate.objects.all().delete()
    out = io.StringIO()
    call_command("fetch_currency_rates", "--date", "2026-06-14", stdout=out)
    assert bank.paths == ["/scripts/XML_daily.asp?date_req=14/06/2026"]
    assert "EUR 13.06.2026: 105.1234 руб. (Банк России) — stored" in out.getvalue()
    call_command("fetch_currency_rates", "--date", "2026-06-14", stdout=out)
    assert "already stored" in out.getvalue()
    assert CurrencyRate.objects.count() == 1
    # without --date it asks for tomorrow, as the task does
    with time_machine.travel(datetime.datetime(2026, 6, 14, 12, 0, tzinfo=MOSCOW)):
        call_command("fetch_currency_rates", stdout=out)
    assert bank.paths[-1] == "/scripts/XML_daily.asp?date_req=15/06/2026"
    # a failure is the operator's error exit, with nothing stored
    bank.status = 503
    with pytest.raises(CommandError, match="No rate stored for 14.06.2026: .*503"):
        call_command("fetch_currency_rates", "--date", "2026-06-14", stdout=out)
    assert CurrencyRate.objects.count() == 1


def test_the_admin_lists_the_day_and_the_source(superuser_client, bank):
    CurrencyRate.objects.all().delete()
    CurrencyRate.objects.create(
        day=datetime.date(2026, 6, 12), rate=Decimal("104.0000"), source="ввёл оператор"
    )
    fetch()
    url = reverse("admin:shop_currencyrate_changelist")
    page = superuser_client.get(url).content.decode()
    assert "13.06.2026" in page and "Банк России" in page and "ввёл оператор" in page
    fetched = superuser_client.get(url, {"source": "Банк России"}).context["cl"].result_list
    assert [(r.day, r.rate) for r in fetched] == [(datetime.date(2026, 6, 13), Decimal("105.1234"))]


# --- The travel quote --------------------------------------------------------------------------


def test_the_travel_quote_uses_the_fetched_rate(person_client, tariffs, bank):
    from django.utils import timezone

    today = timezone.localdate()
    bank.body = daily_xml(day=f"{today:%d.%m.%Y}", eur=("1", "100,1234"))
    assert fetch(today + datetime.timedelta(days=1)).outcome == "created"
    assert eur_rate_on(today).source == "Банк России" and eur_rate_on(today).day == today
    response = person_client.post(URL, form())
    assert response.status_code == 302
    quote = Quote.objects.get()
    # the worked example: 57.75 EUR × 100.1234 = 5 782.12635 → 5 782.13 ₽
    assert quote.breakdown["eur_rate"] == "100.1234"
    assert quote.breakdown["eur_rate_day"] == today.isoformat()
    assert quote.premium == Decimal("5782.13")
