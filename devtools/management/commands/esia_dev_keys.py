from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from devtools.esia_emulator.devkeys import ensure_dev_keys


class Command(BaseCommand):
    help = "Создаёт ключи и сертификаты для входа через эмулятор ЕСИА (только разработка)."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="пересоздать существующие")

    def handle(self, *args, force: bool = False, **options):
        if not settings.ESIA_EMULATOR:
            raise CommandError("Ключи разработки нужны только с эмулятором ЕСИА (ESIA_EMULATOR)")
        written = ensure_dev_keys(explicit=True, force=force)
        for path in written:
            self.stdout.write(f"создан {path}")
        if not written:
            self.stdout.write("ключи уже есть")
