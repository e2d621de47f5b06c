"""`manage.py load_mkb10`: the МКБ-10 dictionary from claims/data (safe to run again)."""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from claims.services.icd10 import icd10_load


class Command(BaseCommand):
    help = (
        "Загрузить справочник МКБ-10 Минздрава из claims/data (повторный запуск ничего не меняет)."
    )

    def handle(self, *args, **options):
        result = icd10_load()
        self.stdout.write(
            _(
                "МКБ-10: строк в выгрузке НСИ %(file)s, в дополнении %(extra)s; добавлено "
                "%(new)s, изменено %(changed)s, удалено %(deleted)s; снята отметка с услуг: "
                "%(cleared)s"
            )
            % {
                "file": result.file_rows,
                "extra": result.supplement_rows,
                "new": result.created,
                "changed": result.updated,
                "deleted": result.deleted,
                "cleared": result.lines_cleared,
            }
        )
