from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ClinicsConfig(AppConfig):
    name = "clinics"
    verbose_name = _("Клиники")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from policies.models import CareKind

        from .db import connect_signals
        from .geojson import network_changed
        from .models import Clinic, ProgramClinic

        connect_signals()
        # The map's cached GeoJSON is keyed by the network's version (clinics.geojson).
        for model in (Clinic, ProgramClinic, CareKind):
            for signal in (post_save, post_delete):
                signal.connect(network_changed, sender=model, dispatch_uid=f"geojson-{model}")
