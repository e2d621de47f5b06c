"""`python -m bench.copay_run --persons N`: the daily co-pay charge run against localstripe.

Fills its own PostgreSQL database (default postgres://postgres@127.0.0.1:5432/portal_bench_copay,
or BENCH_COPAY_DATABASE_URL) with N enrolled persons, each with a bound card, three unpaid
co-pay lines (plus one frozen line that must not be charged) and yesterday's notice, starts
localstripe on a free port, runs the day's charge tasks (`charges_daily`, one chunk of
DAILY_BATCH persons per task) as one worker would, sequentially, and reports charges per second
and our own time per charge: the run's time minus the time spent inside the gateway's payment
calls (the HTTP round trip and stripe-python's own work). All persons share one provider
customer and payment method: the provider's cost per charge is the same, and creating N
customers in localstripe would only measure localstripe.

localstripe writes its whole state to a pickle file on every object it stores (several times
per payment), and answers each payment with its charge's refunds found by scanning every object
it holds: both make a long run quadratic at the provider and have no counterpart at Stripe. The
bench starts it with the persistence switched off (it is started --from-scratch anyway) and the
refunds indexed by charge (LOCALSTRIPE_FOR_BENCH); what it answers is unchanged.

`collect()` runs the bench in a child process (its own settings and database) and returns the
figures for `make bench`.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import socket
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/portal_bench_copay"
RESULTS_DIR = Path(__file__).resolve().parent / "results"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# localstripe's server for a long run, its two costs that grow with its state switched off:
# the pickling of the whole state on every write, and the scan of every stored object for a
# charge's refunds (each payment's answer lists them): refunds are indexed by charge instead.
LOCALSTRIPE_FOR_BENCH = """
import sys
from localstripe import resources

resources.Store.dump_to_disk = lambda self: None
refunds_by_charge = {}
refund_init = resources.Refund.__init__


def indexed_refund_init(self, *args, **kwargs):
    refund_init(self, *args, **kwargs)
    refunds_by_charge.setdefault(self.charge, []).append(self)


def charge_refunds(self):
    listed = resources.List('/v1/charges/' + self.id + '/refunds')
    listed._list = list(refunds_by_charge.get(self.id, ()))
    return listed


resources.Refund.__init__ = indexed_refund_init
resources.Charge.refunds = property(charge_refunds)
from localstripe.server import start

sys.argv[0] = 'localstripe'
start()
"""


def localstripe_start() -> tuple[subprocess.Popen, str]:
    import requests

    port = free_port()
    process = subprocess.Popen(  # noqa: S603  (our venv's Python and localstripe, fixed arguments)
        [sys.executable, "-c", LOCALSTRIPE_FOR_BENCH, "--port", str(port), "--from-scratch"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(150):
        try:
            requests.get(f"{url}/v1/customers", auth=("sk_test_bench", ""), timeout=1)
            return process, url
        except requests.ConnectionError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit("localstripe did not start")


def fill(persons: int, url: str) -> list[int]:
    import requests
    from django.core.management import call_command
    from django.utils import timezone

    from claims.models import ServiceLine
    from payments.models import CopayEnrollment, CopayNotice, PaymentCard
    from policies.models import InsuredPerson
    from tests.factories import CareKindFactory, ClinicFactory, ProgramFactory, UserFactory

    call_command("migrate", verbosity=0)
    call_command("flush", interactive=False, verbosity=0)  # the bench database only
    # one provider customer with one card, shared by all persons
    auth = ("sk_test_bench", "")
    customer = requests.post(f"{url}/v1/customers", auth=auth, timeout=10).json()["id"]
    method = requests.post(
        f"{url}/v1/payment_methods",
        auth=auth,
        data={
            "type": "card",
            "card[number]": "4242424242424242",
            "card[exp_month]": "12",
            "card[exp_year]": "2031",
            "card[cvc]": "123",
        },
        timeout=10,
    ).json()["id"]
    requests.post(
        f"{url}/v1/payment_methods/{method}/attach",
        auth=auth,
        data={"customer": customer},
        timeout=10,
    )
    program = ProgramFactory(copay_share=Decimal("20"))
    clinic, care = ClinicFactory(), CareKindFactory()
    user = UserFactory()
    today = timezone.localdate()
    stamp = int(time.time())
    people = InsuredPerson.objects.bulk_create(
        InsuredPerson(
            policy_number=f"B{stamp}-{i:07d}",
            last_name="Иванов",
            first_name="Иван",
            birth_date=datetime.date(1985, 1, 1),
            contract=program.contract,
            program=program,
            starts_on=today - datetime.timedelta(days=60),
            ends_on=today + datetime.timedelta(days=300),
        )
        for i in range(persons)
    )
    yesterday = timezone.now() - datetime.timedelta(days=1)
    lines = []
    for n, person in enumerate(people):
        for k, (amount, state) in enumerate(
            [("120", "unpaid"), ("200", "unpaid"), ("224", "unpaid"), ("999", "frozen")]
        ):
            lines.append(
                ServiceLine(
                    clinic=clinic,
                    register_number=f"B{stamp}",
                    line_number=n * 4 + k + 1,
                    insured_person=person,
                    service_code="B01.047.001",
                    service_name="Приём врача-терапевта",
                    care_kind=care,
                    service_date=today - datetime.timedelta(days=5),
                    amount=Decimal(amount) * 5,
                    copay_amount=Decimal(amount),
                    copay_state=state,
                    created_at=yesterday,
                    updated_at=yesterday,
                )
            )
    ServiceLine.objects.bulk_create(lines, batch_size=5000)
    # Known before the day began (auto_now_add stamped them now): the notice went out yesterday.
    ServiceLine.objects.update(created_at=yesterday)
    bound = timezone.now() - datetime.timedelta(days=2)
    enrollments = CopayEnrollment.objects.bulk_create(
        CopayEnrollment(
            user=user,
            insured_person=person,
            program=program,
            consent_at=bound,
            terms_version="bench",
            card_bound_at=bound,
            clinic_access_from=bound + datetime.timedelta(minutes=30),
            active_from=bound,
            provider_customer_id=customer,
        )
        for person in people
    )
    PaymentCard.objects.bulk_create(
        PaymentCard(
            user=user,
            enrollment=enrollment,
            provider_customer_id=customer,
            provider_payment_method_id=method,
            brand="visa",
            last4="4242",
            exp_month=12,
            exp_year=2031,
        )
        for enrollment in enrollments
    )
    # Yesterday's notices (the charge takes only what they announced), written directly: the
    # notice run is not what is measured.
    now = timezone.now()
    CopayNotice.objects.bulk_create(
        CopayNotice(
            insured_person=person,
            charge_day=today,
            amount=Decimal("544"),
            created_at=now,
            sent_at=now,
        )
        for person in people
    )
    return [e.pk for e in enrollments]


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, default=1000)
    parser.add_argument("--json-out", help="also write the report to this file (for collect())")
    parser.add_argument(
        "--provider-delay", type=float, default=0.0, help="seconds added to each provider call"
    )
    parser.add_argument(
        "--concurrency", type=int, default=1, help="provider calls in flight (per worker)"
    )
    args = parser.parse_args(argv)
    url = os.environ.get("BENCH_COPAY_DATABASE_URL", DEFAULT_DATABASE_URL)
    from bench.run import database_ensure

    database_ensure(url)
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    import django

    django.setup()
    from django.conf import settings

    process, stripe_url = localstripe_start()
    try:
        settings.STRIPE_API_BASE = stripe_url
        settings.STRIPE_SECRET_KEY = "sk_test_bench"  # noqa: S105  (localstripe accepts any key)
        started = time.perf_counter()
        enrollment_ids = fill(args.persons, stripe_url)
        fill_seconds = time.perf_counter() - started
        report = run(enrollment_ids, delay=args.provider_delay, concurrency=args.concurrency)
        report.update(
            persons=args.persons,
            fill_seconds=round(fill_seconds, 1),
            provider_delay=args.provider_delay,
            concurrency=args.concurrency,
        )
    finally:
        process.terminate()
        process.wait(timeout=10)
    RESULTS_DIR.mkdir(exist_ok=True)
    out = RESULTS_DIR / f"copay-{args.persons}-{datetime.datetime.now():%Y%m%d-%H%M%S}.json"
    out.write_text(json.dumps(report, indent=2, ensure_ascii=False))
    if args.json_out:
        Path(args.json_out).write_text(json.dumps(report, ensure_ascii=False))
    print(json.dumps(report, indent=2, ensure_ascii=False))
    print(f"written to {out}")
    return report


OVERHEAD_GOAL_MS = 5.0


def rows(report: dict) -> list[dict]:
    """The figures of a report as `make bench` prints them beside their goals."""
    persons = report["persons"]
    count = f"{persons:,}".replace(",", " ")
    overhead = report["our_overhead_ms_per_charge"]
    correct = (
        report["charges_succeeded"] == persons
        and report["charges_total"] == persons
        and report["frozen_lines_charged"] == 0
        and report["repeat_run_new_payments"] == 0
    )
    return [
        {
            "figure": "Co-pay run: our overhead per charge",
            "value": overhead,
            "unit": "ms",
            "goal": f"≤ {OVERHEAD_GOAL_MS:g} ms",
            "ok": overhead <= OVERHEAD_GOAL_MS,
        },
        {
            "figure": "Co-pay run: charges per second",
            "value": report["charges_per_second"],
            "unit": "1/s",
            "goal": "reported",
            "ok": None,
        },
        {
            "figure": f"Co-pay run: total time, {count} persons",
            "value": report["run_seconds"],
            "unit": "s",
            "goal": "reported",
            "ok": None,
        },
        {
            "figure": "Co-pay run: provider time per charge (localstripe)",
            "value": report["provider_ms_per_charge"],
            "unit": "ms",
            "goal": "reported",
            "ok": None,
        },
        {
            "figure": "Co-pay run: SQL queries per charge",
            "value": report["queries_per_charge"],
            "unit": "",
            "goal": "reported",
            "ok": None,
        },
        {
            "figure": "Co-pay run: each person charged once, frozen lines never, repeat run no-op",
            "value": f"{report['charges_succeeded']}/{persons}",
            "unit": "",
            "goal": "all, once",
            "ok": correct,
        },
    ]


SLOW_GOAL_SECONDS = 3600  # 100,000 debtors in an hour
PROJECTED_PERSONS = 100_000


def slow_rows(report: dict) -> list[dict]:
    """The figures of a run against a slowed provider: the rate, and the time it projects for
    100,000 debtors (one worker; more workers divide it)."""
    persons = report["persons"]
    rate = report["charges_per_second"] or 0
    projected = round(PROJECTED_PERSONS / rate) if rate else None
    delay = report["provider_delay"]
    title = f"Co-pay run, provider at {delay:g} s a call, {report['concurrency']} in flight"
    return [
        {
            "figure": f"{title}: charges per second ({persons} debtors)",
            "value": rate,
            "unit": "1/s",
            "goal": "reported",
            "ok": None,
        },
        {
            "figure": f"{title}: projected time for 100 000 debtors, one worker",
            "value": projected,
            "unit": "s",
            "goal": "≤ 3600 s",
            "ok": projected is not None and projected <= SLOW_GOAL_SECONDS,
        },
        {
            "figure": f"{title}: each person charged once",
            "value": f"{report['charges_succeeded']}/{persons}",
            "unit": "",
            "goal": "all, once",
            "ok": report["charges_succeeded"] == persons == report["charges_total"]
            and report["repeat_run_new_payments"] == 0,
        },
    ]


def collect(persons: int = 10_000, provider_delay: float = 0.0, concurrency: int = 1) -> list[dict]:
    """Run the bench in a child process (its own Django settings and database, whatever the
    caller has set up) and return its figures as rows for `make bench`."""
    import tempfile

    root = Path(__file__).resolve().parent.parent
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "copay.json"
        env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
        subprocess.run(  # noqa: S603  (our own module, fixed arguments)
            [
                sys.executable,
                "-m",
                "bench.copay_run",
                "--persons",
                str(persons),
                "--json-out",
                str(out),
                "--provider-delay",
                str(provider_delay),
                "--concurrency",
                str(concurrency),
            ],
            cwd=root,
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        report = json.loads(out.read_text())
        return slow_rows(report) if provider_delay else rows(report)


def run(enrollment_ids: list[int], *, delay: float = 0.0, concurrency: int = 1) -> dict:
    import threading

    from django.conf import settings
    from django.db import connection
    from django.utils import timezone

    from claims.models import ServiceLine
    from gateways.stripe import StripeGateway
    from payments import services
    from payments.models import Charge

    provider_seconds = 0.0
    provider_calls = 0
    original = StripeGateway.payment_create

    counting = threading.Lock()  # the calls may come from several threads at once

    def timed(self, **kwargs):
        nonlocal provider_seconds, provider_calls
        t0 = time.perf_counter()
        try:
            if delay:
                time.sleep(delay)  # a slow provider
            return original(self, **kwargs)
        finally:
            with counting:
                provider_calls += 1
                provider_seconds += time.perf_counter() - t0

    settings.COPAY_PROVIDER_CONCURRENCY = concurrency

    StripeGateway.payment_create = timed
    day = timezone.localdate()
    queries = 0

    def count(execute, sql, params, many, context):
        nonlocal queries
        queries += 1
        return execute(sql, params, many, context)

    batch = services.DAILY_BATCH
    started = time.perf_counter()
    with connection.execute_wrapper(count):
        # what the day's tasks do, one chunk per task (copay_daily_charges → copay_charge_persons)
        for start in range(0, len(enrollment_ids), batch):
            services.charges_daily(enrollment_ids=enrollment_ids[start : start + batch], day=day)
    total = time.perf_counter() - started
    # a second run of the same day (a task delivered twice): no new payments
    calls_before = provider_calls
    again_ids = enrollment_ids[: min(200, len(enrollment_ids))]
    again_started = time.perf_counter()
    services.charges_daily(enrollment_ids=again_ids, day=day)
    again = time.perf_counter() - again_started
    StripeGateway.payment_create = original
    n = Charge.objects.filter(status=Charge.Status.SUCCEEDED).count()
    return {
        "charges_succeeded": n,
        "charges_total": Charge.objects.count(),
        "frozen_lines_charged": ServiceLine.objects.filter(
            copay_state="frozen", charge_lines__isnull=False
        ).count(),
        "run_seconds": round(total, 2),
        "charges_per_second": round(n / total, 1) if total else None,
        "provider_ms_per_charge": round(provider_seconds / max(n, 1) * 1000, 2),
        "our_overhead_ms_per_charge": round((total - provider_seconds) / max(n, 1) * 1000, 2),
        "queries_per_charge": round(queries / max(n, 1), 1),
        "load_average_1m": round(os.getloadavg()[0], 2),
        "repeat_run_ms_per_person": round(again / max(1, len(again_ids)) * 1000, 2),
        "repeat_run_new_payments": provider_calls - calls_before,
    }


if __name__ == "__main__":
    main()
