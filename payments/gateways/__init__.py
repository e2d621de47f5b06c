"""Card acquirers behind one interface (base.Gateway), chosen by settings.PAYMENTS_GATEWAY."""

from django.conf import settings
from django.utils.module_loading import import_string

from .base import Gateway


def gateway() -> Gateway:
    return import_string(settings.PAYMENTS_GATEWAY)()
