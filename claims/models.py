"""DMS service lines (from clinic registers) and non-DMS claims with their payout cases."""

import datetime
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clinics.models import Clinic
from policies.models import CareKind, InsuredPerson, Policy
from portal.core.models import TimeStampedModel
from portal.core.uploads import private_upload_path


class Icd10Flag(models.TextChoices):
    UNKNOWN = "unknown", _("кода нет в справочнике МКБ-10")
    INVALID = "invalid", _("не код МКБ-10 (формат A00 или A00.0)")


class ServiceLine(TimeStampedModel):
    """One line of a clinic's monthly service register: a service the insurer paid for."""

    class CopayState(models.TextChoices):
        NONE = "none", _("без со-оплаты")
        UNPAID = "unpaid", _("не оплачено")
        FROZEN = "frozen", _("заморожено до решения по обращению")
        PAID = "paid", _("оплачено")
        CANCELLED = "cancelled", _("отменено")

    clinic = models.ForeignKey(
        Clinic, on_delete=models.PROTECT, related_name="service_lines", verbose_name=_("клиника")
    )
    register_number = models.CharField(_("номер реестра"), max_length=64)
    line_number = models.PositiveIntegerField(_("номер строки"))
    insured_person = models.ForeignKey(
        InsuredPerson,
        on_delete=models.PROTECT,
        related_name="service_lines",
        verbose_name=_("застрахованный"),
    )
    service_code = models.CharField(_("код услуги"), max_length=32)
    service_name = models.CharField(_("наименование услуги"), max_length=512)
    care_kind = models.ForeignKey(
        CareKind, on_delete=models.PROTECT, related_name="+", verbose_name=_("вид помощи")
    )
    service_date = models.DateField(_("дата оказания"))
    quantity = models.PositiveIntegerField(_("количество"), default=1)
    amount = models.DecimalField(_("сумма, руб."), max_digits=12, decimal_places=2)
    copay_amount = models.DecimalField(
        _("сумма к оплате, руб."), max_digits=12, decimal_places=2, default=Decimal("0")
    )
    copay_state = models.CharField(
        _("состояние со-оплаты"), max_length=16, choices=CopayState.choices, default=CopayState.NONE
    )
    icd10_code = models.CharField(_("код МКБ-10"), max_length=16, blank=True)
    icd10_name = models.CharField(_("диагноз по МКБ-10"), max_length=512, blank=True)
    # A register line whose code is not in the МКБ-10 dictionary is loaded all the same (the
    # clinic billed it) and marked for the register specialist; a reload of the dictionary that
    # brings the code clears the mark (claims.services.icd10).
    icd10_flag = models.CharField(
        _("проверка кода МКБ-10"), max_length=16, choices=Icd10Flag.choices, blank=True
    )
    # "Service not provided": a paid line stays paid while its dispute runs (the money is already
    # taken; a confirmed dispute is refunded by the co-pay program), so the dispute is its own mark
    # and not a co-pay state. Unpaid lines are FROZEN instead (feedback.services).
    disputed_at = models.DateTimeField(_("оспорена застрахованным"), null=True, blank=True)
    # Set when a "service not provided" dispute is confirmed: the insurer recovers the line's
    # amount from the clinic.
    recovery_flagged_at = models.DateTimeField(_("к возврату с клиники с"), null=True, blank=True)

    class Meta:
        verbose_name = _("услуга ДМС")
        verbose_name_plural = _("услуги ДМС (реестры клиник)")
        ordering = ["-service_date", "clinic", "register_number", "line_number"]
        constraints = [
            # The partition key is in every unique key (claims/partitions.py): a line number
            # used again in another month is refused by the register import instead.
            models.UniqueConstraint(
                fields=["clinic", "register_number", "line_number", "service_date"],
                name="serviceline_unique",
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="serviceline_amount_positive"),
            models.CheckConstraint(
                condition=Q(copay_amount__gte=0) & Q(copay_amount__lte=F("amount")),
                name="serviceline_copay_within_amount",
            ),
            models.CheckConstraint(condition=Q(quantity__gte=1), name="serviceline_quantity_min_1"),
        ]
        indexes = [models.Index(fields=["insured_person", "-service_date"])]

    def __str__(self) -> str:
        # No service name (health data, claims.health): the admin's choices and links, the logs
        # and any list that names a line show its date and register line only.
        day = f"{self.service_date:%d.%m.%Y}"
        return f"{day}, реестр {self.register_number}, строка {self.line_number}"


class Icd10Diagnosis(models.Model):
    """The МКБ-10 dictionary as the Ministry of Health publishes it (claims/data, loaded by
    `manage.py load_mkb10`): chapters, blocks, three-character categories and subcategories in
    one tree. Read-only for operators; service history shows its names (claims.selectors)."""

    class Level(models.TextChoices):
        CHAPTER = "chapter", _("класс")
        BLOCK = "block", _("блок")
        CATEGORY = "category", _("рубрика")
        SUBCATEGORY = "subcategory", _("подрубрика")

    class Source(models.TextChoices):
        NSI = "nsi", _("НСИ Минздрава (1.2.643.5.1.13.13.11.1005)")
        SUPPLEMENT = "supplement", _("дополнение: коды ВОЗ, которых нет в выгрузке НСИ")

    # The code is empty for chapters and blocks (their range is in the name).
    code = models.CharField(_("код МКБ-10"), max_length=16, unique=True, null=True, blank=True)
    name = models.CharField(_("наименование"), max_length=512)
    # The place in the hierarchy, the dictionary's own key (REC_CODE): what a reload matches on.
    rec_code = models.CharField(_("код записи"), max_length=16, unique=True, null=True)
    nsi_id = models.PositiveIntegerField(_("ID в НСИ"), unique=True, null=True, blank=True)
    parent = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("входит в"),
    )
    level = models.CharField(_("уровень"), max_length=16, choices=Level.choices, blank=True)
    # The dictionary's mark of the dual (dagger/asterisk) coding, kept as given: "1", "2" or "".
    addl_code = models.CharField(_("признак двойного кодирования"), max_length=1, blank=True)
    is_actual = models.BooleanField(_("актуален"), default=True)
    added_on = models.DateField(_("добавлен в справочник"), null=True, blank=True)
    source = models.CharField(_("источник"), max_length=16, choices=Source.choices, blank=True)

    class Meta:
        verbose_name = _("диагноз МКБ-10")
        verbose_name_plural = _("справочник МКБ-10")
        ordering = ["rec_code"]
        # Nobody edits the dictionary by hand: the register specialist reloads it from the
        # Ministry's published file (docs/ROLES.md).
        permissions = [("reload_icd10diagnosis", _("Может загрузить справочник МКБ-10 заново"))]

    def __str__(self) -> str:
        return f"{self.code} {self.name}" if self.code else self.name


class Claim(TimeStampedModel):
    """A loss declared under a non-DMS policy, followed by its payout case (выплатное дело)."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("заявление подано")
        DOCUMENTS_REQUESTED = "documents_requested", _("запрошены документы")
        UNDER_REVIEW = "under_review", _("на рассмотрении")
        APPROVED = "approved", _("принято решение о выплате")
        REFUSED = "refused", _("в выплате отказано")
        PAID = "paid", _("выплачено")

    # Allowed moves of the payout case; claim_set_status enforces them.
    TRANSITIONS: dict[str, tuple[str, ...]] = {
        Status.SUBMITTED: (Status.DOCUMENTS_REQUESTED, Status.UNDER_REVIEW),
        Status.DOCUMENTS_REQUESTED: (Status.UNDER_REVIEW,),
        Status.UNDER_REVIEW: (Status.DOCUMENTS_REQUESTED, Status.APPROVED, Status.REFUSED),
        Status.APPROVED: (Status.PAID,),
        Status.REFUSED: (),
        Status.PAID: (),
    }

    number = models.CharField(_("номер убытка"), max_length=32, unique=True)
    policy = models.ForeignKey(
        Policy, on_delete=models.PROTECT, related_name="claims", verbose_name=_("полис")
    )
    event_type = models.CharField(_("тип события"), max_length=32)
    event_at = models.DateTimeField(_("дата и время события"))
    place = models.CharField(_("место"), max_length=255)
    description = models.TextField(_("описание"))
    payout_details = models.JSONField(_("реквизиты выплаты"), default=dict, blank=True)
    status = models.CharField(
        _("статус"), max_length=24, choices=Status.choices, default=Status.SUBMITTED
    )
    approved_amount = models.DecimalField(
        _("сумма выплаты, руб."), max_digits=12, decimal_places=2, null=True, blank=True
    )
    # Who declared it: the holder of a bought policy, or the person a ВЗР policy is linked to.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="claims",
        verbose_name=_("заявитель"),
    )
    other_parties = models.JSONField(
        _("другие участники"),
        default=list,
        blank=True,
        help_text=_('Для ДТП: [{"name": "…", "plate": "…", "policy_number": "ХХХ 0123456789"}]'),
    )
    # The decision deadline the rules gave when the claim was submitted (claims.rules), kept
    # with the claim so that a later change of the rules does not move it.
    decision_days = models.PositiveSmallIntegerField(_("срок решения, дней"), null=True, blank=True)
    decision_day_count = models.CharField(_("как считаются дни"), max_length=32, blank=True)
    decision_rule = models.CharField(_("норма о сроке решения"), max_length=255, blank=True)
    # While documents are requested the deadline stands still: the days of finished pauses (in
    # the deadline's own days) and the start of the current one.
    paused_days = models.PositiveIntegerField(_("срок приостанавливался, дней"), default=0)
    paused_since = models.DateField(_("срок приостановлен с"), null=True, blank=True)
    paid_amount = models.DecimalField(
        _("выплачено, руб."), max_digits=12, decimal_places=2, null=True, blank=True
    )
    paid_on = models.DateField(_("дата выплаты"), null=True, blank=True)

    class Meta:
        verbose_name = _("страховой случай")
        verbose_name_plural = _("страховые случаи (убытки)")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(approved_amount__isnull=True) | Q(approved_amount__gt=0),
                name="claim_approved_amount_positive",
            ),
            models.CheckConstraint(
                condition=Q(paid_amount__isnull=True) | Q(paid_amount__gt=0),
                name="claim_paid_amount_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"№ {self.number}"

    def can_move_to(self, status: str) -> bool:
        return status in self.TRANSITIONS.get(self.status, ())

    @property
    def is_open(self) -> bool:
        return self.status in (
            self.Status.SUBMITTED,
            self.Status.DOCUMENTS_REQUESTED,
            self.Status.UNDER_REVIEW,
        )

    @property
    def is_decided(self) -> bool:
        return self.status in (self.Status.APPROVED, self.Status.REFUSED, self.Status.PAID)

    @property
    def submitted_on(self) -> datetime.date:
        return timezone.localdate(self.created_at) if self.created_at else timezone.localdate()


class ClaimEvent(models.Model):
    """A step of the payout case's history; written only by claim_set_status, never edited."""

    claim = models.ForeignKey(
        Claim, on_delete=models.CASCADE, related_name="events", verbose_name=_("убыток")
    )
    from_status = models.CharField(
        _("из статуса"), max_length=24, choices=Claim.Status.choices, blank=True
    )
    to_status = models.CharField(_("в статус"), max_length=24, choices=Claim.Status.choices)
    at = models.DateTimeField(_("когда"), default=timezone.now)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("кто"),
    )
    comment = models.TextField(_("комментарий"), blank=True)
    # What the step carries: the documents requested, the amount, the refusal's rule, the payment.
    details = models.JSONField(_("подробности"), default=dict, blank=True)
    # Set when the person was e-mailed about this step: the e-mail goes out once per event.
    notified_at = models.DateTimeField(_("уведомление отправлено"), null=True, blank=True)

    class Meta:
        verbose_name = _("событие по убытку")
        verbose_name_plural = _("события по убыткам")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.claim}: {self.get_to_status_display()}"


def claim_document_path(instance: "ClaimDocument", filename: str) -> str:
    # The stored name is made by the server (random); the person's file name is only a label.
    return private_upload_path(f"claims/{instance.claim_id}", filename)


class ClaimDocument(TimeStampedModel):
    claim = models.ForeignKey(
        Claim, on_delete=models.CASCADE, related_name="documents", verbose_name=_("убыток")
    )
    kind = models.CharField(_("вид документа"), max_length=64)
    file = models.FileField(_("файл"), upload_to=claim_document_path)
    original_name = models.CharField(_("имя файла"), max_length=255)
    content_type = models.CharField(_("тип"), max_length=64)
    size = models.PositiveIntegerField(_("размер, байт"), default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("кем загружен"),
    )

    class Meta:
        verbose_name = _("документ по убытку")
        verbose_name_plural = _("документы по убыткам")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.original_name


class ClaimNumberSequence(models.Model):
    """The last claim number given in a year: numbers only ever go up, so a number once given
    (even to a claim deleted since) is never given again."""

    year = models.PositiveSmallIntegerField(_("год"), unique=True)
    last = models.PositiveIntegerField(_("последний номер"), default=0)

    class Meta:
        verbose_name = _("счётчик номеров убытков")
        verbose_name_plural = _("счётчики номеров убытков")

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"
