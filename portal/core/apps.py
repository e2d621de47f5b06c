from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "portal.core"
    label = "core"
    verbose_name = _("Ядро портала")

    def ready(self) -> None:
        from importlib import import_module

        from django.apps import apps
        from django.utils.module_loading import module_has_submodule

        from .client_ip import trusted_proxies

        trusted_proxies()  # a malformed TRUSTED_PROXIES stops the start, not each request

        # admin.autodiscover(), minus the apps whose admin module is not wanted here.
        for app_config in apps.get_app_configs():
            if app_config.name in ADMIN_AUTODISCOVER_SKIP:
                continue
            if module_has_submodule(app_config.module, "admin"):
                import_module(f"{app_config.name}.admin")


ADMIN_AUTODISCOVER_SKIP = {"leaflet"}
