"""The person's home and work points, from which the clinic list measures distances."""

from decimal import Decimal

from django.db import transaction

from portal.accounts.models import User

from ..models import SavedPlace

COORDINATE_PLACES = Decimal("0.000001")


def saved_place_set(
    *,
    user: User,
    kind: str,
    latitude: Decimal,
    longitude: Decimal,
    label: str = "",
) -> SavedPlace:
    """Save the home or the work point (one of each per person; a new one replaces the old)."""
    with transaction.atomic():
        place = SavedPlace.objects.select_for_update().filter(
            user=user, kind=kind
        ).first() or SavedPlace(user=user, kind=kind)
        place.latitude = Decimal(latitude).quantize(COORDINATE_PLACES)
        place.longitude = Decimal(longitude).quantize(COORDINATE_PLACES)
        place.label = label.strip()
        place.full_clean()
        place.save()
    return place


def saved_place_delete(*, user: User, kind: str) -> bool:
    deleted, _by_model = SavedPlace.objects.filter(user=user, kind=kind).delete()
    return deleted > 0
