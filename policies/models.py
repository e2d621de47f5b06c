"""The insurer's register (policyholders, contracts, programs, insured persons) and policies."""

import datetime
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.core.fields import EncryptedCharField, blind_index
from portal.core.models import TimeStampedModel

inn_validator = RegexValidator(r"^\d{10}(\d{2})?$", _("ИНН — 10 или 12 цифр"))


class Policyholder(TimeStampedModel):
    """The employer company that holds DMS contracts (страхователь)."""

    name = models.CharField(_("наименование"), max_length=255)
    inn = models.CharField(_("ИНН"), max_length=12, unique=True, validators=[inn_validator])

    class Meta:
        verbose_name = _("страхователь")
        verbose_name_plural = _("страхователи")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Contract(TimeStampedModel):
    """A DMS contract of a policyholder, with the insurer's contact centres."""

    policyholder = models.ForeignKey(
        Policyholder,
        on_delete=models.PROTECT,
        related_name="contracts",
        verbose_name=_("страхователь"),
    )
    number = models.CharField(_("номер договора"), max_length=64, unique=True)
    starts_on = models.DateField(_("начало действия"))
    ends_on = models.DateField(_("окончание действия"))
    contact_centres = models.JSONField(
        _("контактные центры"),
        default=list,
        blank=True,
        help_text=_('Список вида [{"name": "Пульс 24/7", "phone": "+78003024419"}]'),
    )
    # The last serial of the policy numbers the insurer assigned to newcomers of the contract's
    # HR lists (employers.services.applying): only grows, under the contract's row lock.
    policy_serial = models.PositiveIntegerField(
        _("последний присвоенный номер полиса"), default=0, editable=False
    )

    class Meta:
        verbose_name = _("договор ДМС")
        verbose_name_plural = _("договоры ДМС")
        ordering = ["-starts_on", "number"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")), name="contract_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} ({self.policyholder})"


class CareKind(models.Model):
    """A kind of medical care: outpatient, home care, dental, emergency, hospital..."""

    code = models.SlugField(_("код"), max_length=32, unique=True)
    name = models.CharField(_("наименование"), max_length=255)
    order = models.PositiveSmallIntegerField(_("порядок"), default=0)

    class Meta:
        verbose_name = _("вид медицинской помощи")
        verbose_name_plural = _("виды медицинской помощи")
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return self.name


class Program(TimeStampedModel):
    """A contract's insurance program: kinds of care covered and the co-pay share."""

    contract = models.ForeignKey(
        Contract, on_delete=models.PROTECT, related_name="programs", verbose_name=_("договор")
    )
    code = models.CharField(_("код программы"), max_length=32)
    name = models.CharField(_("наименование"), max_length=255)
    care_kinds = models.ManyToManyField(
        CareKind, related_name="programs", verbose_name=_("виды медицинской помощи")
    )
    copay_share = models.DecimalField(
        _("доля со-оплаты, %"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    includes_vzr = models.BooleanField(_("включает ВЗР/ВПМК"), default=False)
    # What «Программа страхования (PDF)» prints beside the kinds of care: one item a line.
    services = models.TextField(
        _("услуги по программе"), blank=True, help_text=_("Одна услуга или группа услуг в строке")
    )
    limits = models.TextField(
        _("лимиты"),
        blank=True,
        help_text=_("Один лимит в строке, например «Стоматология — 50 000 руб. в год»"),
    )
    exclusions = models.TextField(
        _("исключения"), blank=True, help_text=_("Одно исключение в строке")
    )

    class Meta:
        verbose_name = _("программа страхования")
        verbose_name_plural = _("программы страхования")
        ordering = ["contract", "code"]
        constraints = [
            models.UniqueConstraint(fields=["contract", "code"], name="program_code_per_contract"),
            models.CheckConstraint(
                condition=Q(copay_share__gte=0) & Q(copay_share__lte=100),
                name="program_copay_share_0_100",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} — {self.name}"

    @property
    def has_copay(self) -> bool:
        return self.copay_share > 0


class InsuredPerson(TimeStampedModel):
    """A row of the insurer's register: an insured person under a contract (HR lists write here)."""

    class Relation(models.TextChoices):
        EMPLOYEE = "employee", _("сотрудник")
        CHILD = "child", _("ребёнок")

    # Unique by a constraint in Meta, not `unique=True`: that would add a second index of the
    # numbers for LIKE prefixes (varchar_pattern_ops), which no query of the register makes.
    policy_number = models.CharField(_("номер полиса"), max_length=32)
    last_name = models.CharField(_("фамилия"), max_length=150)
    first_name = models.CharField(_("имя"), max_length=150)
    middle_name = models.CharField(_("отчество"), max_length=150, blank=True)
    birth_date = models.DateField(_("дата рождения"))
    email = models.EmailField(_("электронная почта"), blank=True)
    phone = models.CharField(_("телефон"), max_length=16, blank=True)
    # From the employer's payroll export (1С): HR sees them and matches by the personnel
    # number; not medical data.
    personnel_number = models.CharField(_("табельный номер"), max_length=32, blank=True, default="")
    department = models.CharField(_("подразделение"), max_length=150, blank=True, default="")
    # No index of its own: insured_contract_name_idx (Meta) starts with the contract.
    contract = models.ForeignKey(
        Contract,
        on_delete=models.PROTECT,
        related_name="insured_persons",
        db_index=False,
        verbose_name=_("договор"),
    )
    program = models.ForeignKey(
        Program,
        on_delete=models.PROTECT,
        related_name="insured_persons",
        verbose_name=_("программа"),
    )
    starts_on = models.DateField(_("начало действия"))
    ends_on = models.DateField(_("окончание действия"))
    relation = models.CharField(
        _("кем приходится"), max_length=16, choices=Relation.choices, default=Relation.EMPLOYEE
    )
    # Indexed in Meta for the children only (an employee's NULL is never looked up).
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        db_index=False,
        verbose_name=_("родитель (застрахованный)"),
    )
    activation_code_hash = models.CharField(max_length=128, blank=True, editable=False)
    # The register has the passport for some people only (HR lists may carry it); when it does,
    # adding the policy to a cabinet also needs the account's passport to match. The blind index
    # is compared with the account's on the person already found (policies.identity), never
    # searched for: no database index (HR lists carry no passport, so it is empty for most).
    passport = EncryptedCharField(_("паспорт РФ"), blank=True, default="")
    passport_index = models.CharField(max_length=64, blank=True, default="", editable=False)

    class Meta:
        verbose_name = _("застрахованное лицо")
        verbose_name_plural = _("застрахованные лица")
        ordering = ["last_name", "first_name", "middle_name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")), name="insured_ends_after_start"
            ),
            models.CheckConstraint(
                condition=(Q(relation="child") & Q(parent__isnull=False))
                | (Q(relation="employee") & Q(parent__isnull=True)),
                name="insured_child_has_parent",
            ),
            # The name PostgreSQL gave the column's former `unique=True` (KNOWN_CONSTRAINTS in
            # employers.services.applying maps it to its Russian message).
            models.UniqueConstraint(
                fields=["policy_number"], name="policies_insuredperson_policy_number_key"
            ),
        ]
        indexes = [
            models.Index(fields=["last_name", "first_name", "birth_date"]),
            # An HR list without policy numbers is matched by personnel number in the contract.
            models.Index(
                fields=["contract", "personnel_number"],
                condition=~Q(personnel_number=""),
                name="insured_personnel_number_idx",
            ),
            # An HR manager's list: their contracts' people in the list's order, read in order
            # from the index instead of walking the whole register's names (the admin filters by
            # the contracts' ids, see InsuredPersonAdmin.scope_queryset).
            models.Index(
                fields=["contract", "last_name", "first_name", "middle_name", "-id"],
                name="insured_contract_name_idx",
            ),
            # A parent's children (and the check that a parent about to be deleted has none).
            models.Index(
                fields=["parent"], condition=Q(parent__isnull=False), name="insured_parent_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.full_name} ({self.policy_number})"

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.last_name, self.first_name, self.middle_name) if p)

    def is_active_on(self, day: datetime.date) -> bool:
        return self.starts_on <= day <= self.ends_on

    @property
    def initials(self) -> str:
        """«С. А. П.»: all a clinic's reception desk is shown of the name (the verify page)."""
        parts = (self.last_name, self.first_name, self.middle_name)
        return " ".join(f"{p.strip()[0].upper()}." for p in parts if p.strip())

    def set_passport(self, series: str, number: str) -> None:
        """Store the passport encrypted, with the same blind index as User.set_passport."""
        self.passport = f"{series}{number}"
        self.passport_index = blind_index(self.passport)


class Policy(TimeStampedModel):
    """A policy of any product. A DMS or ВЗР policy belongs to an insured person of the register;
    a bought policy (ОСАГО, КАСКО, ...) belongs to the user who bought it."""

    class Product(models.TextChoices):
        DMS = "dms", _("ДМС")
        VZR = "vzr", _("ВЗР / ВПМК")
        OSAGO = "osago", _("ОСАГО")
        KASKO = "kasko", _("КАСКО")
        PROPERTY = "property", _("Страхование имущества")
        ACCIDENT = "accident", _("Страхование от несчастного случая")
        ONCOLOGY = "oncology", _("Онкострахование")

    class Status(models.TextChoices):
        DRAFT = "draft", _("черновик")
        AWAITING_PAYMENT = "awaiting_payment", _("ожидает оплаты")
        ACTIVE = "active", _("действует")
        EXPIRED = "expired", _("истёк")
        CANCELLED = "cancelled", _("аннулирован")

    product = models.CharField(_("продукт"), max_length=16, choices=Product.choices)
    number = models.CharField(_("номер полиса"), max_length=32)
    # Indexed in Meta for bought policies only (the register's have no holder).
    holder = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="policies",
        db_index=False,
        verbose_name=_("владелец"),
    )
    insured_person = models.ForeignKey(
        InsuredPerson,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="policies",
        verbose_name=_("застрахованное лицо"),
    )
    starts_on = models.DateField(_("начало действия"))
    ends_on = models.DateField(_("окончание действия"))
    status = models.CharField(
        _("статус"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    premium = models.DecimalField(
        _("страховая премия, руб."), max_digits=12, decimal_places=2, default=Decimal("0")
    )
    product_data = models.JSONField(_("данные продукта"), default=dict, blank=True)
    tariff_version = models.CharField(_("версия тарифа"), max_length=64, blank=True)
    # The key of the public «is this policy valid today» page (the QR code on the PDF). Made on
    # first need (policy_verify_token_ensure): NULL until then, so that bulk inserts need none.
    # Unique among the policies that have one (Meta): an index of the tokens only, not of every
    # register policy's NULL, and no second index for LIKE prefixes.
    verify_token = models.CharField(
        _("ключ проверки действительности"),
        max_length=64,
        null=True,
        blank=True,
        editable=False,
    )

    class Meta:
        verbose_name = _("полис")
        verbose_name_plural = _("полисы")
        ordering = ["-starts_on", "number"]
        constraints = [
            models.UniqueConstraint(fields=["product", "number"], name="policy_number_per_product"),
            models.UniqueConstraint(
                fields=["verify_token"],
                condition=Q(verify_token__isnull=False),
                name="policy_verify_token_unique",
            ),
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")), name="policy_ends_after_start"
            ),
            models.CheckConstraint(condition=Q(premium__gte=0), name="policy_premium_not_negative"),
            # DMS belongs to an insured person of the register; ВЗР too when issued with a DMS
            # program, or to its buyer (the holder) when bought in the shop; the rest to a buyer.
            models.CheckConstraint(
                condition=(Q(product="dms") & Q(insured_person__isnull=False))
                | (Q(product="vzr") & (Q(insured_person__isnull=False) | Q(holder__isnull=False)))
                | (~Q(product__in=["dms", "vzr"]) & Q(holder__isnull=False)),
                name="policy_owner_matches_product",
            ),
        ]
        indexes = [
            # A buyer's policies (and the check that a user about to be deleted has none).
            models.Index(
                fields=["holder"], condition=Q(holder__isnull=False), name="policy_holder_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_product_display()} № {self.number}"

    @property
    def is_medical(self) -> bool:
        return self.product in (self.Product.DMS, self.Product.VZR)

    @property
    def term_state(self) -> str:
        """«not_started», «active» or «expired» by today's date in Moscow."""
        today = timezone.localdate()
        if today < self.starts_on:
            return "not_started"
        if today > self.ends_on:
            return "expired"
        return "active"

    @property
    def is_register(self) -> bool:
        """Of an insured person of the register (DMS, and the ВЗР/ВПМК issued with it); a bought
        policy, a bought ВЗР too, belongs to its buyer and is printed by the shop."""
        return self.is_medical and self.insured_person_id is not None

    @property
    def has_pdf(self) -> bool:
        """Printed by the portal (policies.pdf): the register's DMS and ВЗР/ВПМК policies, and a
        bought or activated policy once issued (paid; an unpaid one is no policy yet)."""
        if self.is_register:
            return True
        return self.holder_id is not None and self.status in PRINTABLE_STATUSES

    def is_valid_on(self, day: datetime.date) -> bool:
        """In force on the day: issued (not cancelled, not awaiting payment) and within its term."""
        return self.status == self.Status.ACTIVE and self.starts_on <= day <= self.ends_on


PRINTABLE_STATUSES = (Policy.Status.ACTIVE, Policy.Status.EXPIRED)


class PolicyLink(TimeStampedModel):
    """A user may see an insured person's policies (their own, or their child's) since/until."""

    class Relation(models.TextChoices):
        SELF = "self", _("сам застрахованный")
        CHILD = "child", _("ребёнок")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="policy_links",
        verbose_name=_("пользователь"),
    )
    insured_person = models.ForeignKey(
        InsuredPerson,
        on_delete=models.PROTECT,
        related_name="links",
        verbose_name=_("застрахованный"),
    )
    relation = models.CharField(_("кем приходится"), max_length=8, choices=Relation.choices)
    linked_at = models.DateTimeField(_("привязан"), default=timezone.now)
    unlinked_at = models.DateTimeField(_("отвязан"), null=True, blank=True)
    # When the parent was told that a child's link ended at 15 (the e-mail goes out once).
    end_notified_at = models.DateTimeField(_("уведомление об отвязке"), null=True, blank=True)

    class Meta:
        verbose_name = _("привязка полиса")
        verbose_name_plural = _("привязки полисов")
        ordering = ["-linked_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["insured_person"],
                condition=Q(unlinked_at__isnull=True),
                name="policylink_one_active_per_insured",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.insured_person}"


def policy_document_path(instance: "PolicyDocument", filename: str) -> str:
    # Made by the server: the policy's id and the hash of the data rendered, nothing personal.
    return f"policies/{instance.policy_id}/{instance.data_hash[:24]}.pdf"


class StoredPdf(TimeStampedModel):
    """A PDF made from data, in the private storage (policies.pdf.storage keeps it).

    `data_hash` is the hash of the data the file was rendered from; a request compares it with
    the current data and has the PDF made again when they differ."""

    class Status(models.TextChoices):
        PENDING = "pending", _("готовится")
        READY = "ready", _("готов")
        FAILED = "failed", _("ошибка формирования")

    status = models.CharField(
        _("состояние"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    data_hash = models.CharField(_("хеш данных файла"), max_length=64, blank=True)
    requested_hash = models.CharField(_("хеш запрошенных данных"), max_length=64, blank=True)
    # The data hash of a ready file found missing from the storage and queued to be made again:
    # missing a second time for the same data, it is not made a third (the storage is not shared
    # by every instance, or loses files), and the document fails instead.
    lost_hash = models.CharField(
        _("хеш данных пропавшего файла"), max_length=64, blank=True, editable=False
    )
    generated_at = models.DateTimeField(_("сформирован"), null=True, blank=True)
    size = models.PositiveIntegerField(_("размер, байт"), default=0)

    class Meta:
        abstract = True

    def is_current(self, data_hash: str) -> bool:
        return self.status == self.Status.READY and self.data_hash == data_hash


class PolicyDocument(StoredPdf):
    """The printable PDF of a policy (every product), in the private storage."""

    policy = models.OneToOneField(
        Policy, on_delete=models.CASCADE, related_name="document", verbose_name=_("полис")
    )
    file = models.FileField(_("файл"), upload_to=policy_document_path, blank=True, max_length=255)
    render_ms = models.PositiveIntegerField(_("время формирования, мс"), null=True, blank=True)

    class Meta:
        verbose_name = _("PDF полиса")
        verbose_name_plural = _("PDF полисов")
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="ready") | (~Q(file="") & ~Q(data_hash="")),
                name="policydocument_ready_has_file",
            ),
        ]

    def __str__(self) -> str:
        return f"PDF: {self.policy}"


BOXED_PRODUCTS = (Policy.Product.ACCIDENT, Policy.Product.ONCOLOGY, Policy.Product.PROPERTY)


def normalize_activation_code(code: str) -> str:
    """Codes are printed in groups («4827-1593»): spaces, hyphens and case do not matter."""
    return "".join(ch for ch in code.upper() if ch.isalnum())


class BoxedPolicyCard(TimeStampedModel):
    """A boxed policy («коробочный полис»), sold as a card with a number and a scratch-off code.

    It is not a Policy until activated: the Policy is made for the user who activates it (so a
    bought policy always has its holder) and starts after the product's waiting period."""

    number = models.CharField(_("номер полиса"), max_length=32, unique=True)
    product = models.CharField(
        _("продукт"), max_length=16, choices=[(p.value, p.label) for p in BOXED_PRODUCTS]
    )
    title = models.CharField(_("название программы"), max_length=255)
    code_hash = models.CharField(_("код активации (хеш)"), max_length=128, editable=False)
    waiting_days = models.PositiveSmallIntegerField(
        _("период ожидания, дней"),
        default=0,
        help_text=_("Полис вступает в силу через столько дней после активации."),
    )
    term_days = models.PositiveSmallIntegerField(
        _("срок действия, дней"), default=365, validators=[MinValueValidator(1)]
    )
    sum_insured = models.DecimalField(
        _("страховая сумма, руб."), max_digits=12, decimal_places=2, default=Decimal("0")
    )
    premium = models.DecimalField(
        _("страховая премия, руб."), max_digits=12, decimal_places=2, default=Decimal("0")
    )
    activate_by = models.DateField(_("активировать до"), null=True, blank=True)
    activated_at = models.DateTimeField(_("активирован"), null=True, blank=True)
    activated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("кем активирован"),
    )
    policy = models.OneToOneField(
        Policy,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="boxed_card",
        verbose_name=_("полис"),
    )

    class Meta:
        verbose_name = _("коробочный полис")
        verbose_name_plural = _("коробочные полисы")
        ordering = ["number"]
        constraints = [
            models.CheckConstraint(
                condition=Q(product__in=[p.value for p in BOXED_PRODUCTS]),
                name="boxedcard_product_is_boxed",
            ),
            models.CheckConstraint(condition=Q(term_days__gte=1), name="boxedcard_term_min_1"),
            models.CheckConstraint(
                condition=(
                    Q(activated_at__isnull=True)
                    & Q(activated_by__isnull=True)
                    & Q(policy__isnull=True)
                )
                | (
                    Q(activated_at__isnull=False)
                    & Q(activated_by__isnull=False)
                    & Q(policy__isnull=False)
                ),
                name="boxedcard_activation_complete",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} № {self.number}"

    @property
    def is_activated(self) -> bool:
        return self.activated_at is not None

    def set_code(self, raw_code: str) -> None:
        self.code_hash = make_password(normalize_activation_code(raw_code))

    def check_code(self, raw_code: str) -> bool:
        return bool(self.code_hash) and check_password(
            normalize_activation_code(raw_code), self.code_hash
        )


class AssistanceCompany(TimeStampedModel):
    """The assistance company a ВЗР/ВПМК policy names: the insured calls it 24/7 abroad before
    seeking treatment. The administrator keeps it; the first active one is printed."""

    name = models.CharField(_("наименование"), max_length=255)
    name_en = models.CharField(_("наименование по-английски"), max_length=255)
    phone = models.CharField(
        _("телефон 24/7"), max_length=20, help_text=_("В международном формате: +74951234567")
    )
    email = models.EmailField(_("электронная почта"), blank=True)
    is_active = models.BooleanField(_("действует"), default=True)

    class Meta:
        verbose_name = _("ассистанс (сервисная компания ВЗР)")
        verbose_name_plural = _("ассистанс (сервисные компании ВЗР)")
        ordering = ["-is_active", "name"]

    def __str__(self) -> str:
        return self.name


def program_document_path(instance: "ProgramDocument", filename: str) -> str:
    return f"programs/{instance.program_id}/{instance.data_hash[:24]}.pdf"


class ProgramDocument(StoredPdf):
    """A DMS program's PDF made for the people on it: the program itself («program») or its
    network for one kind of care («clinics:<care kind code>»)."""

    program = models.ForeignKey(
        Program, on_delete=models.CASCADE, related_name="documents", verbose_name=_("программа")
    )
    key = models.CharField(_("документ"), max_length=64)
    file = models.FileField(_("файл"), upload_to=program_document_path, blank=True, max_length=255)

    class Meta:
        verbose_name = _("PDF программы")
        verbose_name_plural = _("PDF программ")
        constraints = [
            models.UniqueConstraint(fields=["program", "key"], name="programdocument_one_per_key"),
            models.CheckConstraint(
                condition=~Q(status="ready") | (~Q(file="") & ~Q(data_hash="")),
                name="programdocument_ready_has_file",
            ),
        ]

    def __str__(self) -> str:
        return f"PDF: {self.program} ({self.key})"
