"""/clinics/: the clinics of the person's program, filters, search, distance order, pages."""

import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from clinics.selectors import ClinicQuery, Origin, clinics_matching
from tests.factories import (
    ClinicFactory,
    InsuredPersonFactory,
    PolicyFactory,
    PolicyLinkFactory,
    ProgramClinicFactory,
    UserFactory,
)

from .factories import SavedPlaceFactory

pytestmark = pytest.mark.django_db

URL = "/clinics/"


def names(response) -> list[str]:
    return re.findall(r'class="clinic-card__name"><a href="[^"]+">([^<]+)</a>', response.text)


@pytest.fixture
def network(insured, dms_policy, outpatient, dental):
    """Three clinics of the person's program and one outside it."""
    covered = {
        "tverskaya": ClinicFactory(
            name="Клиника на Тверской",
            address="ул. Тверская, д. 12",
            latitude=Decimal("55.765100"),
            longitude=Decimal("37.606300"),
            online_booking=True,
        ),
        "arbat": ClinicFactory(
            name="Стоматология «Арбат»",
            address="ул. Новый Арбат, д. 21",
            latitude=Decimal("55.752700"),
            longitude=Decimal("37.587200"),
        ),
        "nevsky": ClinicFactory(
            name="Клиника на Невском",
            address="Невский просп., д. 82",
            city="Санкт-Петербург",
            latitude=Decimal("59.931900"),
            longitude=Decimal("30.353200"),
        ),
    }
    ProgramClinicFactory(program=insured.program, clinic=covered["tverskaya"], care_kind=outpatient)
    ProgramClinicFactory(program=insured.program, clinic=covered["arbat"], care_kind=dental)
    ProgramClinicFactory(program=insured.program, clinic=covered["nevsky"], care_kind=outpatient)
    outside = ClinicFactory(name="Клиника «Чужая»", address="ул. Ленина, д. 1")
    ProgramClinicFactory(clinic=outside, care_kind=outpatient)
    return {**covered, "outside": outside}


def test_the_list_shows_the_clinics_of_the_persons_program(person_client, network):
    response = person_client.get(URL)

    assert response.status_code == 200
    assert sorted(names(response)) == [
        "Клиника на Невском",
        "Клиника на Тверской",
        "Стоматология «Арбат»",
    ]


def test_a_clinic_card_has_phones_hours_site_kinds_and_booking(person_client, network):
    response = person_client.get(URL, {"q": "Тверской"})

    html = response.text
    assert 'href="tel:+74951234567"' in html
    assert "+7\u00a0(495)\u00a0123-45-67" in html
    assert "Пн–Пт 8:00–21:00" in html
    assert 'href="https://clinic.example.ru"' in html
    assert "Амбулаторно-поликлиническое обслуживание" in html
    assert "Онлайн-запись" in html
    assert f'href="/clinics/{network["tverskaya"].pk}/#booking"' in html
    assert "Сведения проверены" in html


def test_the_policy_cards_link_filters_by_policy_and_kind_of_care(
    person_client, network, dms_policy
):
    response = person_client.get(URL, {"policy": dms_policy.pk, "care_kind": "dental"})

    assert names(response) == ["Стоматология «Арбат»"]
    assert f"по полису № {dms_policy.number}" in response.text


def test_someone_elses_policy_id_is_ignored_with_a_message(person_client, network):
    # given: a policy of another person, whose program covers another clinic
    stranger = InsuredPersonFactory()
    PolicyLinkFactory(insured_person=stranger)
    foreign = PolicyFactory(insured_person=stranger)
    ProgramClinicFactory(program=stranger.program, clinic=ClinicFactory(name="Клиника незнакомца"))

    response = person_client.get(URL, {"policy": foreign.pk})

    assert response.status_code == 200
    assert "Такого полиса нет среди ваших" in response.text
    assert "Клиника незнакомца" not in response.text
    assert foreign.number not in response.text
    assert len(names(response)) == 3  # the person's own network instead


def test_filters_city_online_booking_and_kind(person_client, network):
    assert names(person_client.get(URL, {"city": "Санкт-Петербург"})) == ["Клиника на Невском"]
    assert names(person_client.get(URL, {"online": "on"})) == ["Клиника на Тверской"]
    assert sorted(names(person_client.get(URL, {"care_kind": "outpatient"}))) == [
        "Клиника на Невском",
        "Клиника на Тверской",
    ]


def test_the_whole_network_can_be_chosen(person_client, network):
    response = person_client.get(URL, {"policy": "all"})

    assert "Клиника «Чужая»" in names(response)


def test_search_by_name_or_address_ignores_case_and_yo(person_client, network):
    # Cyrillic case folding: SQLite's own LOWER does ASCII only, the search must not depend on it
    assert names(person_client.get(URL, {"q": "ТВЕРСКОЙ"})) == ["Клиника на Тверской"]
    assert names(person_client.get(URL, {"q": "новый арбат"})) == ["Стоматология «Арбат»"]
    assert names(person_client.get(URL, {"q": "невский просп"})) == ["Клиника на Невском"]


def test_search_reads_yo_as_ye(db):
    ClinicFactory(name="Медицинский центр «Берёзка»")

    found = clinics_matching(ClinicQuery(text="березка"))

    assert [c.name for c in found] == ["Медицинский центр «Берёзка»"]


def test_distance_is_computed_in_sql_and_orders_the_clinics(insured, network):
    # given: a point on Novy Arbat
    origin = Origin(55.7520, 37.5880)

    clinics = list(clinics_matching(ClinicQuery(program_ids=(insured.program_id,), origin=origin)))

    assert [c.name for c in clinics][:2] == ["Стоматология «Арбат»", "Клиника на Тверской"]
    assert clinics[0].distance_km < 0.2
    # Tverskaya 12 is about 1.6 km from Novy Arbat 21; Nevsky about 635 km
    assert 1.3 < clinics[1].distance_km < 1.9
    nevsky = next(c for c in clinics if c.name == "Клиника на Невском")
    assert 620 < nevsky.distance_km < 650


def test_the_list_is_sorted_from_home_by_default_and_shows_km(person_client, user, network):
    SavedPlaceFactory(
        user=user, kind="home", latitude=Decimal("55.752000"), longitude=Decimal("37.588000")
    )
    SavedPlaceFactory(
        user=user, kind="work", latitude=Decimal("59.931000"), longitude=Decimal("30.353000")
    )

    from_home = person_client.get(URL)
    from_work = person_client.get(URL, {"sort": "work"})
    by_name = person_client.get(URL, {"sort": "name"})

    assert names(from_home) == [
        "Стоматология «Арбат»",
        "Клиника на Тверской",
        "Клиника на Невском",
    ]
    assert "по расстоянию от дома (Дом)" in from_home.text
    assert re.search(r"· 1,\d\u00a0км", from_home.text)
    assert names(from_work)[0] == "Клиника на Невском"
    assert "\u00a0км" not in by_name.text


def test_a_sort_by_a_place_not_saved_is_ignored(person_client, network):
    response = person_client.get(URL, {"sort": "home"})

    assert response.status_code == 200
    assert "Фильтр «Порядок» не применён" in response.text
    assert len(names(response)) == 3


def test_pages_of_twenty(person_client, insured, dms_policy, outpatient):
    for n in range(45):
        clinic = ClinicFactory(name=f"Клиника {n:02d}")
        ProgramClinicFactory(program=insured.program, clinic=clinic, care_kind=outpatient)

    first = person_client.get(URL)
    third = person_client.get(URL, {"page": 3})

    assert len(names(first)) == 20
    assert names(third) == [f"Клиника {n}" for n in range(40, 45)]
    assert "Страница 3 из 3" in third.text


@pytest.mark.parametrize("clinics", [5, 50])
def test_the_query_count_does_not_grow_with_the_clinics(
    person_client, insured, dms_policy, outpatient, dental, django_assert_max_num_queries, clinics
):
    # given: clinics covered for two kinds of care each, a page of 20 with the person's home
    SavedPlaceFactory(user=dms_policy.insured_person.links.get().user)
    for _ in range(clinics):
        clinic = ClinicFactory()
        ProgramClinicFactory(program=insured.program, clinic=clinic, care_kind=outpatient)
        ProgramClinicFactory(program=insured.program, clinic=clinic, care_kind=dental)

    with django_assert_max_num_queries(12):
        response = person_client.get(URL)

    assert len(names(response)) == min(clinics, 20)


def test_the_same_queries_for_5_and_50_clinics(person_client, insured, dms_policy, outpatient):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            person_client.get(URL)
        return len(queries)

    for _ in range(5):
        ProgramClinicFactory(program=insured.program, care_kind=outpatient)
    few = count()
    for _ in range(45):
        ProgramClinicFactory(program=insured.program, care_kind=outpatient)

    assert count() == few


def test_the_list_needs_a_login(client):
    response = client.get(URL)

    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_a_person_without_a_dms_policy_sees_the_whole_network(person_client, network):
    # the `user` of person_client has insured + dms_policy here; a fresh person has neither
    person_client.force_login(UserFactory())

    response = person_client.get(URL)

    assert len(names(response)) == 4
    assert "вся сеть клиник" in response.text


def test_a_clinic_card_escapes_its_text(person_client, insured, dms_policy, outpatient):
    clinic = ClinicFactory(
        name="Клиника <b>«Смело»</b> & Ко",
        address='ул. "Кавычки", д. 1',
        hours="<i>круглосуточно</i>",
        site="https://example.com/?a=1&b=<2>",
        online_booking=True,
    )
    ProgramClinicFactory(program=insured.program, clinic=clinic, care_kind=outpatient)

    page = person_client.get(URL).text

    assert "<b>«Смело»</b>" not in page and "<i>круглосуточно</i>" not in page
    assert "Клиника &lt;b&gt;«Смело»&lt;/b&gt; &amp; Ко" in page
    assert "ул. &quot;Кавычки&quot;, д. 1" in page
    assert 'href="https://example.com/?a=1&amp;b=&lt;2&gt;"' in page
    # the booking button names the clinic for screen readers, escaped as well
    assert (
        '<span class="visually-hidden"> — Клиника &lt;b&gt;«Смело»&lt;/b&gt; &amp; Ко</span>'
        in page
    )
