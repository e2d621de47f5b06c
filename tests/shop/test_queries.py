"""/shop/ and /offers/ read a fixed number of queries: one unpaid purchase or many, one offer or
many (no query per row)."""

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from policies.models import Policy
from shop import services
from shop.models import Offer

from .test_travel import born
from .test_travel import form as travel_form


def queries(client, url: str) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200
    return len(context.captured_queries), response.content.decode()


def unpaid_purchase(user, age: int = 35):
    """A ВЗР purchase for one traveller of `age` (the travellers are a formset since issue 22:
    the service takes them as a list, as the view passes them)."""
    data = {k: v for k, v in travel_form().items() if not k.startswith("travellers-")}
    starts_on = datetime.date.fromisoformat(data["starts_on"])
    data["travellers"] = [
        {
            "last_name_latin": "IVANOV",
            "first_name_latin": "ALEKSEI",
            "birth_date": born(age, starts_on),
            "passport_number": f"75 {1234567 + age}",
        }
    ]
    quote = services.quote_create(user=user, product=Policy.Product.VZR, inputs=data)
    return services.purchase_start(user=user, quote=quote, rules_accepted=True)


def test_shop_index_queries_do_not_grow_with_purchases(person_client, user, tariffs):
    first = unpaid_purchase(user)
    queries(person_client, "/shop/")  # the session and the like, read once
    one, page = queries(person_client, "/shop/")
    assert reverse("shop_pay", args=[first.pk]) in page
    others = [unpaid_purchase(user, age=30 + n) for n in range(5)]
    many, page = queries(person_client, "/shop/")
    assert all(reverse("shop_pay", args=[p.pk]) in page for p in others)
    assert many == one


def offer(n: int, product: str, **kwargs) -> Offer:
    today = timezone.localdate()
    return Offer.objects.create(
        title=f"Предложение {n}",
        text="Скидка",
        product=product,
        starts_on=today - datetime.timedelta(days=1),
        ends_on=today + datetime.timedelta(days=10),
        **kwargs,
    )


def test_offers_queries_do_not_grow_with_offers(person_client, user, tariffs, dms_policy):
    offer(0, Policy.Product.VZR)
    unpaid_purchase(user)
    queries(person_client, "/offers/")
    one, page = queries(person_client, "/offers/")
    assert 'href="/shop/travel/"' in page
    products = [p for p in Policy.Product.values if p != Policy.Product.DMS]
    for n, product in enumerate(products, start=1):
        offer(n, product, audience=Offer.Audience.DMS_HOLDERS)
        offer(n + 100, product, audience=Offer.Audience.WITHOUT_PRODUCT, audience_product=product)
    many, page = queries(person_client, "/offers/")
    assert page.count('class="card shop-offer"') == 1 + 2 * len(products)
    assert many == one
