"""Cross-cutting models: the timestamped base and the append-only staff audit log."""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("создано"), auto_now_add=True)
    updated_at = models.DateTimeField(_("изменено"), auto_now=True)

    class Meta:
        abstract = True


class AuditLogQuerySet(models.QuerySet):
    """Bulk writes that would rewrite history are refused like a single row's save or delete."""

    def update(self, **kwargs):
        raise PermissionDenied("Журнал доступа не редактируется")

    def delete(self):
        raise PermissionDenied("Журнал доступа не редактируется")

    def bulk_update(self, objs, fields, batch_size=None):
        raise PermissionDenied("Журнал доступа не редактируется")

    update.queryset_only = True
    delete.queryset_only = True


class AuditLogEntry(models.Model):
    """One read, export or change of a person's personal or medical data by a staff user; a
    change keeps what it changed, before and after.

    Append-only: rows are never updated or deleted (152-FZ incident investigations rely on it).
    """

    class Action(models.TextChoices):
        VIEW = "view", _("просмотр")
        EXPORT = "export", _("выгрузка")
        CHANGE = "change", _("изменение")

    staff_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="audit_entries",
        verbose_name=_("сотрудник"),
    )
    action = models.CharField(_("действие"), max_length=16, choices=Action.choices)
    subject_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, verbose_name=_("тип объекта")
    )
    subject_id = models.CharField(_("идентификатор объекта"), max_length=64)
    person_label = models.CharField(_("чьи данные"), max_length=255)
    what = models.CharField(_("что именно"), max_length=255)
    # A change: {field: {"before": ..., "after": ...}}; empty for reads.
    changes = models.JSONField(
        _("что изменилось"), default=dict, blank=True, encoder=DjangoJSONEncoder
    )
    ip_address = models.GenericIPAddressField(_("IP-адрес"), null=True, blank=True)
    at = models.DateTimeField(_("когда"), auto_now_add=True, db_index=True)

    objects = AuditLogQuerySet.as_manager()

    class Meta:
        verbose_name = _("запись журнала доступа")
        verbose_name_plural = _("журнал доступа к персональным данным")
        ordering = ["-at"]
        indexes = [models.Index(fields=["subject_type", "subject_id"])]

    def __str__(self) -> str:
        action = self.get_action_display()
        return f"{self.at:%d.%m.%Y %H:%M} {self.staff_user} {action} {self.person_label}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionDenied("Журнал доступа не редактируется")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionDenied("Журнал доступа не редактируется")
