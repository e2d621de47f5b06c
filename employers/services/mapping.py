"""The column-mapping step: HR says once what an unrecognised column of their lists holds, the
choice is kept for the employer (ColumnMapping), and the list is checked again with it."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from portal.core import outbox

from ..columns import COLUMN_BY_KEY, header_key
from ..models import ColumnMapping, ImportBatch

# A batch checked (or refused for its columns) can be checked again once its columns are mapped.
REMAPPABLE = (ImportBatch.Status.CHECKED, ImportBatch.Status.STALE, ImportBatch.Status.REJECTED)


def column_choices() -> list[tuple[str, str]]:
    """The fields a column can be mapped to, "" meaning «не загружать»."""
    return [("", _("— не загружать —")), *((key, c.header) for key, c in COLUMN_BY_KEY.items())]


def column_mappings_save(*, batch: ImportBatch, user, choices: dict[str, str]) -> ImportBatch:
    """Remember, for the batch's employer, the field of each of the batch's unknown headers
    ({header as in the file: field key or ""}), then check the batch again."""
    from ..tasks import import_batch_check_task

    allowed = {key for key, _label in column_choices()}
    with transaction.atomic():
        locked = ImportBatch.objects.select_for_update().select_related("contract").get(pk=batch.pk)
        if locked.status not in REMAPPABLE:
            raise ValidationError(
                _("Столбцы этого списка нельзя сопоставить: он %(status)s.")
                % {"status": locked.get_status_display()}
            )
        unknown = set(locked.unknown_headers)
        picked = {header: field for header, field in choices.items() if header in unknown}
        if not picked:
            raise ValidationError(_("Выберите поле хотя бы для одного столбца."))
        fields = [field for field in picked.values() if field]
        if any(field not in allowed for field in picked.values()):
            raise ValidationError(_("Выбрано неизвестное поле."))
        if len(fields) != len(set(fields)):
            raise ValidationError(_("Одно поле выбрано для двух столбцов."))
        for header, field in picked.items():
            ColumnMapping.objects.update_or_create(
                policyholder_id=locked.contract.policyholder_id,
                header=header_key(header)[:150],
                defaults={"field": field, "chosen_by": user},
            )
        locked.status = ImportBatch.Status.UPLOADED
        locked.message = ""
        locked.save(update_fields=["status", "message", "updated_at"])
        outbox.send(import_batch_check_task, locked.pk)
    return locked
