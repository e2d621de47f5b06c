import datetime
from collections.abc import Callable
from decimal import Decimal
from functools import partial

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils import timezone

from policies.models import Policy
from policies.selectors import linked_insured_ids
from portal.core.versioned_cache import versioned_get
from portal.core.versions import version_stamp_get

from .kasko import kasko_lowest_premium
from .models import Offer, Purchase, Quote, TerritoryCoefficient
from .osago import osago_lowest_premium, tariff_load
from .personal import personal_lowest_premium
from .property import property_lowest_premium
from .services import osago_earliest_start
from .tariff_version import TARIFFS_VERSION
from .travel import travel_lowest_premium


def quotes_for_user(user) -> QuerySet[Quote]:
    return Quote.objects.filter(user=user).select_related("tariff_version")


def purchases_for_user(user) -> QuerySet[Purchase]:
    return Purchase.objects.filter(user=user).select_related("policy", "quote")


def unpaid_purchases_for_user(user) -> QuerySet[Purchase]:
    return purchases_for_user(user).filter(
        status__in=[Purchase.Status.CREATED, Purchase.Status.AWAITING_PAYMENT]
    )


def user_products(user) -> set[str]:
    """The products of the person's policies in force or not yet started (bought or linked)."""
    today = timezone.localdate()
    return set(
        Policy.objects.filter(
            Q(holder=user) | Q(insured_person_id__in=list(linked_insured_ids(user))),
            status=Policy.Status.ACTIVE,
            ends_on__gte=today,
        ).values_list("product", flat=True)
    )


def offers_for_user(user) -> list[Offer]:
    """Published offers of today that target this person."""
    today = timezone.localdate()
    offers = Offer.objects.filter(is_published=True, starts_on__lte=today, ends_on__gte=today)
    products = user_products(user)
    shown = []
    for offer in offers:
        if offer.audience == Offer.Audience.DMS_HOLDERS and Policy.Product.DMS not in products:
            continue
        if offer.audience == Offer.Audience.WITHOUT_PRODUCT and offer.audience_product in products:
            continue
        shown.append(offer)
    return shown


def territory_towns(region_code: str, day) -> list[str]:
    """The towns the ОСАГО КТ table in force on `day` names in the subject, by name. Anything but a
    subject's code (letters and digits) names no subject."""
    if not region_code or not (region_code.isascii() and region_code.isalnum()):
        return []
    return list(
        TerritoryCoefficient.in_force(day)
        .filter(region__code=region_code)
        .exclude(town="")
        .order_by("town")
        .values_list("town", flat=True)
        .distinct()
    )


LOWEST_PREMIUMS_SECONDS = 3600


def lowest_premiums(today: datetime.date | None = None) -> dict[str, Decimal]:
    """Each product's «от N руб.» on the shop's cards (see lowest_premiums_priced), cached per day
    under the tariffs' version stamp (a database made anew never reads an older one's prices):
    one query a page instead of every product's tariff reads. A write that sends no signal (a
    bulk load) shows within LOWEST_PREMIUMS_SECONDS."""
    today = today or timezone.localdate()
    key = f"shop:lowest-premiums:{today.isoformat()}:{version_stamp_get(TARIFFS_VERSION)}"
    return versioned_get(key, partial(lowest_premiums_priced, today), LOWEST_PREMIUMS_SECONDS)


def lowest_premiums_priced(today: datetime.date) -> dict[str, Decimal]:
    """Each product's smallest premium under the tariff in force on the earliest start of a
    policy bought today, priced by the product's own premium function (the same that prices a
    quote). A product its tariff cannot price now (a table not filled, no EUR rate) is left out."""
    starts_on = osago_earliest_start(today)
    pricing: dict[str, Callable[[], Decimal]] = {
        Policy.Product.OSAGO: lambda: osago_lowest_premium(tariff_load(starts_on), starts_on),
        Policy.Product.KASKO: partial(kasko_lowest_premium, starts_on=starts_on),
        Policy.Product.PROPERTY: partial(property_lowest_premium, starts_on=starts_on),
        Policy.Product.ACCIDENT: partial(
            personal_lowest_premium, product=Policy.Product.ACCIDENT, starts_on=starts_on
        ),
        Policy.Product.ONCOLOGY: partial(
            personal_lowest_premium, product=Policy.Product.ONCOLOGY, starts_on=starts_on
        ),
        Policy.Product.VZR: partial(travel_lowest_premium, starts_on=starts_on, quote_day=today),
    }
    prices = {}
    for product, price in pricing.items():
        try:
            prices[product] = price()
        except ValidationError:
            continue
    return prices
