"""Home and work points: saved from the list/map page, one of each, shown on the profile."""

from decimal import Decimal
from urllib.parse import unquote

import pytest
from django.core.exceptions import ValidationError
from django.template import Context, Template
from django.test import RequestFactory

from clinics.models import SavedPlace
from clinics.services.places import saved_place_set
from tests.factories import UserFactory

from .factories import SavedPlaceFactory

pytestmark = pytest.mark.django_db


def test_saving_a_point_from_the_page(person_client, user):
    response = person_client.post(
        "/clinics/places/",
        {
            "kind": "home",
            "label": "Дом на Арбате",
            "latitude": "55.7520123456",  # the browser's precision; stored to 6 places
            "longitude": "37.5880",
            "next": "/clinics/map/?city=Москва",
        },
    )

    assert response.status_code == 302
    assert unquote(response["Location"]) == "/clinics/map/?city=Москва"
    place = SavedPlace.objects.get(user=user)
    assert (place.kind, place.label) == ("home", "Дом на Арбате")
    assert place.latitude == Decimal("55.752012")


def test_a_second_home_replaces_the_first(user):
    saved_place_set(user=user, kind="home", latitude=Decimal("55.75"), longitude=Decimal("37.6"))
    saved_place_set(user=user, kind="home", latitude=Decimal("55.80"), longitude=Decimal("37.5"))
    saved_place_set(user=user, kind="work", latitude=Decimal("55.70"), longitude=Decimal("37.7"))

    places = {p.kind: p for p in SavedPlace.objects.filter(user=user)}
    assert set(places) == {"home", "work"}
    assert places["home"].latitude == Decimal("55.800000")


def test_coordinates_out_of_range_are_refused(person_client, user):
    response = person_client.post(
        "/clinics/places/", {"kind": "home", "latitude": "95", "longitude": "37"}, follow=True
    )

    assert "Точка не сохранена" in response.text
    assert not SavedPlace.objects.exists()
    with pytest.raises(ValidationError):
        saved_place_set(user=user, kind="office", latitude=Decimal("1"), longitude=Decimal("1"))


def test_an_outside_next_is_not_followed(person_client):
    response = person_client.post(
        "/clinics/places/",
        {"kind": "work", "latitude": "55.7", "longitude": "37.6", "next": "https://evil.example/"},
    )

    assert response["Location"] == "/clinics/"


def test_deleting_only_ones_own_point(person_client, user):
    mine = SavedPlaceFactory(user=user, kind="work")
    theirs = SavedPlaceFactory(user=UserFactory(), kind="work")

    person_client.post("/clinics/places/work/delete/")

    assert not SavedPlace.objects.filter(pk=mine.pk).exists()
    assert SavedPlace.objects.filter(pk=theirs.pk).exists()
    assert person_client.post("/clinics/places/garage/delete/").status_code == 404


def test_the_profile_card_shows_the_points(user):
    SavedPlaceFactory(user=user, kind="home", label="Дом на Арбате")
    request = RequestFactory().get("/profile/")
    request.user = user

    html = Template("{% load clinics_tags %}{% saved_places_card %}").render(
        Context({"request": request})
    )

    assert "Дом на Арбате" in html
    assert "не указана" in html  # no work point
    assert 'href="/clinics/map/#places"' in html
