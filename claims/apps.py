from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ClaimsConfig(AppConfig):
    name = "claims"
    verbose_name = _("Услуги и убытки")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from clinics.models import Clinic
        from policies.models import CareKind

        from .history_version import service_history_changed, service_line_saved
        from .models import ServiceLine

        # The cached filter choices of «Мои страховые случаи» are keyed by the history's version
        # (claims.history_version): the lines, and the clinics' and kinds' names they show.
        post_save.connect(service_line_saved, sender=ServiceLine, dispatch_uid="history-line")
        post_delete.connect(
            service_history_changed, sender=ServiceLine, dispatch_uid="history-line-deleted"
        )
        for model in (Clinic, CareKind):
            for signal in (post_save, post_delete):
                signal.connect(
                    service_history_changed, sender=model, dispatch_uid=f"history-{model.__name__}"
                )
