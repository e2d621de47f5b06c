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

        from . import locks, outbox  # noqa: F401 — Celery signal handlers (acks, one beat)
        from .client_ip import trusted_proxies

        trusted_proxies()  # a malformed TRUSTED_PROXIES stops the start, not each request

        _admin_text_refuses_control_characters()
        # admin.autodiscover(), minus the apps whose admin module is not wanted here.
        for app_config in apps.get_app_configs():
            if app_config.name in ADMIN_AUTODISCOVER_SKIP:
                continue
            if module_has_submodule(app_config.module, "admin"):
                import_module(f"{app_config.name}.admin")


ADMIN_AUTODISCOVER_SKIP = {"leaflet"}


def _admin_text_refuses_control_characters() -> None:
    """Every text field of every admin form (model forms and inlines alike) refuses invisible
    control characters, as the cabinet's forms do. The admin's defaults per model field class are
    copied into each ModelAdmin when it is made, so this runs before the admin modules are
    imported; an admin's own formfield_overrides are merged on top and keep the validator."""
    from django.contrib.admin import options
    from django.db import models

    from .validators import refuse_control_characters

    for field_class in (models.CharField, models.TextField):
        defaults = options.FORMFIELD_FOR_DBFIELD_DEFAULTS[field_class]
        options.FORMFIELD_FOR_DBFIELD_DEFAULTS[field_class] = {
            **defaults,
            "validators": [refuse_control_characters],
        }
