"""The bench harness still works: a micro fill into the test database, then every page measured.

PostgreSQL only: the fill streams rows with COPY. Run it with
`DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_benchtest .venv/bin/pytest tests/bench`.
"""

import pytest
from django.conf import settings
from django.db.models import Count

from bench.fill import BENCH_EXTRA, SCALES, Plan, fill, our_models
from bench.measure import measure_pages
from bench.pages import pages
from bench.subjects import subjects_load
from claims.models import ServiceLine
from policies.models import InsuredPerson, PolicyLink

pytestmark = [
    pytest.mark.skipif(
        settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
        reason="the bench fill uses PostgreSQL COPY: set DATABASE_URL=postgres://... to run it",
    ),
    # The fill commits (TRUNCATE, COPY, then the indexes rebuilt): no test transaction around it.
    pytest.mark.django_db(transaction=True),
]

MICRO = SCALES["micro"]


@pytest.fixture
def report():
    return fill(MICRO, seed=1)


def test_fill_reports_the_row_counts_of_the_scale(report):
    plan = Plan(MICRO)
    bulk = {
        "clinics.Clinic": MICRO.clinics,
        "policies.InsuredPerson": MICRO.insured,
        "claims.ServiceLine": MICRO.service_lines,
        "clinics.Appointment": MICRO.appointments,
        "feedback.Appeal": MICRO.appeals,
        "claims.Claim": MICRO.claims,
        "clinics.Doctor": plan.doctors,
        "clinics.Slot": plan.slots,
        "accounts.User": plan.users + 2,  # and the operator and the HR manager
        "policies.Policyholder": plan.policyholders,
        "policies.Program": plan.programs,
    }
    for label, count in bulk.items():
        assert report.counts[label] == count + BENCH_EXTRA.get(label, 0), label
    # The report counts what is in the database, table by table.
    for model in our_models():
        assert report.counts[model._meta.label] == model._default_manager.count()
    assert report.seconds > 0


def test_fill_keeps_the_invariants_the_schema_does_not_check(report):
    # One active link per insured person is a constraint; that every child's parent is linked
    # to the same user is the fill's own arithmetic, checked here.
    for link in PolicyLink.objects.filter(relation="child").select_related("insured_person"):
        parent_link = PolicyLink.objects.get(insured_person=link.insured_person.parent)
        assert parent_link.user_id == link.user_id
    assert not InsuredPerson.objects.filter(relation="child", parent__isnull=True).exists()
    # Every insured person has service lines, so that the bench pages have data to show.
    with_lines = ServiceLine.objects.values("insured_person").annotate(n=Count("id"))
    assert with_lines.count() == InsuredPerson.objects.count()


def test_fill_is_repeatable(report):
    again = fill(MICRO, seed=1)
    assert again.counts == report.counts


def test_every_page_is_measured_with_queries_and_timings(report):
    page_list = pages()

    results = measure_pages(subjects_load(), page_list, requests=2, warmups=1)

    assert [r.label for r in results] == [p.label for p in page_list]
    for result in results:
        assert result.status == 200, (result.label, result.path)
        assert result.queries >= 1, result.label
        assert result.queries_min <= result.queries <= result.queries_max
        assert 0 < result.median_ms <= result.p95_ms
        assert result.requests == 2


def test_a_register_load_larger_than_one_upload_goes_in_files_one_after_the_other():
    from bench.register_import import run

    result = run(30, per_file=10)

    assert [(f["lines"], f["lines_before"]) for f in result["files"]] == [
        (10, 0),
        (10, 10),
        (10, 20),
    ]
    assert ServiceLine.objects.count() == 30
    assert result["again"]["created"] == 0 and result["again"]["already_loaded"] == 10


def test_fill_leaves_every_index_valid_on_every_partition(report):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexrelid::regclass::text FROM pg_index WHERE NOT indisvalid OR NOT indisready"
        )
        invalid = [row[0] for row in cursor.fetchall()]
        # Each index of the service lines has its copy on each partition.
        cursor.execute(
            "SELECT count(*) FROM pg_inherits WHERE inhparent = 'claims_serviceline'::regclass"
        )
        partitions = cursor.fetchone()[0]
        cursor.execute(
            "SELECT i.indexrelid::regclass::text, count(c.inhrelid) FROM pg_index i "
            "LEFT JOIN pg_inherits c ON c.inhparent = i.indexrelid "
            "WHERE i.indrelid = 'claims_serviceline'::regclass GROUP BY 1"
        )
        copies = dict(cursor.fetchall())

    assert invalid == []
    assert partitions > 12 and len(copies) >= 4
    assert set(copies.values()) == {partitions}, copies
