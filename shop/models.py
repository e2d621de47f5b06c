"""Buying policies online: the ОСАГО coefficient tables (data, each row with the act it comes
from), quotes, purchases and special offers.

A new Bank of Russia directive is a data change: add rows with the new act and valid_from, and
close the old rows with valid_to. The calculation (shop.osago) reads the rows in force on the
policy's start date.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from policies.models import Policy
from portal.core.formatting import money
from portal.core.models import TimeStampedModel

COEFFICIENT = {"max_digits": 6, "decimal_places": 2}


class TariffRow(models.Model):
    """What every coefficient row carries: its legal source and when it applies."""

    act = models.CharField(_("нормативный акт"), max_length=200)
    act_date = models.DateField(_("дата акта"))
    valid_from = models.DateField(_("действует с"))
    valid_to = models.DateField(_("действует по"), null=True, blank=True)

    class Meta:
        abstract = True

    @classmethod
    def in_force(cls, day):
        return cls.objects.filter(
            Q(valid_to__isnull=True) | Q(valid_to__gte=day), valid_from__lte=day
        )


class OsagoTariffRow(TariffRow):
    """An ОСАГО coefficient row: where in the act it stands, and whether its value has been
    checked against the act's official text (a value taken from secondary sources says so)."""

    annex = models.CharField(_("место в акте"), max_length=200, blank=True)
    confirmed = models.BooleanField(_("сверено с официальным текстом акта"), default=False)
    note = models.TextField(_("источник значения, примечание"), blank=True)

    class Meta:
        abstract = True


class Purpose(models.TextChoices):
    """Цель использования транспортного средства (the ones sold online)."""

    PERSONAL = "personal", _("личная")
    TAXI = "taxi", _("такси")
    TRAINING = "training", _("учебная езда")
    OTHER = "other", _("прочее")


class TariffVersion(models.Model):
    code = models.CharField(_("код"), max_length=64, unique=True)
    title = models.CharField(_("название"), max_length=200)
    valid_from = models.DateField(_("действует с"))
    notes = models.TextField(_("примечания"), blank=True)

    class Meta:
        verbose_name = _("версия тарифа")
        verbose_name_plural = _("версии тарифа")
        ordering = ["-valid_from"]

    def __str__(self) -> str:
        return self.code


class Region(models.Model):
    """A federal subject, by its traffic-police region code («36» — Воронежская область)."""

    code = models.CharField(_("код"), max_length=8, unique=True)
    name = models.CharField(_("субъект РФ"), max_length=120)

    class Meta:
        verbose_name = _("субъект РФ")
        verbose_name_plural = _("субъекты РФ")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class BaseRate(OsagoTariffRow):
    """ТБ: the insurer's own base rate, inside the Bank of Russia's corridor for the category and
    the purpose of use (a taxi has its own). A row without a region applies in every region
    that has no row of its own."""

    category = models.CharField(_("категория ТС"), max_length=8, default="B")
    purpose = models.CharField(
        _("цель использования"), max_length=16, choices=Purpose.choices, default=Purpose.PERSONAL
    )
    region = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        verbose_name=_("регион"),
        help_text=_("Пусто — во всех регионах, где нет своей ставки."),
    )
    corridor_min = models.DecimalField(_("коридор: минимум, руб."), max_digits=10, decimal_places=2)
    corridor_max = models.DecimalField(
        _("коридор: максимум, руб."), max_digits=10, decimal_places=2
    )
    value = models.DecimalField(_("ТБ, руб."), max_digits=10, decimal_places=2)

    class Meta:
        verbose_name = _("ТБ — базовая ставка")
        verbose_name_plural = _("ТБ — базовые ставки")
        constraints = [
            models.CheckConstraint(
                condition=Q(value__gte=F("corridor_min")) & Q(value__lte=F("corridor_max")),
                name="shop_base_rate_inside_corridor",
            )
        ]

    def __str__(self) -> str:
        return f"ТБ {self.category} {self.get_purpose_display()} {self.region or '*'}: {self.value}"


class TerritoryCoefficient(OsagoTariffRow):
    """КТ, by the owner's registration: a town the act names, or (town empty) «прочие города и
    населённые пункты» of the federal subject."""

    region = models.ForeignKey(Region, on_delete=models.PROTECT, verbose_name=_("субъект РФ"))
    town = models.CharField(
        _("город"),
        max_length=120,
        blank=True,
        help_text=_("Пусто — прочие города и населённые пункты субъекта."),
    )
    value = models.DecimalField(_("КТ"), **COEFFICIENT)

    class Meta:
        verbose_name = _("КТ — территория")
        verbose_name_plural = _("КТ — территория")
        ordering = ["region__name", "town"]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "town", "valid_from"], name="shop_territory_unique_per_version"
            )
        ]

    def __str__(self) -> str:
        return f"КТ {self.region}, {self.town or _('прочие')}: {self.value}"


class BonusMalusClass(OsagoTariffRow):
    """КБМ by class (M, 0 … 13); class 3 is the starting one."""

    code = models.CharField(_("класс"), max_length=4)
    position = models.PositiveSmallIntegerField(_("порядок"), default=0)
    value = models.DecimalField(_("КБМ"), **COEFFICIENT)

    class Meta:
        verbose_name = _("КБМ — класс")
        verbose_name_plural = _("КБМ — классы")
        ordering = ["position"]

    def __str__(self) -> str:
        return f"КБМ {self.code}: {self.value}"


class AgeExperienceCoefficient(OsagoTariffRow):
    """КВС: ages and years of experience as inclusive ranges (no upper bound when empty)."""

    age_from = models.PositiveSmallIntegerField(_("возраст от"))
    age_to = models.PositiveSmallIntegerField(_("возраст до"), null=True, blank=True)
    experience_from = models.PositiveSmallIntegerField(_("стаж от, лет"))
    experience_to = models.PositiveSmallIntegerField(_("стаж до, лет"), null=True, blank=True)
    value = models.DecimalField(_("КВС"), **COEFFICIENT)

    class Meta:
        verbose_name = _("КВС — возраст и стаж")
        verbose_name_plural = _("КВС — возраст и стаж")
        ordering = ["age_from", "experience_from"]

    def __str__(self) -> str:
        return f"КВС {self.age_from}+/{self.experience_from}+: {self.value}"


class DriversCoefficient(OsagoTariffRow):
    """КО: unlimited drivers or a list of drivers."""

    unlimited = models.BooleanField(_("без ограничения числа водителей"))
    value = models.DecimalField(_("КО"), **COEFFICIENT)

    class Meta:
        verbose_name = _("КО — число водителей")
        verbose_name_plural = _("КО — число водителей")

    def __str__(self) -> str:
        return f"КО {'неогр.' if self.unlimited else 'список'}: {self.value}"


class PowerCoefficient(OsagoTariffRow):
    """КМ: power above power_above up to power_to (inclusive) horse-power."""

    power_above = models.PositiveSmallIntegerField(_("мощность свыше, л. с."), default=0)
    power_to = models.PositiveSmallIntegerField(_("мощность до, л. с."), null=True, blank=True)
    value = models.DecimalField(_("КМ"), **COEFFICIENT)

    class Meta:
        verbose_name = _("КМ — мощность")
        verbose_name_plural = _("КМ — мощность")
        ordering = ["power_above"]

    def __str__(self) -> str:
        return f"КМ >{self.power_above}: {self.value}"


class SeasonCoefficient(OsagoTariffRow):
    """КС: months of use in the year (the row with the most months ≤ the period applies)."""

    months = models.PositiveSmallIntegerField(_("месяцев использования"))
    value = models.DecimalField(_("КС"), **COEFFICIENT)

    class Meta:
        verbose_name = _("КС — период использования")
        verbose_name_plural = _("КС — период использования")
        ordering = ["months"]

    def __str__(self) -> str:
        return f"КС {self.months}: {self.value}"


class ViolationsCoefficient(OsagoTariffRow):
    """КН: 1.5 when the owner or a driver committed a violation listed in art. 9(3) of 40-ФЗ
    (given a licence to drive under the influence, left the scene, …), otherwise 1."""

    violations = models.BooleanField(_("грубые нарушения условий страхования"))
    value = models.DecimalField(_("КН"), **COEFFICIENT)

    class Meta:
        verbose_name = _("КН — грубые нарушения")
        verbose_name_plural = _("КН — грубые нарушения")

    def __str__(self) -> str:
        return f"КН {'есть' if self.violations else 'нет'}: {self.value}"


class TrailerCoefficient(OsagoTariffRow):
    """КПр: driving with a trailer, by the vehicle's category and whether its owner is a legal
    entity; without a trailer the coefficient is 1."""

    category = models.CharField(_("категория ТС"), max_length=8)
    legal_entity = models.BooleanField(_("собственник — юридическое лицо"), default=False)
    value = models.DecimalField(_("КПр"), **COEFFICIENT)

    class Meta:
        verbose_name = _("КПр — прицеп")
        verbose_name_plural = _("КПр — прицеп")

    def __str__(self) -> str:
        return f"КПр {self.category}{' юрлицо' if self.legal_entity else ''}: {self.value}"


class Quote(models.Model):
    """A price shown, with its inputs, breakdown and tariff version: the price shown is charged."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="quotes"
    )
    product = models.CharField(_("продукт"), max_length=16, choices=Policy.Product.choices)
    inputs = models.JSONField(_("исходные данные"), default=dict)
    breakdown = models.JSONField(_("расчёт"), default=dict)
    premium = models.DecimalField(_("премия, руб."), max_digits=12, decimal_places=2)
    tariff_version = models.ForeignKey(
        TariffVersion, on_delete=models.PROTECT, verbose_name=_("версия тарифа")
    )
    created_at = models.DateTimeField(_("создан"), auto_now_add=True)
    expires_at = models.DateTimeField(_("действует до"))

    class Meta:
        verbose_name = _("расчёт")
        verbose_name_plural = _("расчёты")
        constraints = [
            models.CheckConstraint(condition=Q(premium__gt=0), name="shop_quote_premium_positive")
        ]

    def __str__(self) -> str:
        return f"{self.get_product_display()}: {money(self.premium)}"


class Purchase(TimeStampedModel):
    class Status(models.TextChoices):
        CREATED = "created", _("создана")
        AWAITING_PAYMENT = "awaiting_payment", _("ожидает оплаты")
        PAID = "paid", _("оплачена")
        CANCELLED = "cancelled", _("отменена")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="purchases"
    )
    quote = models.OneToOneField(Quote, on_delete=models.PROTECT, verbose_name=_("расчёт"))
    # One policy per purchase, issued once: the policy is made unpaid at the start and switched
    # to active by purchase_complete under a row lock.
    policy = models.OneToOneField(
        Policy, on_delete=models.PROTECT, related_name="purchase", verbose_name=_("полис")
    )
    status = models.CharField(
        _("статус"), max_length=20, choices=Status.choices, default=Status.CREATED
    )
    provider_customer_id = models.CharField(max_length=64, blank=True)
    provider_payment_id = models.CharField(_("платёж у провайдера"), max_length=64, blank=True)
    paid_at = models.DateTimeField(_("оплачена"), null=True, blank=True)
    amount = models.DecimalField(_("сумма, руб."), max_digits=12, decimal_places=2)
    rules_version = models.CharField(_("версия правил страхования"), max_length=32)
    rules_accepted_at = models.DateTimeField(_("согласие с правилами"))

    class Meta:
        verbose_name = _("покупка")
        verbose_name_plural = _("покупки")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider_payment_id"],
                condition=~Q(provider_payment_id=""),
                name="shop_purchase_payment_once",
            ),
            models.CheckConstraint(
                condition=~Q(status="paid") | Q(paid_at__isnull=False),
                name="shop_purchase_paid_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.policy.number} ({self.get_status_display()})"

    @property
    def payable(self) -> bool:
        return self.status in (self.Status.CREATED, self.Status.AWAITING_PAYMENT)


class Offer(models.Model):
    class Audience(models.TextChoices):
        ALL = "all", _("все")
        DMS_HOLDERS = "dms_holders", _("держатели полиса ДМС")
        WITHOUT_PRODUCT = "without_product", _("те, у кого нет продукта")

    title = models.CharField(_("заголовок"), max_length=200)
    text = models.TextField(_("текст"))
    image = models.ImageField(_("изображение"), upload_to="offers/", blank=True)
    product = models.CharField(_("продукт"), max_length=16, choices=Policy.Product.choices)
    starts_on = models.DateField(_("показывать с"))
    ends_on = models.DateField(_("показывать по"))
    audience = models.CharField(
        _("кому"), max_length=20, choices=Audience.choices, default=Audience.ALL
    )
    audience_product = models.CharField(
        _("нет продукта"),
        max_length=16,
        choices=Policy.Product.choices,
        blank=True,
        help_text=_("Для аудитории «те, у кого нет продукта»."),
    )
    is_published = models.BooleanField(_("опубликовано"), default=True)

    class Meta:
        verbose_name = _("специальное предложение")
        verbose_name_plural = _("специальные предложения")
        ordering = ["-starts_on", "title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")), name="shop_offer_ends_after_start"
            ),
            models.CheckConstraint(
                condition=~Q(audience="without_product") | ~Q(audience_product=""),
                name="shop_offer_without_product_named",
            ),
        ]

    def __str__(self) -> str:
        return self.title


# --- Accident and oncology ---------------------------------------------------------------------

PERSONAL_PRODUCTS = [
    (Policy.Product.ACCIDENT, Policy.Product.ACCIDENT.label),
    (Policy.Product.ONCOLOGY, Policy.Product.ONCOLOGY.label),
]


class PersonalRate(TariffRow):
    """The insurer's yearly rate, roubles per 1 000 of the sum insured, by the insured's age."""

    product = models.CharField(_("продукт"), max_length=16, choices=PERSONAL_PRODUCTS)
    age_from = models.PositiveSmallIntegerField(_("возраст от"))
    age_to = models.PositiveSmallIntegerField(_("возраст до"))
    rate_per_mille = models.DecimalField(
        _("руб. на 1 000 руб. суммы в год"), max_digits=8, decimal_places=3
    )

    class Meta:
        verbose_name = _("НС/онко — тариф по возрасту")
        verbose_name_plural = _("НС/онко — тарифы по возрасту")
        ordering = ["product", "age_from"]

    def __str__(self) -> str:
        return f"{self.product} {self.age_from}–{self.age_to}: {self.rate_per_mille}"


class PersonalOption(TariffRow):
    product = models.CharField(_("продукт"), max_length=16, choices=PERSONAL_PRODUCTS)
    code = models.CharField(_("код"), max_length=32)
    name = models.CharField(_("название"), max_length=200)
    value = models.DecimalField(_("коэффициент"), **COEFFICIENT)

    class Meta:
        verbose_name = _("НС/онко — опция")
        verbose_name_plural = _("НС/онко — опции")
        ordering = ["product", "code"]

    def __str__(self) -> str:
        return f"{self.name}: {self.value}"


# --- Property ----------------------------------------------------------------------------------


class PropertyRate(TariffRow):
    """The insurer's yearly rate, percent of each sum insured, by the kind of property."""

    class Kind(models.TextChoices):
        APARTMENT = "apartment", _("квартира")
        HOUSE = "house", _("дом")

    class Component(models.TextChoices):
        STRUCTURE = "structure", _("конструктив")
        FINISH = "finish", _("отделка и инженерное оборудование")
        BELONGINGS = "belongings", _("движимое имущество")

    kind = models.CharField(_("объект"), max_length=16, choices=Kind.choices)
    component = models.CharField(_("что страхуется"), max_length=16, choices=Component.choices)
    rate_percent = models.DecimalField(_("тариф, % в год"), max_digits=6, decimal_places=3)

    class Meta:
        verbose_name = _("имущество — тариф")
        verbose_name_plural = _("имущество — тарифы")
        ordering = ["kind", "component"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}, {self.get_component_display()}: {self.rate_percent} %"


# --- КАСКО -------------------------------------------------------------------------------------


class KaskoRate(TariffRow):
    """The insurer's yearly rate, percent of the car's price, by the car's age in years."""

    car_age_from = models.PositiveSmallIntegerField(_("возраст ТС от, лет"))
    car_age_to = models.PositiveSmallIntegerField(_("возраст ТС до, лет"))
    rate_percent = models.DecimalField(_("тариф, % в год"), max_digits=6, decimal_places=3)

    class Meta:
        verbose_name = _("КАСКО — тариф")
        verbose_name_plural = _("КАСКО — тарифы")
        ordering = ["car_age_from"]

    def __str__(self) -> str:
        return f"{self.car_age_from}–{self.car_age_to} лет: {self.rate_percent} %"


class KaskoDeductible(TariffRow):
    amount = models.PositiveIntegerField(_("франшиза, руб."))
    value = models.DecimalField(_("коэффициент"), **COEFFICIENT)

    class Meta:
        verbose_name = _("КАСКО — франшиза")
        verbose_name_plural = _("КАСКО — франшизы")
        ordering = ["amount"]

    def __str__(self) -> str:
        return f"{money(self.amount)}: {self.value}"


class KaskoDriverCoefficient(TariffRow):
    """By the youngest driver's age and the least experience among the drivers."""

    age_from = models.PositiveSmallIntegerField(_("возраст от"))
    age_to = models.PositiveSmallIntegerField(_("возраст до"))
    experience_from = models.PositiveSmallIntegerField(_("стаж от, лет"))
    experience_to = models.PositiveSmallIntegerField(_("стаж до, лет"))
    value = models.DecimalField(_("коэффициент"), **COEFFICIENT)

    class Meta:
        verbose_name = _("КАСКО — возраст и стаж")
        verbose_name_plural = _("КАСКО — возраст и стаж")
        ordering = ["age_from", "experience_from"]

    def __str__(self) -> str:
        return f"{self.age_from}+/{self.experience_from}+: {self.value}"


# --- Travel (ВЗР) ------------------------------------------------------------------------------


class Country(models.Model):
    """A destination of a trip; a Schengen country asks for a sum insured of 30 000 EUR at least
    (the Schengen Borders Code's visa rules)."""

    code = models.CharField(_("код ISO 3166"), max_length=2, unique=True)
    name = models.CharField(_("название"), max_length=80)
    name_en = models.CharField(_("название по-английски"), max_length=80, blank=True)
    schengen = models.BooleanField(_("Шенгенская зона"), default=False)
    is_active = models.BooleanField(_("доступна для выбора"), default=True)

    class Meta:
        verbose_name = _("ВЗР — страна")
        verbose_name_plural = _("ВЗР — страны")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class CurrencyRate(models.Model):
    """Roubles for one unit of the currency from the day on (the Bank of Russia's official rate);
    a quote takes the latest rate on or before its day."""

    currency = models.CharField(_("валюта"), max_length=3, default="EUR")
    day = models.DateField(_("дата"))
    rate = models.DecimalField(_("курс, руб. за единицу"), max_digits=10, decimal_places=4)
    source = models.CharField(_("источник"), max_length=200, default="Банк России")

    class Meta:
        verbose_name = _("курс валюты")
        verbose_name_plural = _("курсы валют")
        ordering = ["currency", "-day"]
        constraints = [
            models.UniqueConstraint(fields=["currency", "day"], name="shop_currency_rate_per_day"),
            models.CheckConstraint(condition=Q(rate__gt=0), name="shop_currency_rate_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.currency} {self.day:%d.%m.%Y}: {money(self.rate)}"


class TravelRate(TariffRow):
    """The insurer's daily rate per traveller, in EUR, by the sum insured (EUR)."""

    sum_insured = models.PositiveIntegerField(_("страховая сумма, EUR"))
    daily_rate = models.DecimalField(_("тариф в день, EUR"), max_digits=8, decimal_places=3)

    class Meta:
        verbose_name = _("ВЗР — тариф в день")
        verbose_name_plural = _("ВЗР — тарифы в день")
        ordering = ["sum_insured"]

    def __str__(self) -> str:
        return f"{self.sum_insured} EUR: {self.daily_rate} EUR/день"


class TravelAgeCoefficient(TariffRow):
    age_from = models.PositiveSmallIntegerField(_("возраст от"))
    age_to = models.PositiveSmallIntegerField(_("возраст до"))
    value = models.DecimalField(_("коэффициент"), **COEFFICIENT)

    class Meta:
        verbose_name = _("ВЗР — коэффициент возраста")
        verbose_name_plural = _("ВЗР — коэффициенты возраста")
        ordering = ["age_from"]

    def __str__(self) -> str:
        return f"{self.age_from}–{self.age_to}: {self.value}"


class TravelSportOption(TariffRow):
    code = models.CharField(_("код"), max_length=32)
    name = models.CharField(_("название"), max_length=200)
    value = models.DecimalField(_("коэффициент"), **COEFFICIENT)

    class Meta:
        verbose_name = _("ВЗР — спорт и активный отдых")
        verbose_name_plural = _("ВЗР — спорт и активный отдых")
        ordering = ["value", "code"]

    def __str__(self) -> str:
        return f"{self.name}: {self.value}"
