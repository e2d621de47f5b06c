"""The person's home and work points, from which the clinic list measures distances."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from gateways import dadata
from portal.accounts.models import User

from ..models import SavedPlace

COORDINATE_PLACES = Decimal("0.000001")


def saved_place_set(
    *,
    user: User,
    kind: str,
    latitude: Decimal | None = None,
    longitude: Decimal | None = None,
    label: str = "",
    address: str = "",
) -> SavedPlace:
    """Save the home or the work point (one of each per person; a new one replaces the old).
    An address without a point (typed, not picked from the suggestions) is looked up in the
    address suggestions for its coordinates."""
    address = " ".join(address.split())
    if latitude is None or longitude is None:
        if not address:
            raise ValidationError(_("Укажите адрес или точку на карте."), code="no_point")
        try:
            found = dadata.address_locate(address)
        except dadata.DadataUnavailable as error:
            raise ValidationError(
                _("Не удалось найти адрес: %(reason)s. Укажите точку на карте.")
                % {"reason": error},
                code="lookup_failed",
            ) from error
        if found is None:
            raise ValidationError(
                _(
                    "Адрес «%(address)s» не найден: выберите его из подсказок или укажите точку "
                    "на карте."
                )
                % {"address": address},
                code="not_found",
            )
        latitude, longitude, address = found.latitude, found.longitude, found.value
    with transaction.atomic():
        place = SavedPlace.objects.select_for_update().filter(
            user=user, kind=kind
        ).first() or SavedPlace(user=user, kind=kind)
        place.latitude = Decimal(latitude).quantize(COORDINATE_PLACES)
        place.longitude = Decimal(longitude).quantize(COORDINATE_PLACES)
        place.label = label.strip()
        place.address = address
        place.full_clean()
        place.save()
    return place


def saved_place_delete(*, user: User, kind: str) -> bool:
    deleted, _by_model = SavedPlace.objects.filter(user=user, kind=kind).delete()
    return deleted > 0
