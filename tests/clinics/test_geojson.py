"""/clinics/geojson/: a valid FeatureCollection of the filtered clinics inside the bbox."""

import json
from decimal import Decimal

import pytest
from django.db import connection

from tests.factories import ClinicFactory, ProgramClinicFactory

pytestmark = pytest.mark.django_db

URL = "/clinics/geojson/"


@pytest.fixture
def clinics(insured, dms_policy, outpatient, dental):
    moscow = ClinicFactory(
        name="Клиника «Москва»",
        latitude=Decimal("55.765100"),
        longitude=Decimal("37.606300"),
        online_booking=True,
        phones=["+74951234567", "+74997654321"],
    )
    spb = ClinicFactory(
        name="Клиника «Петербург»",
        city="Санкт-Петербург",
        address="Невский просп., д. 82",
        latitude=Decimal("59.931900"),
        longitude=Decimal("30.353200"),
    )
    for clinic in (moscow, spb):
        ProgramClinicFactory(program=insured.program, clinic=clinic, care_kind=outpatient)
    ProgramClinicFactory(program=insured.program, clinic=moscow, care_kind=dental)
    ProgramClinicFactory(clinic=ClinicFactory(name="Клиника вне программы"))
    return {"moscow": moscow, "spb": spb}


def by_name(collection) -> dict:
    return {f["properties"]["name"]: f for f in collection["features"]}


def test_a_valid_feature_collection_with_lon_lat_points(person_client, clinics):
    response = person_client.get(URL)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/geo+json; charset=utf-8"
    collection = response.json()
    assert collection["type"] == "FeatureCollection"
    assert set(by_name(collection)) == {"Клиника «Москва»", "Клиника «Петербург»"}
    for feature in collection["features"]:
        assert feature["type"] == "Feature"
        assert feature["geometry"]["type"] == "Point"
        assert len(feature["geometry"]["coordinates"]) == 2
        assert all(isinstance(c, float) for c in feature["geometry"]["coordinates"])
    moscow = by_name(collection)["Клиника «Москва»"]
    # RFC 7946: longitude first
    assert moscow["geometry"]["coordinates"] == [37.6063, 55.7651]


def test_the_properties_of_a_clinic(person_client, clinics):
    clinic = clinics["moscow"]

    props = by_name(person_client.get(URL).json())["Клиника «Москва»"]["properties"]

    assert props == {
        "id": clinic.pk,
        "name": "Клиника «Москва»",
        "address": f"Москва, {clinic.address}",
        "phones": ["+74951234567", "+74997654321"],
        "care_kinds": ["outpatient", "dental"],
        "online_booking": True,
        "url": f"/clinics/{clinic.pk}/",
    }


def test_the_names_of_the_kinds_of_care_come_once(person_client, clinics):
    collection = person_client.get(URL).json()

    assert collection["care_kind_names"]["outpatient"] == "Амбулаторно-поликлиническое обслуживание"
    assert collection["care_kind_names"]["dental"] == "Стоматология"


def test_the_online_booking_flag_makes_the_yellow_marker(person_client, clinics):
    features = by_name(person_client.get(URL).json())

    assert features["Клиника «Москва»"]["properties"]["online_booking"] is True
    assert features["Клиника «Петербург»"]["properties"]["online_booking"] is False


def test_bbox_limits_the_clinics_to_the_map_rectangle(person_client, clinics):
    moscow_box = "37.3,55.5,37.9,55.95"

    inside = by_name(person_client.get(URL, {"bbox": moscow_box}).json())
    world = by_name(person_client.get(URL, {"bbox": "-180,-90,180,90"}).json())
    sea = person_client.get(URL, {"bbox": "0,0,1,1"}).json()

    assert set(inside) == {"Клиника «Москва»"}
    assert set(world) == {"Клиника «Москва»", "Клиника «Петербург»"}
    assert (sea["type"], sea["features"]) == ("FeatureCollection", [])


@pytest.mark.parametrize(
    "bbox", ["1,2,3", "a,b,c,d", "38,55,37,56", "NaN,1,2,3", "1,2,3,4,5", "inf,0,1,1"]
)
def test_a_bad_bbox_is_a_400(person_client, clinics, bbox):
    response = person_client.get(URL, {"bbox": bbox})

    assert response.status_code == 400
    assert "bbox" in response.json()["error"]


def test_the_same_filters_as_the_list(person_client, clinics):
    assert set(by_name(person_client.get(URL, {"online": "on"}).json())) == {"Клиника «Москва»"}
    assert set(by_name(person_client.get(URL, {"care_kind": "dental"}).json())) == {
        "Клиника «Москва»"
    }
    assert set(by_name(person_client.get(URL, {"city": "Санкт-Петербург"}).json())) == {
        "Клиника «Петербург»"
    }
    assert "Клиника вне программы" in by_name(person_client.get(URL, {"policy": "all"}).json())


@pytest.mark.parametrize("count", [5, 60])
def test_one_query_for_the_clinics_whatever_their_number(
    person_client, insured, dms_policy, outpatient, django_assert_max_num_queries, count
):
    for _ in range(count):
        ProgramClinicFactory(program=insured.program, care_kind=outpatient)

    # session, user, linked ids, policies, kinds of care, cities, the network's version, the
    # clinics
    with django_assert_max_num_queries(8):
        response = person_client.get(URL, {"policy": "all"})

    assert len(response.json()["features"]) == count
    # Then from the cache: the same collection without reading the clinics.
    with django_assert_max_num_queries(7):
        again = person_client.get(URL, {"policy": "all"})
    assert again.content == response.content


def test_a_change_of_the_network_shows_at_once(person_client, insured, dms_policy, outpatient):
    clinic = ClinicFactory(name="Клиника «Старое имя»")
    ProgramClinicFactory(program=insured.program, clinic=clinic, care_kind=outpatient)
    assert set(by_name(person_client.get(URL).json())) == {"Клиника «Старое имя»"}

    clinic.name = "Клиника «Новое имя»"
    clinic.save()
    assert set(by_name(person_client.get(URL).json())) == {"Клиника «Новое имя»"}

    other = ProgramClinicFactory(program=insured.program, care_kind=outpatient)
    assert set(by_name(person_client.get(URL).json())) == {"Клиника «Новое имя»", other.clinic.name}

    other.delete()  # the clinic stays, no longer covered: only the coverage changed
    assert set(by_name(person_client.get(URL).json())) == {"Клиника «Новое имя»"}

    outpatient.name = "Амбулаторно"
    outpatient.save()
    assert person_client.get(URL).json()["care_kind_names"][outpatient.code] == "Амбулаторно"


def test_each_person_gets_the_collection_of_their_own_programs(
    person_client, insured, dms_policy, outpatient
):
    from django.test import Client

    from tests.factories import InsuredPersonFactory, PolicyFactory, PolicyLinkFactory

    ProgramClinicFactory(program=insured.program, care_kind=outpatient)
    theirs = InsuredPersonFactory()
    PolicyFactory(insured_person=theirs, product="dms")
    link = PolicyLinkFactory(insured_person=theirs)
    ProgramClinicFactory(program=theirs.program, care_kind=outpatient, clinic=ClinicFactory(
        name="Клиника другой программы"))  # fmt: skip
    other_client = Client()
    other_client.force_login(link.user)

    mine = by_name(person_client.get(URL).json())
    other = by_name(other_client.get(URL).json())

    assert "Клиника другой программы" in other
    assert "Клиника другой программы" not in mine


def test_the_geojson_needs_a_login(client):
    assert client.get(URL).status_code == 302


def test_text_is_escaped_into_valid_json(person_client, insured, dms_policy, outpatient):
    name = 'Клиника "Кавычки" \\ \n</script> ё'
    clinic = ClinicFactory(name=name, address='ул. "Новая", д. 1', phones=[])
    ProgramClinicFactory(program=insured.program, clinic=clinic, care_kind=outpatient)

    feature = person_client.get(URL).json()["features"][0]

    assert feature["properties"]["name"] == name
    assert feature["properties"]["address"] == 'Москва, ул. "Новая", д. 1'
    assert feature["properties"]["phones"] == []


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL writes the collection itself there"
)
def test_postgresql_writes_the_same_collection_as_python(insured, dms_policy, outpatient, dental):
    from clinics import selectors
    from clinics.geojson import feature_collection, feature_collection_in_database
    from clinics.selectors import ClinicQuery
    from policies.models import CareKind

    odd = ClinicFactory(name='Клиника "Кавычки" \\ \n</script> ё', phones=[], online_booking=True)
    ProgramClinicFactory(program=insured.program, clinic=odd, care_kind=dental)
    for _ in range(3):
        ProgramClinicFactory(program=insured.program, care_kind=outpatient)
    ProgramClinicFactory(care_kind=outpatient)  # another program's clinic
    kinds = list(CareKind.objects.order_by("order", "name"))

    for query in (ClinicQuery(), ClinicQuery(program_ids=(insured.program_id,))):
        rows = selectors.clinics_geojson_rows(query, kinds)
        in_python = feature_collection(rows, kinds=kinds, base_url="/clinics/")
        in_database = feature_collection_in_database(rows, kinds=kinds, base_url="/clinics/")
        assert json.loads(in_database) == json.loads(in_python)


def test_a_collection_is_kept_in_the_process_until_the_network_changes(monkeypatch):
    from clinics import geojson
    from portal.core import versioned_cache

    builds = []

    def build() -> str:
        builds.append(1)
        return '{"type":"FeatureCollection","features":[]}'

    first = geojson.cached_collection(("kept",), build)
    # the shared cache is not asked again for the collection (only for the network's counter)
    shared_get = versioned_cache.cache.get

    def get(key, *args, **kwargs):
        assert not key.startswith("clinics:geojson:"), "read from the shared cache again"
        return shared_get(key, *args, **kwargs)

    monkeypatch.setattr(versioned_cache.cache, "get", get)
    assert geojson.cached_collection(("kept",), build) == first
    assert len(builds) == 1
    monkeypatch.undo()

    geojson.network_changed()

    assert geojson.cached_collection(("kept",), build) == first
    assert len(builds) == 2
