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
    # Whose data it was, for the person's own access log (/profile/access-log/): the account
    # when the subject is one or names one, the register row (policies.InsuredPerson, by id: this
    # app sits below policies) when the subject is medical data of an insured person.
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("учётная запись человека"),
    )
    insured_person_id = models.BigIntegerField(
        _("застрахованный (id в реестре)"), null=True, blank=True
    )

    objects = AuditLogQuerySet.as_manager()

    class Meta:
        verbose_name = _("запись журнала доступа")
        verbose_name_plural = _("журнал доступа к персональным данным")
        ordering = ["-at"]
        indexes = [
            models.Index(fields=["subject_type", "subject_id"]),
            models.Index(fields=["person", "at"], name="audit_person_at"),
            models.Index(fields=["insured_person_id", "at"], name="audit_insured_person_at"),
        ]

    def __str__(self) -> str:
        action = self.get_action_display()
        return f"{self.at:%d.%m.%Y %H:%M} {self.staff_user} {action} {self.person_label}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionDenied("Журнал доступа не редактируется")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionDenied("Журнал доступа не редактируется")


class DestructionAct(models.Model):
    """An act of destruction of personal data (Roskomnadzor's order № 179 of 28.10.2022, item 3):
    who destroyed, in which information system, which categories of whose data, how many
    subjects, the way and the reason, and when. Written by `manage.py personal_data_retention`
    (and its beat job) only; staff read it in the admin, no one edits or deletes it."""

    created_at = models.DateTimeField(_("дата уничтожения"), auto_now_add=True, db_index=True)
    operator = models.CharField(_("оператор"), max_length=255)
    performed_by = models.CharField(_("кто уничтожил"), max_length=255)
    information_system = models.CharField(_("информационная система"), max_length=255)
    method = models.TextField(_("способ уничтожения"))
    reason = models.TextField(_("причина уничтожения"))
    # [{"category", "data", "action", "subjects", "rows", "files"}], one per line of the schedule
    items = models.JSONField(
        _("уничтоженные данные"), default=list, blank=True, encoder=DjangoJSONEncoder
    )
    # What the law keeps, and why (accounting of payments...)
    kept = models.JSONField(_("сохранено по закону"), default=list, blank=True)

    class Meta:
        verbose_name = _("акт об уничтожении персональных данных")
        verbose_name_plural = _("акты об уничтожении персональных данных")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return _("Акт № %(number)s от %(date)s") % {
            "number": self.pk,
            "date": self.created_at.strftime("%d.%m.%Y") if self.created_at else "",
        }


class InsurerDetails(models.Model):
    """The insurer's requisites as printed on every policy and receipt: one row, edited by the
    administrator (portal.core.insurer.insurer_details reads it, with the settings' values for
    what the row leaves empty). The seller of a 54-ФЗ receipt is named from here too."""

    full_name = models.CharField(_("полное наименование"), max_length=255)
    name_en = models.CharField(_("наименование по-английски"), max_length=255, blank=True)
    inn = models.CharField(_("ИНН"), max_length=12)
    kpp = models.CharField(_("КПП"), max_length=9, blank=True)
    ogrn = models.CharField(_("ОГРН"), max_length=15)
    licence_number = models.CharField(
        _("лицензия: серия и номер"), max_length=64, help_text=_("Например, СИ № 4321")
    )
    licence_date = models.DateField(_("лицензия: дата выдачи"))
    address = models.CharField(_("адрес"), max_length=255)
    address_en = models.CharField(_("адрес по-английски"), max_length=255, blank=True)
    phones = models.CharField(
        _("телефоны"),
        max_length=255,
        help_text=_("Через запятую, например: +78003024419, +74959876543"),
    )
    email = models.EmailField(_("электронная почта"), blank=True)
    website = models.CharField(_("сайт"), max_length=120, blank=True)
    signatory = models.CharField(
        _("подписант"), max_length=255, blank=True, help_text=_("Должность и фамилия с инициалами")
    )
    signature = models.FileField(
        _("факсимиле подписи (PNG)"), upload_to="insurer/", blank=True, max_length=255
    )
    stamp = models.FileField(_("печать (PNG)"), upload_to="insurer/", blank=True, max_length=255)
    updated_at = models.DateTimeField(_("изменено"), auto_now=True)

    class Meta:
        verbose_name = _("реквизиты страховщика")
        verbose_name_plural = _("реквизиты страховщика")

    def __str__(self) -> str:
        return self.full_name


class OutboxMessage(models.Model):
    """A task queued by a write (portal.core.outbox): written in the write's own transaction, so
    it exists exactly when the write does, and handed to the broker after commit, or later by the
    beat job while the broker is down. Acknowledged when the task has run through; a row handed
    over but not acknowledged within OUTBOX_ACK_DEADLINE_SECONDS is handed over again."""

    task_name = models.CharField(_("задача"), max_length=200)
    args = models.JSONField(_("аргументы"), default=list, blank=True, encoder=DjangoJSONEncoder)
    kwargs = models.JSONField(
        _("именованные аргументы"), default=dict, blank=True, encoder=DjangoJSONEncoder
    )
    created_at = models.DateTimeField(_("создано"), auto_now_add=True)
    # When the next hand-over is due (after a failure: later and later).
    due_at = models.DateTimeField(_("отправить не раньше"))
    sent_at = models.DateTimeField(_("передано брокеру"), null=True, blank=True)
    acked_at = models.DateTimeField(_("выполнено"), null=True, blank=True)
    attempts = models.PositiveIntegerField(_("попыток"), default=0)
    last_error = models.TextField(_("последняя ошибка"), blank=True)
    given_up_at = models.DateTimeField(_("попытки прекращены"), null=True, blank=True)

    class Meta:
        verbose_name = _("сообщение исходящей очереди")
        verbose_name_plural = _("исходящая очередь задач")
        ordering = ["-created_at"]
        indexes = [
            # the rows still to deliver or to acknowledge: the beat job's and the metric's scan
            models.Index(
                fields=["due_at"],
                name="outbox_pending_due",
                condition=models.Q(acked_at__isnull=True, given_up_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.task_name} #{self.pk}"


class VersionCounter(models.Model):
    """A named version that only goes up (portal.core.versions): the version of cached data kept
    in the database, so that a cache restarted empty can never bring back an older one."""

    name = models.CharField(_("имя"), max_length=100, unique=True)
    value = models.BigIntegerField(_("версия"), default=0)
    updated_at = models.DateTimeField(_("изменено"), auto_now=True)

    class Meta:
        verbose_name = _("версия данных")
        verbose_name_plural = _("версии данных")

    def __str__(self) -> str:
        return f"{self.name}: {self.value}"


class JobRun(models.Model):
    """One run of a scheduled job for one period (portal.core.locks.run_once): the unique pair
    makes a second run of the same period (a second beat, a repeated trigger) do nothing, and a
    run started but not finished is what an alert looks for."""

    name = models.CharField(_("задание"), max_length=100)
    key = models.CharField(_("период"), max_length=100)
    started_at = models.DateTimeField(_("начато"), auto_now_add=True)
    finished_at = models.DateTimeField(_("закончено"), null=True, blank=True)
    result = models.CharField(_("итог"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("запуск задания")
        verbose_name_plural = _("запуски заданий")
        ordering = ["-started_at"]
        constraints = [
            models.UniqueConstraint(fields=["name", "key"], name="jobrun_one_per_period"),
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.key}"
