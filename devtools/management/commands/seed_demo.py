"""`manage.py seed_demo [--if-empty]`: loads the demo data set (SPEC «Demo data»)."""

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _

from devtools.demo.logins import DEMO_PASSWORD, DEMO_PIN, DEMO_STAFF_TOTP_SECRET, STAFF_ACCOUNTS
from devtools.demo.register import DEMO_PERSON, UNLINKED_PERSON
from devtools.demo.seeding import seed_demo
from policies.services import DEMO_BOXED_CARDS
from portal.accounts.models import User


class Command(BaseCommand):
    @property
    def help(self) -> str:  # argparse takes a str, not a lazy translation
        return _("Загружает демо-данные; повторный запуск ничего не меняет.")

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help=_("Ничего не делать, если в базе уже есть хотя бы один пользователь."),
        )

    def handle(self, *args, if_empty: bool = False, verbosity: int = 1, **options) -> None:
        # The demo accounts have published passwords, an administrator among them.
        if (settings.SETTINGS_MODULE or "").endswith(".production"):
            raise CommandError(_("Демо-данные не загружаются в рабочую базу."))
        if if_empty and User.objects.exists():
            if verbosity:
                self.stdout.write(
                    _("В базе уже есть пользователи — демо-данные не загружаются (--if-empty).")
                )
            return
        started = time.monotonic()
        created = seed_demo(today=timezone.localdate(), now=timezone.now())
        if not verbosity:
            return
        seconds = number_format(time.monotonic() - started, decimal_pos=1)
        if created:
            self.stdout.write(
                self.style.SUCCESS(
                    _("Демо-данные загружены за %(seconds)s с.") % {"seconds": seconds}
                )
            )
            for item in created:
                self.stdout.write(f"  {item.label}: {item.count}")
        else:
            self.stdout.write(
                _("Демо-данные уже загружены, ничего не добавлено (%(seconds)s с).")
                % {"seconds": seconds}
            )
        self._print_logins()

    def _print_logins(self) -> None:
        self.stdout.write(_("Входы:"))
        self.stdout.write(
            _("  застрахованный: %(email)s / %(password)s")
            % {"email": DEMO_PERSON.email, "password": DEMO_PASSWORD}
        )
        for account in STAFF_ACCOUNTS:
            self.stdout.write(
                _("  %(role)s: %(email)s / %(password)s")
                % {
                    "role": account.group or _("администратор"),
                    "email": account.email,
                    "password": account.password,
                }
            )
        self.stdout.write(
            _("  PIN-код застрахованного: %(pin)s; ключ TOTP сотрудников: %(key)s")
            % {"pin": DEMO_PIN, "key": DEMO_STAFF_TOTP_SECRET}
        )
        self.stdout.write(_("Коробочные полисы для «Активация полиса» (номер / код):"))
        for card in DEMO_BOXED_CARDS:
            self.stdout.write(f"  {card.number} / {card.code} — {card.title}")
        person = UNLINKED_PERSON
        self.stdout.write(
            _(
                "Для «Добавить полис» в новой учётной записи: %(name)s, дата рождения %(born)s, "
                "полис %(number)s."
            )
            % {
                "name": person.name,
                "born": date_format(person.birth_date, "d.m.Y"),
                "number": person.policy_number,
            }
        )
