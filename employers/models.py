"""HR managers of policyholders, their employee-list imports and the cabinet invitations."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from policies.models import Contract, InsuredPerson, Policyholder, Program
from portal.core.models import TimeStampedModel


class EmployerManager(TimeStampedModel):
    """A staff user who manages the insured employees of a policyholder (HR manager)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="employer_links",
        verbose_name=_("сотрудник"),
    )
    policyholder = models.ForeignKey(
        Policyholder,
        on_delete=models.CASCADE,
        related_name="managers",
        verbose_name=_("страхователь"),
    )

    class Meta:
        verbose_name = _("HR-менеджер страхователя")
        verbose_name_plural = _("HR-менеджеры страхователей")
        ordering = ["policyholder", "user"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "policyholder"], name="employermanager_unique_pair"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.policyholder}"


def import_file_path(instance: "ImportBatch", filename: str) -> str:
    # The stored name is made by the server; the uploaded name is kept only as a label.
    extension = {"csv": "csv", "xlsx": "xlsx"}.get(instance.file_format, "bin")
    return f"employers/imports/{instance.contract_id}/{uuid.uuid4().hex}.{extension}"


class ImportBatch(TimeStampedModel):
    """One uploaded employee list of a contract: checked, compared with the register, applied."""

    class Status(models.TextChoices):
        UPLOADED = "uploaded", _("в очереди на проверку")
        CHECKED = "checked", _("проверен, ждёт применения")
        REJECTED = "rejected", _("отклонён: файл не прочитан")
        APPLYING = "applying", _("применяется")
        APPLIED = "applied", _("применён")
        FAILED = "failed", _("не применён: ошибка")
        STALE = "stale", _("устарел: реестр изменился после проверки")

    class Format(models.TextChoices):
        CSV = "csv", "CSV"
        XLSX = "xlsx", "XLSX"

    contract = models.ForeignKey(
        Contract, on_delete=models.PROTECT, related_name="import_batches", verbose_name=_("договор")
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("загрузил"),
    )
    # Emptied when the batch is purged (the file is personal data kept no longer than needed).
    file = models.FileField(_("файл"), upload_to=import_file_path, max_length=255, blank=True)
    original_name = models.CharField(_("имя файла"), max_length=255)
    file_format = models.CharField(_("формат"), max_length=8, choices=Format.choices)
    file_size = models.PositiveBigIntegerField(_("размер, байт"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    encoding = models.CharField(_("кодировка"), max_length=16, blank=True)
    delimiter = models.CharField(_("разделитель"), max_length=1, blank=True)
    effective_date = models.DateField(
        _("дата вступления в силу"),
        help_text=_("Исключённые из списка застрахованы по день, предшествующий этой дате."),
    )
    status = models.CharField(
        _("статус"), max_length=16, choices=Status.choices, default=Status.UPLOADED
    )
    message = models.TextField(_("сообщение"), blank=True)

    rows_total = models.PositiveIntegerField(_("строк в файле"), default=0)
    rows_invalid = models.PositiveIntegerField(_("строк с ошибками"), default=0)
    to_add = models.PositiveIntegerField(_("добавить"), default=0)
    to_change = models.PositiveIntegerField(_("изменить"), default=0)
    to_remove = models.PositiveIntegerField(_("исключить"), default=0)
    unchanged = models.PositiveIntegerField(_("без изменений"), default=0)
    register_fingerprint = models.CharField(max_length=128, blank=True, editable=False)
    checked_at = models.DateTimeField(_("проверен"), null=True, blank=True)

    skip_invalid = models.BooleanField(_("строки с ошибками пропущены"), default=False)
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("применил"),
    )
    applied_at = models.DateTimeField(_("применён"), null=True, blank=True)
    result = models.JSONField(_("итог"), default=dict, blank=True)
    # The headers of the file's columns the check did not recognise (HR maps them to fields).
    unknown_headers = models.JSONField(_("нераспознанные столбцы"), default=list, blank=True)

    class Meta:
        verbose_name = _("загрузка списка застрахованных")
        verbose_name_plural = _("загрузки списков застрахованных")
        ordering = ["-created_at"]
        permissions = [("apply_importbatch", _("Может применять списки застрахованных"))]
        indexes = [models.Index(fields=["contract", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.original_name} ({timezone.localtime(self.created_at):%d.%m.%Y %H:%M})"

    @property
    def rows_valid(self) -> int:
        return self.rows_total - self.rows_invalid

    @property
    def has_changes(self) -> bool:
        return bool(self.to_add or self.to_change or self.to_remove)

    @property
    def is_running(self) -> bool:
        return self.status in (self.Status.UPLOADED, self.Status.APPLYING)

    @property
    def can_apply(self) -> bool:
        return self.status == self.Status.CHECKED and self.rows_total > self.rows_invalid


class ColumnMapping(TimeStampedModel):
    """What a column of an employer's lists means, chosen by its HR manager once: a header the
    import does not know (as compared: columns.header_key) → a field, or "" to leave it out."""

    policyholder = models.ForeignKey(
        Policyholder,
        on_delete=models.CASCADE,
        related_name="column_mappings",
        verbose_name=_("страхователь"),
    )
    header = models.CharField(_("заголовок столбца"), max_length=150)
    field = models.CharField(_("поле"), max_length=32, blank=True)
    chosen_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("кто выбрал"),
    )

    class Meta:
        verbose_name = _("столбец списков работодателя")
        verbose_name_plural = _("столбцы списков работодателей")
        constraints = [
            models.UniqueConstraint(
                fields=["policyholder", "header"], name="columnmapping_one_per_header"
            )
        ]

    def __str__(self) -> str:
        return f"{self.header} → {self.field or '—'}"


class ImportRow(models.Model):
    """A row of an uploaded list after the check, or a register person the list leaves out.

    The check writes these instead of keeping the file in memory: the diff preview, the error
    list and the apply all read them in chunks."""

    class Action(models.TextChoices):
        ADD = "add", _("добавить")
        CHANGE = "change", _("изменить")
        SAME = "same", _("без изменений")
        REMOVE = "remove", _("исключить")
        INVALID = "invalid", _("ошибка")

    # Scratch rows of a check, written 100,000 at a time by the batch's locked owner: no foreign
    # key checked by the database for each of them (the ORM still deletes them with their
    # batch), and no index of their own (the indexes below start with the batch).
    batch = models.ForeignKey(
        ImportBatch,
        on_delete=models.CASCADE,
        related_name="rows",
        db_constraint=False,
        db_index=False,
        verbose_name=_("загрузка"),
    )
    row_number = models.PositiveIntegerField(_("строка файла"), null=True, blank=True)
    action = models.CharField(_("действие"), max_length=8, choices=Action.choices)
    # A staged row's person and program are read back by the batch, never looked up by
    # themselves: no index, and no foreign key checked by the database for each of a list's
    # 100,000 rows (the apply writes them into the register, whose own keys are checked; the
    # ORM still nulls them should a person or a program be deleted).
    person = models.ForeignKey(
        InsuredPerson,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_constraint=False,
        db_index=False,
        verbose_name=_("застрахованный в реестре"),
    )
    policy_number = models.CharField(_("номер полиса"), max_length=64, blank=True)
    last_name = models.CharField(_("фамилия"), max_length=150, blank=True)
    first_name = models.CharField(_("имя"), max_length=150, blank=True)
    middle_name = models.CharField(_("отчество"), max_length=150, blank=True)
    birth_date = models.DateField(_("дата рождения"), null=True, blank=True)
    email = models.CharField(_("электронная почта"), max_length=254, blank=True)
    phone = models.CharField(_("телефон"), max_length=16, blank=True)
    personnel_number = models.CharField(_("табельный номер"), max_length=32, blank=True)
    department = models.CharField(_("подразделение"), max_length=150, blank=True)
    program = models.ForeignKey(
        Program,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_constraint=False,
        db_index=False,
        verbose_name=_("программа"),
    )
    starts_on = models.DateField(_("начало"), null=True, blank=True)
    ends_on = models.DateField(_("окончание"), null=True, blank=True)
    relation = models.CharField(_("кем приходится"), max_length=16, blank=True)
    parent_number = models.CharField(_("полис родителя"), max_length=64, blank=True)
    # [[field label, old, new], ...] for CHANGE and REMOVE rows, as the page shows them (a list:
    # PostgreSQL's jsonb does not keep the order of an object's keys).
    changes = models.JSONField(_("изменения"), default=list, blank=True)
    # [{"column": ..., "value": ..., "message": ...}] for INVALID rows.
    errors = models.JSONField(_("ошибки"), default=list, blank=True)

    class Meta:
        verbose_name = _("строка загрузки")
        verbose_name_plural = _("строки загрузок")
        ordering = ["batch", "row_number", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["batch", "row_number"],
                condition=Q(row_number__isnull=False),
                name="importrow_one_per_file_row",
            ),
        ]
        indexes = [
            # Rows are read in chunks by id within a batch and action (file order: ids are given
            # in the file's order), and looked up by policy number within a batch.
            models.Index(fields=["batch", "action", "id"], name="importrow_batch_action_id"),
            models.Index(fields=["batch", "policy_number"]),
        ]

    def __str__(self) -> str:
        where = f"строка {self.row_number}" if self.row_number else "реестр"
        return f"{where}: {self.policy_number} ({self.get_action_display()})"

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.last_name, self.first_name, self.middle_name) if p)


class Invitation(models.Model):
    """An invitation to the cabinet sent to an insured person's e-mail, at most once per address."""

    # Neither key has an index of its own: the unique (person, e-mail) pair and the (batch,
    # sent_at) index below start with them.
    insured_person = models.ForeignKey(
        InsuredPerson,
        on_delete=models.CASCADE,
        related_name="invitations",
        db_index=False,
        verbose_name=_("застрахованный"),
    )
    email = models.EmailField(_("электронная почта"))
    batch = models.ForeignKey(
        ImportBatch,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="invitations",
        db_index=False,
        verbose_name=_("загрузка"),
    )
    created_at = models.DateTimeField(_("создано"), default=timezone.now)
    sent_at = models.DateTimeField(_("отправлено"), null=True, blank=True)

    class Meta:
        verbose_name = _("приглашение в кабинет")
        verbose_name_plural = _("приглашения в кабинет")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["insured_person", "email"], name="invitation_once_per_person_email"
            ),
        ]
        indexes = [models.Index(fields=["batch", "sent_at"])]

    def __str__(self) -> str:
        return f"{self.email} ({self.insured_person.policy_number})"
