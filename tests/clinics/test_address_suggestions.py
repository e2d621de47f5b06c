"""Finding a place by address: the DaData client (gateways.dadata) against its emulator
(devtools.dadata_emulator) on the live server, the suggestions as one types, and the place saved
from an address with the clinic list sorted by the distance from it."""

from decimal import Decimal

import pytest
from django.urls import reverse

from clinics.models import SavedPlace
from gateways import dadata
from tests.factories import ClinicFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def dadata_emulator(live_server, settings):
    settings.DADATA_SUGGESTIONS_URL = f"{live_server.url}/dadata-emulator/suggestions/api/4_1/rs"
    settings.DADATA_API_KEY = "test-token"
    return settings


def test_the_client_gets_suggestions_with_points(dadata_emulator):
    found = dadata.address_suggest("москва тверская 12")

    assert found and found[0].value == "г Москва, ул Тверская, д 12"
    assert found[0].city == "Москва" and found[0].region_code == "77"
    assert found[0].latitude == Decimal("55.765100")
    assert found[0].longitude == Decimal("37.606300")


def test_the_client_finds_by_the_beginnings_of_words(dadata_emulator):
    values = [s.value for s in dadata.address_suggest("невск")]
    assert values and all("Санкт-Петербург" in v and "Невский" in v for v in values)


def test_nothing_is_asked_for_an_empty_query(dadata_emulator):
    assert dadata.address_suggest("   ") == []


def test_without_the_token_the_api_refuses(dadata_emulator):
    dadata_emulator.DADATA_API_KEY = ""
    with pytest.raises(dadata.DadataUnavailable, match="ошибкой 401"):
        dadata.address_suggest("тверская")


def test_a_failing_service_is_told_in_russian(dadata_emulator):
    with pytest.raises(dadata.DadataUnavailable, match="ошибкой 503"):
        dadata.address_suggest("сбой")


def test_suggestions_off_without_the_url(settings):
    settings.DADATA_SUGGESTIONS_URL = ""
    with pytest.raises(dadata.DadataUnavailable, match="не подключены"):
        dadata.address_suggest("тверская")


def test_an_unreachable_service(settings):
    settings.DADATA_SUGGESTIONS_URL = "http://127.0.0.1:9/suggestions/api/4_1/rs"
    with pytest.raises(dadata.DadataUnavailable, match="недоступен"):
        dadata.address_suggest("тверская")


def test_the_suggestion_list_as_one_types(client, user, dadata_emulator):
    client.force_login(user)

    html = client.get(reverse("address_suggestions"), {"address": "тверская 1"}).content.decode()

    assert 'data-address-value="г Москва, ул Тверская, д 12"' in html
    assert 'data-lat="55.765100"' in html and 'data-region="77"' in html
    short = client.get(reverse("address_suggestions"), {"address": "тв"}).content.decode()
    assert "data-address-value" not in short


def test_the_suggestion_list_says_when_the_service_fails(client, user, dadata_emulator):
    client.force_login(user)
    html = client.get(reverse("address_suggestions"), {"address": "сбой"}).content.decode()
    assert "Подсказки недоступны" in html


def test_a_typed_address_is_saved_with_its_point_and_the_list_is_sorted_by_it(
    client, user, dadata_emulator
):
    near = ClinicFactory(name="Рядом", latitude=Decimal("55.7652"), longitude=Decimal("37.6064"))
    far = ClinicFactory(name="Далеко", latitude=Decimal("59.93"), longitude=Decimal("30.33"))
    client.force_login(user)

    response = client.post(
        reverse("saved_place_save"),
        {"kind": "home", "address": "Москва, Тверская 12", "next": "/clinics/"},
        follow=True,
    )

    place = SavedPlace.objects.get(user=user)
    assert place.address == "г Москва, ул Тверская, д 12"
    assert place.latitude == Decimal("55.765100")
    html = response.content.decode()
    assert "по расстоянию от дома (г Москва, ул Тверская, д 12)" in html
    assert html.index("Рядом") < html.index("Далеко")
    assert "clinic-card__distance" in html[html.index(near.name) : html.index(far.name)]


def test_an_unknown_address_is_refused_and_nothing_saved(client, user, dadata_emulator):
    client.force_login(user)
    response = client.post(
        reverse("saved_place_save"), {"kind": "home", "address": "Нигдеевская 999"}, follow=True
    )
    assert "не найден" in response.content.decode()
    assert not SavedPlace.objects.exists()


def test_map_point_still_saves_without_an_address(client, user):
    client.force_login(user)
    client.post(
        reverse("saved_place_save"),
        {"kind": "work", "latitude": "55.751244", "longitude": "37.618423"},
    )
    assert SavedPlace.objects.get(user=user).address == ""
