"""`manage.py roles_doc`: writes docs/ROLES.md, the staff roles' matrix, from portal.core.roles."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from portal.core.roles import matrix_markdown, model_titles


def roles_doc_path() -> Path:
    return Path(settings.BASE_DIR) / "docs" / "ROLES.md"


class Command(BaseCommand):
    @property
    def help(self) -> str:  # argparse takes a str, not a lazy translation
        return _("Записывает docs/ROLES.md — матрицу прав ролей сотрудников.")

    def handle(self, *args, **options) -> None:
        path = roles_doc_path()
        path.write_text(matrix_markdown(model_titles()), encoding="utf-8")
        self.stdout.write(str(path))
