"""The filter choices of «Мои страховые случаи» (the clinics and kinds of care of the whole
history) are cached under the history's version: read once, and read again as soon as a line,
a clinic's or a kind's name changes, by a signal or by a bulk write that says so."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from claims.history_version import HISTORY_VERSION
from claims.models import ServiceLine
from claims.registers import HEADERS, register_import
from portal.core.models import VersionCounter
from tests.factories import CareKindFactory, ClinicFactory, ServiceLineFactory, UserFactory

pytestmark = pytest.mark.usefixtures("health_consent")


def choices(client) -> tuple[list[str], list[str], int]:
    """The clinics and kinds the page offers, and how many reads of the whole history it made."""
    with CaptureQueriesContext(connection) as ctx:
        response = client.get("/cases/")
    assert response.status_code == 200
    form = response.context["form"]
    distinct = [q for q in ctx.captured_queries if "SELECT DISTINCT" in q["sql"]]
    return (
        [name for _, name in form.fields["clinic"].choices][1:],
        [name for _, name in form.fields["care_kind"].choices][1:],
        len(distinct),
    )


def test_the_history_is_read_once_then_the_choices_come_from_the_cache(person_client, insured):
    ServiceLineFactory(insured_person=insured, clinic=ClinicFactory(name="Альфа"))

    first = choices(person_client)
    second = choices(person_client)

    assert first[0] == second[0] == ["Альфа"]
    assert first[1] == second[1]
    assert (first[2], second[2]) == (1, 0)


def test_a_new_line_at_another_clinic_is_offered_at_once(person_client, insured):
    ServiceLineFactory(insured_person=insured, clinic=ClinicFactory(name="Альфа"))
    choices(person_client)

    ServiceLineFactory(insured_person=insured, clinic=ClinicFactory(name="Бета"))

    clinics, _kinds, reads = choices(person_client)
    assert clinics == ["Альфа", "Бета"] and reads == 1


def test_a_renamed_clinic_and_kind_of_care_are_offered_by_their_new_names(person_client, insured):
    clinic, kind = ClinicFactory(name="Альфа"), CareKindFactory(name="Стоматология")
    ServiceLineFactory(insured_person=insured, clinic=clinic, care_kind=kind)
    choices(person_client)

    clinic.name = "Альфа-Мед"
    clinic.save()
    kind.name = "Стоматологическая помощь"
    kind.save()

    clinics, kinds, _reads = choices(person_client)
    assert clinics == ["Альфа-Мед"] and kinds == ["Стоматологическая помощь"]


def test_a_register_import_offers_its_clinic_at_once(person_client, insured):
    ServiceLineFactory(insured_person=insured, clinic=ClinicFactory(name="Альфа"))
    other, kind = ClinicFactory(name="Бета"), CareKindFactory(code="outpatient")
    choices(person_client)
    row = [
        str(other.pk),
        "Р-2026-03",
        "1",
        insured.policy_number,
        "B01.047.002",
        "Повторная консультация",
        kind.code,
        datetime.date.today().strftime("%d.%m.%Y"),
        "1",
        "680,00",
        "680,00",
        "",
        "",
    ]
    content = "\n".join([";".join(HEADERS), ";".join(row)]).encode()

    result = register_import(content=content, filename="r.csv")  # COPY: no signal is sent

    assert result.created == 1, result.errors
    assert choices(person_client)[0] == ["Альфа", "Бета"]


def test_a_database_made_anew_never_reads_an_older_databases_choices(person_client, insured):
    """A test's or a fresh `make run`'s database counts versions from 1 again, while the shared
    cache may still hold what an older database's choices were under the same number."""
    ServiceLineFactory(insured_person=insured, clinic=ClinicFactory(name="Альфа"))
    other, kind = ClinicFactory(name="Бета"), CareKindFactory()
    choices(person_client)
    counter = VersionCounter.objects.get(name=HISTORY_VERSION)
    # a write that says nothing, then the counter made again at the same number
    ServiceLine.objects.bulk_create(
        [ServiceLineFactory.build(insured_person=insured, clinic=other, care_kind=kind)]
    )
    assert choices(person_client)[0] == ["Альфа"]  # (what the cache is for)
    counter.delete()
    VersionCounter.objects.create(name=HISTORY_VERSION, value=counter.value)

    assert choices(person_client)[0] == ["Альфа", "Бета"]


def test_nothing_is_cached_before_the_version_is_first_bumped(person_client, insured):
    ServiceLineFactory(insured_person=insured, clinic=ClinicFactory(name="Альфа"))
    VersionCounter.objects.filter(name=HISTORY_VERSION).delete()

    assert [choices(person_client)[2] for _ in range(2)] == [1, 1]


def test_a_person_without_linked_policies_reads_no_history(client):
    client.force_login(UserFactory())
    with CaptureQueriesContext(connection) as ctx:
        assert client.get("/cases/").status_code == 200
    assert not [q for q in ctx.captured_queries if "SELECT DISTINCT" in q["sql"]]


def test_a_save_of_what_the_choices_do_not_show_keeps_them_cached(person_client, insured):
    line = ServiceLineFactory(insured_person=insured, clinic=ClinicFactory(name="Альфа"))
    other = ClinicFactory(name="Бета")
    choices(person_client)
    counter = VersionCounter.objects.get(name=HISTORY_VERSION).value

    line.disputed_at = line.created_at
    line.save(update_fields=["disputed_at", "updated_at"])  # an appeal's mark
    assert VersionCounter.objects.get(name=HISTORY_VERSION).value == counter
    assert choices(person_client)[2] == 0

    line.clinic = other
    line.save(update_fields=["clinic"])
    assert choices(person_client)[0] == ["Бета"]
