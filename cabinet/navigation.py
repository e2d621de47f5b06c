"""The cabinet's sidebar: one list that the template, the tests and the pending pages share."""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class MenuEntry:
    url_name: str
    label: str
    icon: str


# The brief's order (SPEC.md «Sidebar»); each entry has its own picture
# (templates/components/icon.html draws them as inline SVG).
SIDEBAR = (
    MenuEntry("policies:list", _("Мои полисы"), "shield"),
    MenuEntry("clinics", _("Клиники и запись"), "pin"),
    MenuEntry("appointments", _("Мои записи к врачу"), "calendar"),
    MenuEntry("cases", _("Мои страховые случаи"), "case"),
    MenuEntry("claims:list", _("Убытки"), "car"),
    MenuEntry("appeals", _("Мои обращения"), "chat"),
    MenuEntry("guarantee_letters", _("Гарантийные письма"), "letter"),
    MenuEntry("copay", _("Со-оплата"), "card"),
    MenuEntry("documents", _("Мои документы"), "doc"),
    MenuEntry("accounts:profile", _("Личная информация"), "user"),
    MenuEntry("policies:activate", _("Активация полиса"), "key"),
    MenuEntry("offers", _("Специальные предложения"), "star"),
)
SHOP = MenuEntry("shop", _("Купить полис онлайн"), "cart")
