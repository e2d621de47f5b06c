"""МКБ-10: codes normalised on the way in, the Ministry's dictionary loaded complete and
idempotently, register lines with unknown codes loaded and flagged, the read-only admin with its
search by code or words and its reload."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.core.management import call_command

from claims.icd10 import icd10_is_valid, icd10_normalize
from claims.models import Icd10Diagnosis, Icd10Flag, ServiceLine
from claims.registers import HEADERS, register_import
from claims.services.icd10 import DICTIONARY_FILE, icd10_load
from tests.conftest import staff_login
from tests.factories import (
    CareKindFactory,
    ClinicFactory,
    InsuredPersonFactory,
    ServiceLineFactory,
    StaffUserFactory,
)

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/claims/icd10diagnosis/"


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("к021", "K02.1"),  # Cyrillic «к», no dot
        ("К02.1", "K02.1"),  # Cyrillic capital «К»
        ("K 02,1", "K02.1"),  # a space and a comma
        (" j06.9 ", "J06.9"),
        ("А17.0†", "A17.0"),  # Cyrillic «А» and the dagger of the dual coding
        ("G01*", "G01"),
        ("S0200", "S02.00"),  # two digits after the missing dot
        ("Х59.", "X59"),
        ("u07.1", "U07.1"),
    ],
)
def test_codes_are_normalised(typed, code):
    assert icd10_normalize(typed) == code
    assert icd10_is_valid(code)


@pytest.mark.parametrize("typed", ["", "K0", "K02.123", "KO2.1", "02.1", "ЖЖ1", "B01.047.002"])
def test_what_is_not_a_code_is_not_valid(typed):
    assert not icd10_is_valid(icd10_normalize(typed))


def test_the_whole_dictionary_loads_once_and_again_changes_nothing():
    # given: a row of the old register-filled dictionary (a clinic's name, no REC_CODE)
    Icd10Diagnosis.objects.create(code="K02.1", name="кариес (так написала клиника)")

    # when
    call_command("load_mkb10", verbosity=0)
    first_count = Icd10Diagnosis.objects.count()
    again = icd10_load()

    # then: every row of the Ministry's export, and the two U07 codes with their chapter and block
    assert again.file_rows == 14_911
    assert sum(1 for line in DICTIONARY_FILE.open(encoding="utf-8") if line.strip()) == 14_911
    assert first_count == 14_911 + 4 == Icd10Diagnosis.objects.count()
    assert (again.created, again.updated, again.deleted) == (0, 0, 0)
    rows = Icd10Diagnosis.objects
    assert rows.filter(source=Icd10Diagnosis.Source.NSI).count() == 14_911
    assert rows.filter(level=Icd10Diagnosis.Level.CHAPTER, source="nsi").count() == 21
    assert rows.filter(code__contains=".", source="nsi").count() == 12_586
    assert rows.filter(is_actual=False).count() == 53
    assert rows.filter(addl_code="1").count() == 79 and rows.filter(addl_code="2").count() == 371
    # the official name replaced the clinic's
    assert rows.get(code="K02.1").name == "Кариес дентина"
    # the hierarchy: subcategory → category → block → chapter
    a000 = rows.select_related("parent__parent__parent").get(code="A00.0")
    assert a000.parent.code == "A00"
    assert a000.parent.parent.name == "КИШЕЧНЫЕ ИНФЕКЦИИ (A00-A09)"
    assert a000.parent.parent.parent.level == Icd10Diagnosis.Level.CHAPTER
    assert a000.nsi_id == 4 and a000.added_on is None
    assert rows.get(code="A09.0").added_on == datetime.date(2015, 1, 1)
    # the longest name (261 characters) is kept whole
    assert max(len(name) for name in rows.values_list("name", flat=True)) == 261
    covid = rows.select_related("parent__parent").get(code="U07.1")
    assert covid.name == "COVID-19, вирус идентифицирован"
    assert rows.get(code="U07.2").name == "COVID-19, вирус не идентифицирован"
    assert covid.parent.parent.name == "КОДЫ ДЛЯ ОСОБЫХ ЦЕЛЕЙ (U00-U85)"


def _tiny(tmp_path, *rows: str, supplement: str = ""):
    dictionary = tmp_path / "mkb10.csv"
    dictionary.write_text("\n".join(rows) + "\n", encoding="utf-8")
    extra = tmp_path / "extra.csv"
    extra.write_text(supplement, encoding="utf-8")
    return {"dictionary": dictionary, "supplement": extra}


CHAPTER = '"1","11",,"БОЛЕЗНИ ОРГАНОВ ПИЩЕВАРЕНИЯ (K00-K93)",,,1,'
BLOCK = '"2","1101",,"БОЛЕЗНИ ПОЛОСТИ РТА (K00-K14)","1",,1,'
K02 = '"3","1101K02","K02","Кариес зубов","2",,1,'
K021 = '"4","1101K021","K02.1","Кариес дентина","3",,1,'


def test_a_reload_updates_changed_rows_and_removes_gone_ones(tmp_path):
    icd10_load(**_tiny(tmp_path, CHAPTER, BLOCK, K02, K021))
    result = icd10_load(
        **_tiny(
            tmp_path,
            CHAPTER,
            BLOCK,
            K02,
            K021.replace("Кариес дентина", "Кариес дентина!")[:-2] + "0,",
        )
    )
    assert (result.created, result.updated, result.deleted) == (0, 1, 0)
    row = Icd10Diagnosis.objects.get(code="K02.1")
    assert row.name == "Кариес дентина!" and not row.is_actual

    result = icd10_load(**_tiny(tmp_path, CHAPTER, BLOCK, K02))
    assert result.deleted == 1 and not Icd10Diagnosis.objects.filter(code="K02.1").exists()


@pytest.fixture
def world():
    clinic = ClinicFactory()
    CareKindFactory(code="dental", name="Стоматологическая помощь")
    person = InsuredPersonFactory(policy_number="77-00000001")
    person.program.copay_share = Decimal("0")
    person.program.save()
    return clinic


def _register(clinic, *codes: str) -> bytes:
    day = datetime.date.today().strftime("%d.%m.%Y")
    rows = [
        ";".join(
            [str(clinic.pk), "Р-1", str(n), "77-00000001", "A16.07.002", "Пломба", "dental", day]
            + ["1", "6800,00", "6800,00", code, "кариес"]
        )
        for n, code in enumerate(codes, start=1)
    ]
    return ("\n".join([";".join(HEADERS), *rows]) + "\n").encode("utf-8")


def test_a_register_line_with_an_unknown_code_is_loaded_and_flagged(world, tmp_path):
    # given: the dictionary without U07.1
    icd10_load(**_tiny(tmp_path, CHAPTER, BLOCK, K02, K021))

    # when: a Cyrillic code, a code the dictionary lacks, no code at all, and something else
    result = register_import(
        content=_register(world, "к021", "U07.1", "", "кариес"), filename="r.csv"
    )

    # then: all four lines are loaded; the two the specialist must look at are marked
    assert result.ok and result.created == 4 and result.icd10_flagged == 2
    lines = {line.line_number: line for line in ServiceLine.objects.all()}
    assert (lines[1].icd10_code, lines[1].icd10_flag) == ("K02.1", "")
    assert (lines[2].icd10_code, lines[2].icd10_flag) == ("U07.1", Icd10Flag.UNKNOWN)
    assert (lines[3].icd10_code, lines[3].icd10_flag) == ("", "")
    assert lines[4].icd10_flag == Icd10Flag.INVALID
    # the clinic's name of the diagnosis did not go into the dictionary
    assert not Icd10Diagnosis.objects.filter(code="U07.1").exists()

    # when: the dictionary is reloaded with U07.1, the mark of its line goes
    U071 = ',"1101U071","U07.1","COVID-19, вирус идентифицирован",,,1,'
    reloaded = icd10_load(**_tiny(tmp_path, CHAPTER, BLOCK, K02, K021, supplement=U071))
    assert reloaded.lines_cleared == 1
    assert ServiceLine.objects.get(line_number=2).icd10_flag == ""
    assert ServiceLine.objects.get(line_number=4).icd10_flag == Icd10Flag.INVALID


def test_service_history_shows_the_official_name(person_client, insured, tmp_path, health_consent):
    icd10_load(**_tiny(tmp_path, CHAPTER, BLOCK, K02, K021))
    ServiceLineFactory(insured_person=insured, icd10_code="K02.1", icd10_name="кариес д-на")
    content = person_client.get("/cases/").content.decode()
    assert "Кариес дентина" in content and "кариес д-на" not in content


@pytest.fixture
def dictionary(tmp_path):
    J069 = '"5","1001J069","J06.9","Острая инфекция верхних дыхательных путей неуточненная","3",,1,'
    icd10_load(**_tiny(tmp_path, CHAPTER, BLOCK, K02, K021, J069))


@pytest.mark.parametrize(
    ("query", "found", "not_found"),
    [
        ("к021", "K02.1", "J06.9"),
        ("K02", "K02.1", "J06.9"),
        ("дентина", "K02.1", "J06.9"),
        ("инфекция путей", "J06.9", "K02.1"),
    ],
)
def test_an_operator_searches_the_dictionary_by_code_or_words(
    superuser_client, dictionary, query, found, not_found
):
    response = superuser_client.get(CHANGELIST, {"q": query})
    codes = {row.code for row in response.context["cl"].result_list}
    assert found in codes and not_found not in codes


def test_the_dictionary_is_read_only_in_the_admin(superuser_client, dictionary):
    row = Icd10Diagnosis.objects.get(code="K02.1")
    assert superuser_client.get(f"{CHANGELIST}add/").status_code == 403
    response = superuser_client.post(f"{CHANGELIST}{row.pk}/change/", {"name": "x"})
    assert response.status_code == 403
    assert Icd10Diagnosis.objects.get(code="K02.1").name == "Кариес дентина"


def test_reload_from_the_admin(superuser_client, dictionary):
    # a GET of the POST-only reload leads back to the dictionary's list
    assert superuser_client.get(f"{CHANGELIST}reload/").url == CHANGELIST
    response = superuser_client.post(f"{CHANGELIST}reload/", follow=True)
    assert "Справочник МКБ-10 загружен" in response.content.decode()
    assert Icd10Diagnosis.objects.count() == 14_915


def test_an_operator_who_may_only_view_cannot_reload(client, dictionary):
    operator = StaffUserFactory()
    operator.user_permissions.add(Permission.objects.get(codename="view_icd10diagnosis"))
    staff_login(client, operator)
    page = client.get(CHANGELIST)
    assert page.status_code == 200 and "reload/" not in page.content.decode()
    assert client.post(f"{CHANGELIST}reload/").status_code == 403
