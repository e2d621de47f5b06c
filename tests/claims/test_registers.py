"""Clinic service registers: good, repeated and bad files; co-pay rounding; the ICD-10
dictionary; the admin upload page."""

import datetime
import io
from decimal import Decimal

import pytest
from django.contrib import admin
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import path
from openpyxl import Workbook

from claims.admin_registers import RegisterImportAdminMixin
from claims.models import Icd10Diagnosis, ServiceLine
from claims.registers import HEADERS, copay_amount, register_import, template_csv, template_xlsx
from portal import urls as portal_urls
from tests.factories import CareKindFactory, ClinicFactory, InsuredPersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    clinic = ClinicFactory(name="ВОККДЦ")
    kind = CareKindFactory(code="outpatient", name="Амбулаторно-поликлиническое обслуживание")
    person = InsuredPersonFactory(policy_number="77-00000001")
    person.program.copay_share = Decimal("20")
    person.program.save()
    # The dictionary's row of the rows' code (the full dictionary: tests/claims/test_icd10.py).
    Icd10Diagnosis.objects.create(code="S20.2", rec_code="1903S202", name="Ушиб грудной клетки")
    return clinic, kind, person


def row(clinic, line=1, amount="680,00", price=None, quantity="1", policy="77-00000001", **kw):
    values = {
        "clinic": str(clinic.pk),
        "register": "Р-2026-03",
        "line": str(line),
        "policy": policy,
        "code": "B01.047.002",
        "name": "Повторная консультация",
        "kind": "outpatient",
        "date": kw.pop("date", datetime.date.today().strftime("%d.%m.%Y")),
        "quantity": quantity,
        "price": price or amount,
        "amount": amount,
        "icd": kw.pop("icd", "S20.2"),
        "icd_name": kw.pop("icd_name", "Ушиб грудной клетки"),
    }
    return list(values.values())


def csv_bytes(*rows) -> bytes:
    lines = [";".join(HEADERS)] + [";".join(r) for r in rows]
    return ("\n".join(lines) + "\n").encode("utf-8")


@pytest.mark.parametrize(
    ("amount", "share", "expected"),
    [
        ("680.00", "20", "136.00"),
        ("333.33", "20", "66.67"),  # 66.666 → 66.67
        ("0.10", "15", "0.02"),  # 0.015 → 0.02: half up, not to even
        ("0.10", "25", "0.03"),  # 0.025 → 0.03
        ("2500.00", "0", "0.00"),
    ],
)
def test_copay_is_the_programs_share_rounded_half_up(amount, share, expected):
    assert copay_amount(Decimal(amount), Decimal(share)) == Decimal(expected)


def test_a_good_csv_loads_with_the_copay(world):
    clinic, kind, person = world

    result = register_import(
        content=csv_bytes(row(clinic, 1), row(clinic, 2, amount="333,33")), filename="r.csv"
    )

    assert result.ok and result.created == 2
    lines = {line.line_number: line for line in ServiceLine.objects.all()}
    assert lines[1].copay_amount == Decimal("136.00")
    assert lines[1].copay_state == ServiceLine.CopayState.UNPAID
    assert lines[2].copay_amount == Decimal("66.67")
    assert lines[1].insured_person == person and lines[1].care_kind == kind
    assert lines[1].icd10_code == "S20.2" and lines[1].icd10_flag == ""
    assert result.icd10_flagged == 0


def test_the_same_register_twice_adds_nothing(world):
    clinic, _kind, _person = world
    content = csv_bytes(row(clinic, 1), row(clinic, 2))

    register_import(content=content, filename="r.csv")
    again = register_import(content=content, filename="r.csv")

    assert again.ok and again.created == 0 and again.already_loaded == 2
    assert ServiceLine.objects.count() == 2


def test_a_bad_row_loads_nothing_and_says_which_and_why(world):
    clinic, _kind, _person = world

    result = register_import(
        content=csv_bytes(
            row(clinic, 1),
            row(clinic, 2, policy="99-99999999"),
            row(clinic, 3, amount="100,00", price="60,00", quantity="2"),
            row(clinic, 4, date="31.02.2026"),
            row(clinic, 1),
        ),
        filename="r.csv",
    )

    assert not result.ok
    assert ServiceLine.objects.count() == 0
    reasons = {e.row: e.reason for e in result.errors}
    assert "полис 99-99999999 не найден" in reasons[3]
    assert "цене, умноженной на количество" in reasons[4]
    assert "ДД.ММ.ГГГГ" in reasons[5]
    assert "повторяется" in reasons[6]
    assert 2 not in reasons


def test_an_xlsx_register_loads(world):
    clinic, _kind, _person = world
    book = Workbook()
    sheet = book.active
    sheet.append(HEADERS)
    values = row(clinic, 7)
    values[7] = datetime.date.today()  # a real date cell
    values[10] = 680.0
    values[9] = 680
    sheet.append(values)
    out = io.BytesIO()
    book.save(out)

    result = register_import(content=out.getvalue(), filename="r.xlsx")

    assert result.ok, result.errors
    assert ServiceLine.objects.get().line_number == 7


def test_templates_have_the_russian_headers():
    assert template_csv().decode("utf-8-sig").startswith("Клиника")
    assert template_xlsx()[:2] == b"PK"


def test_the_cases_page_prefers_the_dictionary_name(person_client, insured, health_consent):
    from tests.factories import ServiceLineFactory

    ServiceLineFactory(insured_person=insured, icd10_code="S20.2", icd10_name="старое имя")
    Icd10Diagnosis.objects.create(code="S20.2", name="Ушиб грудной клетки")

    assert "Ушиб грудной клетки" in person_client.get("/cases/").content.decode()


class _ServiceLineAdmin(RegisterImportAdminMixin, admin.ModelAdmin):
    pass


# The mixin under test on an admin site of its own (claims/admin.py wires it into the real one).
_site = admin.AdminSite(name="admin")
_site.register(ServiceLine, _ServiceLineAdmin)
urlpatterns = [path("admin/", _site.urls), *portal_urls.urlpatterns]


@pytest.mark.urls("tests.claims.test_registers")
def test_the_admin_upload_page_reports_rows_then_loads(
    superuser_client, world, django_capture_on_commit_callbacks
):
    client = superuser_client
    clinic, _kind, _person = world

    page = client.get("/admin/claims/serviceline/import/")
    assert page.status_code == 200 and "ROUND_HALF_UP" in page.content.decode()
    assert client.get("/admin/claims/serviceline/import/template.xlsx").status_code == 200

    # the file goes to a Celery worker: the page follows its progress, then says the outcome
    bad = SimpleUploadedFile("r.csv", csv_bytes(row(clinic, 1, policy="00-0")))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/admin/claims/serviceline/import/", {"file": bad})
    assert response.status_code == 302 and "/admin/claims/serviceline/import/" in response.url
    page = client.get(response.url).content.decode()
    assert "полис 00-0 не найден" in page and "Реестр не загружен" in page
    assert not ServiceLine.objects.exists()

    good = SimpleUploadedFile("r.csv", csv_bytes(row(clinic, 1)))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/admin/claims/serviceline/import/", {"file": good})
    assert response.status_code == 302
    assert ServiceLine.objects.count() == 1
    assert "Реестр загружен: новых строк 1" in client.get(response.url).content.decode()

    odd = SimpleUploadedFile("r.txt", b"hello")
    response = client.post("/admin/claims/serviceline/import/", {"file": odd})
    assert "CSV или XLSX" in response.content.decode()


def test_a_bad_row_after_lines_already_written_loads_nothing(world, monkeypatch):
    # given: lines are written in chunks of two, and the bad row comes after three chunks
    import claims.registers

    monkeypatch.setattr(claims.registers, "CHUNK", 2)
    clinic, _kind, _person = world
    good = [row(clinic, n) for n in range(1, 7)]

    result = register_import(
        content=csv_bytes(*good, row(clinic, 7, policy="99-99999999"), row(clinic, 8)),
        filename="r.csv",
    )

    assert not result.ok and [e.row for e in result.errors] == [8]
    assert not ServiceLine.objects.exists()


def test_a_register_loaded_in_chunks_adds_only_its_new_lines(world, monkeypatch):
    import claims.registers

    monkeypatch.setattr(claims.registers, "CHUNK", 2)
    clinic, _kind, _person = world
    register_import(content=csv_bytes(*(row(clinic, n) for n in (1, 2, 3))), filename="r.csv")

    result = register_import(
        content=csv_bytes(*(row(clinic, n) for n in range(1, 8))), filename="r.csv"
    )

    assert (result.ok, result.created, result.already_loaded) == (True, 4, 3)
    assert sorted(ServiceLine.objects.values_list("line_number", flat=True)) == list(range(1, 8))


@pytest.mark.urls("tests.claims.test_registers")
def test_a_running_job_shows_its_progress(superuser_client, world):
    from django.core.files.storage import default_storage

    from claims import register_jobs

    clinic, _kind, _person = world
    content = csv_bytes(*[row(clinic, n) for n in range(1, 4)])
    job = register_jobs.register_job_start(content=content, filename="r.csv")  # not run yet
    seen = []
    original = register_jobs._save

    def spy(saved):
        seen.append((saved.status, saved.done, saved.total))
        original(saved)

    from claims import registers

    registers.PROGRESS_EVERY, old = 1, registers.PROGRESS_EVERY
    register_jobs._save = spy
    try:
        page = superuser_client.get(f"/admin/claims/serviceline/import/{job.id}/")
        assert "ждёт очереди" in page.content.decode() and 'http-equiv="refresh"' in (
            page.content.decode()
        )
        finished = register_jobs.register_job_run(job.id)
    finally:
        registers.PROGRESS_EVERY = old
        register_jobs._save = original
    assert ("running", 2, 3) in seen
    assert finished.ok and finished.created == 3
    assert not default_storage.exists(f"registers/uploads/{job.id}.csv")
    # running it twice changes nothing
    assert register_jobs.register_job_run(job.id).created == 3
