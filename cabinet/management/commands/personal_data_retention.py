"""`manage.py personal_data_retention [--dry-run]`: destroy or anonymise the personal data the
retention schedule (settings.PERSONAL_DATA_RETENTION) says is due, and write the act."""

from django.core.management.base import BaseCommand

from cabinet.retention import personal_data_retention_run, retention_plan


class Command(BaseCommand):
    help = "Уничтожает или обезличивает персональные данные с истёкшим сроком хранения"

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="только показать, что будет уничтожено, ничего не меняя",
        )

    def handle(self, *args, dry_run: bool = False, **options):
        plan = retention_plan()
        for item in plan:
            files = f", файлов: {len(item.files)}" if item.files else ""
            self.stdout.write(
                f"{item.data} — {item.action}: субъектов {item.subjects}, записей {item.rows}"
                f"{files}"
            )
        if dry_run:
            self.stdout.write("Пробный запуск (--dry-run): ничего не изменено.")
            return
        act = personal_data_retention_run(performed_by="manage.py personal_data_retention")
        if act is None:
            self.stdout.write("Сроки хранения не истекли: уничтожать нечего, акт не составлен.")
        else:
            self.stdout.write(f"Готово: {act}.")
