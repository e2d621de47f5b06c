"""Card binding, the co-pay ledger's charges.

A person on a co-pay program may visit clinics 30 minutes after binding a card
(`clinic_access_from`, read by the clinics' booking rule), and the program is active within 24
hours (`active_from`). Charges are rows written and committed before the provider is called; a
service line belongs to at most one charge that has not failed (ChargeLine's constraint). A
charge or a refund moves only along its TRANSITIONS, through payments.services.status, which
writes a ChargeEvent or RefundEvent per step.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from claims.models import ServiceLine
from clinics.models import Clinic
from policies.models import InsuredPerson, Program
from portal.core.formatting import money
from portal.core.models import TimeStampedModel


class CopayEnrollment(TimeStampedModel):
    """An insured person's switch to a co-pay program: consent first, then a bound card."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="copay_enrollments",
        verbose_name=_("пользователь"),
    )
    insured_person = models.ForeignKey(
        InsuredPerson,
        on_delete=models.PROTECT,
        related_name="copay_enrollments",
        verbose_name=_("застрахованный"),
    )
    program = models.ForeignKey(
        Program, on_delete=models.PROTECT, related_name="+", verbose_name=_("программа")
    )
    consent_at = models.DateTimeField(_("согласие с условиями"))
    terms_version = models.CharField(_("версия условий"), max_length=32)
    card_bound_at = models.DateTimeField(_("карта привязана"), null=True, blank=True)
    clinic_access_from = models.DateTimeField(
        _("обращения в клиники с"),
        null=True,
        blank=True,
        help_text=_("Через 30 минут после привязки карты."),
    )
    active_from = models.DateTimeField(
        _("программа действует с"),
        null=True,
        blank=True,
        help_text=_("В течение 24 часов после привязки карты."),
    )
    provider_customer_id = models.CharField(
        _("клиент у платёжного провайдера"), max_length=64, blank=True
    )
    # The retry schedule of automatic charges after a decline (settings.COPAY_RETRY_DAYS).
    charge_failures = models.PositiveSmallIntegerField(_("неудачных списаний подряд"), default=0)
    next_charge_on = models.DateField(_("следующее автосписание не раньше"), null=True, blank=True)
    # The person left the program (withdrew the consent): the card is unbound, no clinic access
    # under it; a new consent starts it over with a new card and a new 30-minute clock.
    withdrawn_at = models.DateTimeField(_("согласие отозвано"), null=True, blank=True)

    class Meta:
        verbose_name = _("подключение со-оплатной программы")
        verbose_name_plural = _("подключения со-оплатной программы")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["insured_person"], name="copayenrollment_one_per_insured"
            ),
            # No access to clinics before a card is bound, and never before the binding.
            models.CheckConstraint(
                condition=Q(clinic_access_from__isnull=True)
                | (Q(card_bound_at__isnull=False) & Q(clinic_access_from__gte=F("card_bound_at"))),
                name="copayenrollment_access_after_card",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.insured_person}: {self.program.code}"


class PaymentCard(TimeStampedModel):
    """A card bound at the provider. Only the provider's ids and what the person needs to
    recognise the card: never its number, expiry-with-number or CVC (PCI DSS SAQ A)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="payment_cards"
    )
    enrollment = models.ForeignKey(
        CopayEnrollment,
        on_delete=models.CASCADE,
        related_name="cards",
        verbose_name=_("подключение"),
    )
    gateway = models.CharField(_("провайдер"), max_length=16, default="stripe")
    provider_customer_id = models.CharField(_("клиент у провайдера"), max_length=64)
    provider_payment_method_id = models.CharField(_("способ оплаты у провайдера"), max_length=64)
    brand = models.CharField(_("платёжная система"), max_length=16, blank=True)
    last4 = models.CharField(_("последние 4 цифры"), max_length=4)
    exp_month = models.PositiveSmallIntegerField(_("месяц окончания"))
    exp_year = models.PositiveSmallIntegerField(_("год окончания"))
    removed_at = models.DateTimeField(_("отвязана"), null=True, blank=True)

    class Meta:
        verbose_name = _("банковская карта")
        verbose_name_plural = _("банковские карты")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["enrollment"],
                condition=Q(removed_at__isnull=True),
                name="paymentcard_one_active_per_enrollment",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.brand.upper()} •••• {self.last4}"

    @property
    def expiry(self) -> str:
        return f"{self.exp_month:02d}/{self.exp_year % 100:02d}"


class Charge(TimeStampedModel):
    """One payment of co-pay lines: written and committed before the provider is called."""

    class Status(models.TextChoices):
        PENDING = "pending", _("создано, ещё не отправлено")
        IN_DOUBT = "in_doubt", _("в процессе проверки: отправлено, ответ не получен")
        SUCCEEDED = "succeeded", _("оплачено")
        FAILED = "failed", _("отклонено")
        REQUIRES_ACTION = "requires_action", _("нужно подтверждение")

    class Kind(models.TextChoices):
        DAILY = "daily", _("автосписание")
        ON_SESSION = "on_session", _("оплата на сайте")

    OPEN = (Status.PENDING, Status.IN_DOUBT)
    FINAL = (Status.SUCCEEDED, Status.FAILED)

    # Allowed moves; payments.services.status.charges_status_set enforces them. In doubt goes
    # back to pending when reconciliation finds no payment at the provider (sent again with the
    # same key); a pending charge may be settled from the provider's records directly.
    TRANSITIONS: dict[str, tuple[str, ...]] = {
        Status.PENDING: (Status.IN_DOUBT, Status.SUCCEEDED, Status.FAILED, Status.REQUIRES_ACTION),
        Status.IN_DOUBT: (Status.PENDING, Status.SUCCEEDED, Status.FAILED, Status.REQUIRES_ACTION),
        Status.REQUIRES_ACTION: (Status.IN_DOUBT, Status.SUCCEEDED, Status.FAILED),
        Status.SUCCEEDED: (),
        Status.FAILED: (),
    }

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="charges"
    )
    insured_person = models.ForeignKey(
        InsuredPerson, on_delete=models.PROTECT, related_name="charges"
    )
    card = models.ForeignKey(PaymentCard, on_delete=models.PROTECT, related_name="charges")
    day = models.DateField(_("день"))
    kind = models.CharField(_("вид"), max_length=16, choices=Kind.choices, default=Kind.DAILY)
    idempotency_key = models.CharField(_("ключ идемпотентности"), max_length=128, unique=True)
    amount = models.DecimalField(_("сумма, руб."), max_digits=12, decimal_places=2)
    status = models.CharField(
        _("состояние"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    provider_payment_id = models.CharField(_("платёж у провайдера"), max_length=64, blank=True)
    client_secret = models.CharField(max_length=128, blank=True, editable=False)
    decline_code = models.CharField(_("код отказа"), max_length=64, blank=True)
    sent_at = models.DateTimeField(_("отправлено провайдеру"), null=True, blank=True)
    settled_at = models.DateTimeField(_("завершено"), null=True, blank=True)
    service_lines = models.ManyToManyField(
        ServiceLine, through="ChargeLine", related_name="charges", verbose_name=_("услуги")
    )

    class Meta:
        verbose_name = _("списание")
        verbose_name_plural = _("списания")
        ordering = ["-day", "-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="charge_amount_positive"),
        ]
        indexes = [
            models.Index(fields=["status", "updated_at"]),
            # the day's run: its charges by state (payments.metrics, read at each scrape)
            models.Index(fields=["day", "kind"], name="charge_day_kind"),
        ]
        permissions = [
            ("reconcile_charge", _("Может сверять списания с платёжной системой")),
            ("refund_charge", _("Может возвращать со-оплату по подтверждённым обращениям")),
        ]

    def __str__(self) -> str:
        return f"{self.idempotency_key}: {money(self.amount)} ({self.status})"

    def can_move_to(self, status: str) -> bool:
        return status in self.TRANSITIONS.get(self.status, ())


class StatusEvent(models.Model):
    """A step of a charge's or a refund's history (its creation has an empty `from_status`):
    when, who, why. Written only by payments.services.status, never edited."""

    at = models.DateTimeField(_("когда"), default=timezone.now)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("кто"),
        help_text=_("Пусто — платёжный сервис портала."),
    )
    note = models.CharField(_("примечание"), max_length=255, blank=True)

    class Meta:
        abstract = True
        ordering = ["at", "pk"]


class ChargeEvent(StatusEvent):
    """A step of a charge's history."""

    charge = models.ForeignKey(
        Charge, on_delete=models.CASCADE, related_name="events", verbose_name=_("списание")
    )
    from_status = models.CharField(
        _("из состояния"), max_length=16, choices=Charge.Status.choices, blank=True
    )
    to_status = models.CharField(_("в состояние"), max_length=16, choices=Charge.Status.choices)

    class Meta(StatusEvent.Meta):
        verbose_name = _("событие списания")
        verbose_name_plural = _("события списаний")

    def __str__(self) -> str:
        return f"{self.charge_id}: {self.from_status or '—'} → {self.to_status}"


class ChargeLine(models.Model):
    """A service line in a charge. A line is in at most one charge that has not failed."""

    charge = models.ForeignKey(Charge, on_delete=models.CASCADE, related_name="lines")
    # The database's key is (service_line_id, service_line_date): claims/partitions.py
    service_line = models.ForeignKey(
        ServiceLine, on_delete=models.PROTECT, related_name="charge_lines", db_constraint=False
    )
    amount = models.DecimalField(_("сумма, руб."), max_digits=12, decimal_places=2)
    active = models.BooleanField(default=True)

    class Meta:
        verbose_name = _("строка списания")
        verbose_name_plural = _("строки списаний")
        constraints = [
            models.UniqueConstraint(
                fields=["service_line"],
                condition=Q(active=True),
                name="chargeline_one_active_per_line",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.charge_id}: {self.service_line_id} {money(self.amount)}"


class ProcessedEvent(models.Model):
    """A provider's webhook event, processed once."""

    event_id = models.CharField(max_length=128, unique=True)
    type = models.CharField(max_length=64)
    processed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("событие провайдера")
        verbose_name_plural = _("события провайдера")

    def __str__(self) -> str:
        return f"{self.type} {self.event_id}"


class ClinicAttachmentList(models.Model):
    """The attachment list sent to a clinic when a person's co-pay program is activated."""

    enrollment = models.ForeignKey(
        CopayEnrollment, on_delete=models.CASCADE, related_name="attachment_lists"
    )
    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="+")
    sent_at = models.DateTimeField(_("отправлен"), default=timezone.now)
    processed_by = models.DateField(_("обработка клиникой до"))

    class Meta:
        verbose_name = _("список прикрепления")
        verbose_name_plural = _("списки прикрепления")
        constraints = [
            models.UniqueConstraint(
                fields=["enrollment", "clinic"], name="attachmentlist_one_per_clinic"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.enrollment_id} → {self.clinic_id}"


class CopayNotice(models.Model):
    """The day-before notice of a charge: one per person and charge day."""

    insured_person = models.ForeignKey(InsuredPerson, on_delete=models.CASCADE, related_name="+")
    charge_day = models.DateField()
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["insured_person", "charge_day"], name="copaynotice_one_per_day"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.insured_person_id} {self.charge_day}"


class Refund(TimeStampedModel):
    """The refund of one charged co-pay line (a "service not provided" dispute confirmed after the
    line was charged or sent). Written and committed before the provider is called, with a key
    deterministic per service line, so a line is refunded at most once whoever asks and however
    often. A refund whose charge is still awaiting the provider's answer WAITS for it: the
    charge's settlement moves it on (paid → pending, failed → not needed)."""

    class Status(models.TextChoices):
        WAITING = "waiting", _("ждёт завершения списания")
        PENDING = "pending", _("создан, ещё не отправлен")
        IN_DOUBT = "in_doubt", _("отправлен, ответ не получен")
        SUCCEEDED = "succeeded", _("возвращено")
        FAILED = "failed", _("платёжная система отказала")
        NOT_NEEDED = "not_needed", _("не нужен: списание не прошло")

    OPEN = (Status.PENDING, Status.IN_DOUBT)
    # A refusal is answered (SETTLED: the provider's late answers leave it as it is) but not final:
    # it is sent again on a schedule (issue 21), so FINAL holds only the states with no way out.
    FINAL = (Status.SUCCEEDED, Status.NOT_NEEDED)
    SETTLED = (Status.SUCCEEDED, Status.FAILED, Status.NOT_NEEDED)

    # Allowed moves; payments.services.status.refunds_status_set enforces them. In doubt goes
    # back to pending when reconciliation finds no refund at the provider (sent again).
    TRANSITIONS: dict[str, tuple[str, ...]] = {
        Status.WAITING: (Status.PENDING, Status.NOT_NEEDED),
        Status.PENDING: (Status.IN_DOUBT,),
        Status.IN_DOUBT: (Status.PENDING, Status.SUCCEEDED, Status.FAILED),
        Status.SUCCEEDED: (),
        # A refusal is sent again on settings.REFUND_RETRY_HOURS (a new provider key each try);
        # after the last one it stays failed and the operators are told.
        Status.FAILED: (Status.PENDING,),
        Status.NOT_NEEDED: (),
    }

    charge = models.ForeignKey(
        Charge, on_delete=models.PROTECT, related_name="refunds", verbose_name=_("списание")
    )
    charge_line = models.OneToOneField(
        ChargeLine,
        on_delete=models.PROTECT,
        related_name="refund",
        verbose_name=_("строка списания"),
    )
    service_line = models.ForeignKey(
        ServiceLine,
        on_delete=models.PROTECT,
        related_name="copay_refunds",
        verbose_name=_("услуга"),
        db_constraint=False,  # the key is (service_line_id, service_line_date): claims/partitions
    )
    idempotency_key = models.CharField(_("ключ идемпотентности"), max_length=128, unique=True)
    amount = models.DecimalField(_("сумма, руб."), max_digits=12, decimal_places=2)
    status = models.CharField(
        _("состояние"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    provider_refund_id = models.CharField(_("возврат у провайдера"), max_length=64, blank=True)
    failure_code = models.CharField(_("код отказа"), max_length=64, blank=True)
    refusals = models.PositiveSmallIntegerField(_("отказов провайдера"), default=0)
    retry_at = models.DateTimeField(_("повторить после отказа"), null=True, blank=True)
    sent_at = models.DateTimeField(_("отправлен провайдеру"), null=True, blank=True)
    settled_at = models.DateTimeField(_("завершён"), null=True, blank=True)

    class Meta:
        verbose_name = _("возврат со-оплаты")
        verbose_name_plural = _("возвраты со-оплаты")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="refund_amount_positive"),
            models.UniqueConstraint(fields=["service_line"], name="refund_one_per_service_line"),
        ]
        indexes = [models.Index(fields=["status", "updated_at"])]

    def __str__(self) -> str:
        return f"{self.idempotency_key}: {money(self.amount)} ({self.status})"

    def can_move_to(self, status: str) -> bool:
        return status in self.TRANSITIONS.get(self.status, ())

    @property
    def provider_key(self) -> str:
        """The provider's idempotency key of the current try: a refused refund is a new request."""
        return (
            self.idempotency_key if not self.refusals else f"{self.idempotency_key}-{self.refusals}"
        )


class RefundEvent(StatusEvent):
    """A step of a refund's history."""

    refund = models.ForeignKey(
        Refund, on_delete=models.CASCADE, related_name="events", verbose_name=_("возврат")
    )
    from_status = models.CharField(
        _("из состояния"), max_length=16, choices=Refund.Status.choices, blank=True
    )
    to_status = models.CharField(_("в состояние"), max_length=16, choices=Refund.Status.choices)

    class Meta(StatusEvent.Meta):
        verbose_name = _("событие возврата")
        verbose_name_plural = _("события возвратов")

    def __str__(self) -> str:
        return f"{self.refund_id}: {self.from_status or '—'} → {self.to_status}"


class Receipt(TimeStampedModel):
    """The document of one movement of money: a co-pay charge, its refund, a shop purchase.

    With a provider that registers 54-ФЗ receipts (ЮKassa: «Чеки от ЮKassa») it is a fiscal
    receipt — sent with the payment, its fiscal attributes (ФН, ФД, ФП, the time) read back from
    the provider; with one that does not (Stripe) it is a «Квитанция об оплате», not a fiscal
    document. The seller's name and ИНН are copied when it is written, so a later change of the
    insurer's details does not rewrite issued documents."""

    class Kind(models.TextChoices):
        INCOME = "income", _("приход")
        INCOME_RETURN = "income_return", _("возврат прихода")

    class Source(models.TextChoices):
        COPAY = "copay", _("со-оплата")
        REFUND = "refund", _("возврат со-оплаты")
        PURCHASE = "purchase", _("покупка полиса")

    class Status(models.TextChoices):
        PENDING = "pending", _("регистрируется")
        REGISTERED = "registered", _("зарегистрирован")
        FAILED = "failed", _("не зарегистрирован")
        NOT_FISCAL = "not_fiscal", _("квитанция (без фискализации)")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="receipts"
    )
    kind = models.CharField(_("признак расчёта"), max_length=16, choices=Kind.choices)
    source = models.CharField(_("за что"), max_length=16, choices=Source.choices)
    source_id = models.PositiveBigIntegerField(_("номер списания, возврата или покупки"))
    gateway = models.CharField(_("провайдер"), max_length=16)
    provider_payment_id = models.CharField(_("платёж у провайдера"), max_length=64)
    provider_refund_id = models.CharField(_("возврат у провайдера"), max_length=64, blank=True)
    amount = models.DecimalField(_("сумма, ₽"), max_digits=12, decimal_places=2)
    items = models.JSONField(_("предметы расчёта"), default=list)
    customer_contact = models.CharField(_("e-mail или телефон покупателя"), max_length=254)
    seller_name = models.CharField(_("продавец"), max_length=255)
    seller_inn = models.CharField(_("ИНН продавца"), max_length=12)
    tax_system_code = models.PositiveSmallIntegerField(_("система налогообложения"), null=True)
    paid_at = models.DateTimeField(_("дата и время расчёта"))
    status = models.CharField(
        _("состояние"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    provider_receipt_id = models.CharField(_("чек у провайдера"), max_length=64, blank=True)
    fiscal_storage_number = models.CharField(_("ФН"), max_length=16, blank=True)
    fiscal_document_number = models.CharField(_("ФД"), max_length=10, blank=True)
    fiscal_attribute = models.CharField(_("ФП"), max_length=10, blank=True)
    registered_at = models.DateTimeField(_("зарегистрирован"), null=True, blank=True)

    class Meta:
        verbose_name = _("чек")
        verbose_name_plural = _("чеки")
        ordering = ["-paid_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["source", "source_id"], name="receipt_one_per_source"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="receipt_amount_positive"),
            # A registered receipt has every fiscal attribute.
            models.CheckConstraint(
                condition=~Q(status="registered")
                | (
                    ~Q(fiscal_storage_number="")
                    & ~Q(fiscal_document_number="")
                    & ~Q(fiscal_attribute="")
                    & Q(registered_at__isnull=False)
                ),
                name="receipt_registered_has_attributes",
            ),
        ]
        indexes = [models.Index(fields=["status", "updated_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount} ₽ ({self.get_status_display()})"

    @property
    def fiscal(self) -> bool:
        return self.status != self.Status.NOT_FISCAL

    @property
    def qr_string(self) -> str:
        """The tax service's QR string: t=YYYYMMDDTHHMM&s=SUM&fn=…&i=…&fp=…&n=1 (2: a refund)."""
        if self.status != self.Status.REGISTERED:
            return ""
        moment = timezone.localtime(self.registered_at)
        n = 2 if self.kind == self.Kind.INCOME_RETURN else 1
        return (
            f"t={moment:%Y%m%dT%H%M}&s={self.amount:.2f}&fn={self.fiscal_storage_number}"
            f"&i={self.fiscal_document_number}&fp={self.fiscal_attribute}&n={n}"
        )
