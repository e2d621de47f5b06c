from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ClinicsConfig(AppConfig):
    name = "clinics"
    verbose_name = _("Клиники")

    def ready(self) -> None:
        from .db import connect_signals

        connect_signals()
