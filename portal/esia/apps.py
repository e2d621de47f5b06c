from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EsiaConfig(AppConfig):
    """Login through ESIA (Госуслуги): an allauth provider with id `esia` (emulator: devtools)."""

    name = "portal.esia"
    label = "esia"
    verbose_name = _("Вход через Госуслуги")
