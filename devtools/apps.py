from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DevtoolsConfig(AppConfig):
    """No models: the demo seeding, `seed_demo`, the ESIA emulator and its development keys.

    The top layer: it may import every app, and nothing imports it (portal.urls mounts the
    emulator only when this app is installed, which production never does)."""

    name = "devtools"
    verbose_name = _("Инструменты разработки")
