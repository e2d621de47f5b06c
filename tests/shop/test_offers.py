"""«Специальные предложения»: each offer shown to the people it targets."""

import datetime

import pytest
from django.utils import timezone

from policies.models import Policy
from shop.models import Offer
from shop.selectors import offers_for_user
from tests.factories import PolicyFactory, UserFactory


def offer(title, audience=Offer.Audience.ALL, audience_product="", **kwargs):
    today = timezone.localdate()
    defaults = {
        "text": "Скидка 10 %",
        "product": Policy.Product.OSAGO,
        "starts_on": today - datetime.timedelta(days=1),
        "ends_on": today + datetime.timedelta(days=10),
    }
    defaults.update(kwargs)
    return Offer.objects.create(
        title=title, audience=audience, audience_product=audience_product, **defaults
    )


@pytest.fixture
def offers(db):
    offer("Всем")
    offer("Держателям ДМС", Offer.Audience.DMS_HOLDERS, product=Policy.Product.ONCOLOGY)
    offer("Без ОСАГО", Offer.Audience.WITHOUT_PRODUCT, Policy.Product.OSAGO)
    offer(
        "Прошедшее",
        ends_on=timezone.localdate() - datetime.timedelta(days=1),
        starts_on=timezone.localdate() - datetime.timedelta(days=5),
    )
    offer("Черновик", is_published=False)


def titles(user) -> set[str]:
    return {o.title for o in offers_for_user(user)}


def test_a_person_without_policies(offers):
    assert titles(UserFactory()) == {"Всем", "Без ОСАГО"}


def test_a_dms_holder(offers, user, dms_policy):
    Policy.objects.filter(pk=dms_policy.pk).update(status=Policy.Status.ACTIVE)
    assert titles(user) == {"Всем", "Держателям ДМС", "Без ОСАГО"}


def test_an_osago_holder_does_not_see_the_offer_for_those_without_it(offers):
    owner = UserFactory()
    today = timezone.localdate()
    PolicyFactory(
        product=Policy.Product.OSAGO,
        holder=owner,
        insured_person=None,
        status=Policy.Status.ACTIVE,
        starts_on=today,
        ends_on=today + datetime.timedelta(days=300),
    )
    assert titles(owner) == {"Всем"}


def test_the_page_links_to_the_product(offers, person_client):
    page = person_client.get("/offers/").content.decode()
    assert "Всем" in page and "Черновик" not in page and "Прошедшее" not in page
    assert 'href="/shop/osago/"' in page


def test_an_offer_of_travel_links_to_the_travel_form(person_client):
    offer("В путешествие", product=Policy.Product.VZR)
    page = person_client.get("/offers/").content.decode()
    assert "В путешествие" in page and 'href="/shop/travel/"' in page
