from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ShopConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "shop"
    verbose_name = _("Покупка полисов онлайн")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from .models import Country, CurrencyRate, Region, TariffRow, TariffVersion
        from .tariff_version import tariffs_changed

        for model in self.get_models():
            if issubclass(model, TariffRow) or model in (
                TariffVersion,
                Region,
                Country,
                CurrencyRate,
            ):
                for signal in (post_save, post_delete):
                    signal.connect(
                        tariffs_changed, sender=model, dispatch_uid=f"tariffs-{model.__name__}"
                    )
