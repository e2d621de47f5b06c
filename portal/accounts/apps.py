from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "portal.accounts"
    label = "accounts"
    verbose_name = _("Пользователи")

    def ready(self) -> None:
        from . import receivers  # noqa: F401 — connects the signal receivers
