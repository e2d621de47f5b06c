"""The user of the cabinet: an insured person or a staff member; the login is the e-mail."""

import datetime

from django.contrib.auth.hashers import check_password, make_password
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from portal.core.fields import EncryptedCharField, blind_index
from portal.core.translit import latin


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra_fields):
        if not email:
            raise ValueError("Укажите адрес электронной почты")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email: str, password: str | None = None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)

    def get_by_natural_key(self, username):
        return self.get(email__iexact=username)


class User(AbstractUser):
    username = None
    email = models.EmailField(_("электронная почта"), unique=True)
    middle_name = models.CharField(_("отчество"), max_length=150, blank=True)
    no_middle_name = models.BooleanField(_("нет отчества"), default=False)
    # As in the foreign passport, for the ВЗР/ВПМК policy; empty: transliterated from the name
    last_name_latin = models.CharField(_("фамилия латиницей"), max_length=60, blank=True)
    first_name_latin = models.CharField(_("имя латиницей"), max_length=60, blank=True)
    birth_date = models.DateField(_("дата рождения"), null=True, blank=True)
    phone = models.CharField(_("мобильный телефон"), max_length=16, blank=True)
    phone_confirmed_at = models.DateTimeField(_("телефон подтверждён"), null=True, blank=True)
    passport = EncryptedCharField(_("паспорт РФ"), blank=True, default="")
    passport_index = models.CharField(max_length=64, blank=True, default="", editable=False)
    pin_hash = models.CharField(_("PIN-код (хеш)"), max_length=128, blank=True, editable=False)
    # Part of the session hash: a new value ends every session of the user («выйти везде»). Empty
    # keeps Django's own hash, so sessions made before this field existed stay valid.
    session_token = models.CharField(max_length=64, blank=True, default="", editable=False)
    deleted_at = models.DateTimeField(_("учётная запись удалена"), null=True, blank=True)
    # The person asked for a weekly e-mail about staff reads of their data (/profile/access-log/)
    access_log_digest = models.BooleanField(
        _("письмо о доступе сотрудников к данным раз в неделю"), default=False
    )

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()

    class Meta:
        verbose_name = _("пользователь")
        verbose_name_plural = _("пользователи")
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_ci_unique"),
            models.UniqueConstraint(
                fields=["passport_index"],
                condition=~models.Q(passport_index=""),
                name="user_one_account_per_passport",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name or self.email

    @property
    def latin_name(self) -> str:
        """«IVANOV ALEKSEI» as the foreign passport prints it: what the person wrote in
        «Личная информация», else their name transliterated (ICAO)."""
        last = self.last_name_latin or latin(self.last_name or "")
        first = self.first_name_latin or latin(self.first_name or "")
        return f"{last} {first}".strip().upper()

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.last_name, self.first_name, self.middle_name) if p)

    @property
    def short_name(self) -> str:
        initials = "".join(f"{p[0]}." for p in (self.first_name, self.middle_name) if p)
        return f"{self.last_name} {initials}".strip() or self.email

    @property
    def passport_masked(self) -> str:
        if not self.passport:
            return ""
        return (
            f"{self.passport[:2]}** ******{self.passport[-2:]}"
            if len(self.passport) >= 4
            else "****"
        )

    def set_pin(self, raw_pin: str) -> None:
        """Store the PIN hashed, like a password (validate it first: portal.accounts.validators)."""
        self.pin_hash = make_password(raw_pin)

    def check_pin(self, raw_pin: str) -> bool:
        return bool(self.pin_hash) and check_password(raw_pin, self.pin_hash)

    def set_passport(self, series: str, number: str) -> None:
        self.passport = f"{series}{number}"
        self.passport_index = blind_index(self.passport)

    @property
    def has_pin(self) -> bool:
        return bool(self.pin_hash)

    def _get_session_auth_hash(self, secret=None):
        # Django's hash covers the password only; the session token lets a person end every
        # other session without changing the password.
        key_salt = "django.contrib.auth.models.AbstractBaseUser.get_session_auth_hash"
        return salted_hmac(
            key_salt, self.password + self.session_token, secret=secret, algorithm="sha256"
        ).hexdigest()


class Consent(models.Model):
    """A consent the person gave, with the document version and time (152-FZ)."""

    class Document(models.TextChoices):
        PERSONAL_DATA = "personal_data", _("Согласие на обработку персональных данных")
        HEALTH_DATA = "health_data", _("Согласие на обработку сведений о состоянии здоровья")
        COPAY_TERMS = "copay_terms", _("Условия со-оплатной программы")

    class Method(models.TextChoices):
        SIGNUP = "signup", _("при регистрации")
        ESIA = "esia", _("при входе через Госуслуги")
        PIN = "pin", _("в личном кабинете, подтверждено PIN-кодом")
        DEMO = "demo", _("демонстрационные данные")

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="consents")
    document = models.CharField(_("документ"), max_length=32, choices=Document.choices)
    version = models.CharField(_("версия документа"), max_length=32)
    given_at = models.DateTimeField(_("дано"), default=timezone.now)
    withdrawn_at = models.DateTimeField(_("отозвано"), null=True, blank=True)
    # The SHA-256 of the text the person was shown (accounts.consents renders it from the
    # template of the document's version): which words were agreed to, provably.
    text_hash = models.CharField(_("хеш текста"), max_length=64, blank=True, default="")
    method = models.CharField(
        _("как дано"), max_length=16, choices=Method.choices, blank=True, default=""
    )

    class Meta:
        verbose_name = _("согласие")
        verbose_name_plural = _("согласия")
        ordering = ["-given_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "document", "version"],
                condition=models.Q(withdrawn_at__isnull=True),
                name="consent_one_active_per_document_version",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_document_display()} v{self.version}"


class PhoneVerification(models.Model):
    """An SMS code sent to confirm a phone number: kept as a keyed hash, with its expiry and the
    number of wrong tries. Only the latest unconfirmed code of a user and purpose counts."""

    class Purpose(models.TextChoices):
        SIGNUP = "signup", _("подтверждение при регистрации")
        CHANGE = "change", _("смена номера")
        IDENTIFIER = "identifier", _("подтверждение смены данных для входа")

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="phone_verifications")
    purpose = models.CharField(_("назначение"), max_length=16, choices=Purpose.choices)
    phone = models.CharField(_("номер"), max_length=16)
    code_hash = models.CharField(max_length=64, editable=False)
    sent_at = models.DateTimeField(_("отправлен"), default=timezone.now)
    expires_at = models.DateTimeField(_("действует до"))
    attempts = models.PositiveSmallIntegerField(_("неверных попыток"), default=0)
    confirmed_at = models.DateTimeField(_("подтверждён"), null=True, blank=True)

    class Meta:
        verbose_name = _("SMS-код")
        verbose_name_plural = _("SMS-коды")
        ordering = ["-sent_at", "-pk"]
        indexes = [models.Index(fields=["user", "purpose", "-sent_at"])]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} {self.sent_at:%d.%m.%Y %H:%M}"

    def is_expired(self, now: datetime.datetime | None = None) -> bool:
        return (now or timezone.now()) >= self.expires_at


class RememberedDevice(models.Model):
    """A browser where the person may log in with the PIN alone; the cookie holds a random id,
    the database only its hash. Five wrong PINs in a row forget the device."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="remembered_devices")
    device_hash = models.CharField(max_length=64, unique=True, editable=False)
    label = models.CharField(_("устройство"), max_length=120, blank=True)
    created_at = models.DateTimeField(_("запомнено"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("последний вход"), null=True, blank=True)
    failed_attempts = models.PositiveSmallIntegerField(_("неверных PIN подряд"), default=0)

    class Meta:
        verbose_name = _("запомненное устройство")
        verbose_name_plural = _("запомненные устройства")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.label or str(_("устройство"))


class AccountEvent(models.Model):
    """The account's history as the person sees it: what changed and when. Holds names of the
    changed fields, never their values."""

    class Kind(models.TextChoices):
        REGISTERED = "registered", _("регистрация")
        PHONE_CONFIRMED = "phone_confirmed", _("телефон подтверждён")
        PHONE_CHANGED = "phone_changed", _("телефон изменён")
        IDENTIFIER_CHANGE_REQUESTED = (
            "identifier_change_requested",
            _("поддержка подготовила смену данных для входа"),
        )
        IDENTIFIER_CHANGE_CANCELLED = (
            "identifier_change_cancelled",
            _("смена данных для входа отменена"),
        )
        EMAIL_CHANGED = "email_changed", _("электронная почта изменена")
        PASSWORD_CHANGED = "password_changed", _("пароль изменён")
        PASSWORD_RESET = "password_reset", _("пароль восстановлен по e-mail")
        PIN_CHANGED = "pin_changed", _("PIN-код изменён")
        PROFILE_CHANGED = "profile_changed", _("личные данные изменены")
        PROFILE_CHANGE_REFUSED = "profile_change_refused", _("изменение личных данных отклонено")
        DEVICE_REMEMBERED = "device_remembered", _("устройство запомнено для входа по PIN")
        DEVICE_FORGOTTEN = "device_forgotten", _("устройство забыто")
        LOGGED_OUT_EVERYWHERE = "logged_out_everywhere", _("выход на всех устройствах")
        DATA_EXPORTED = "data_exported", _("выгрузка персональных данных")
        UNLOCKED = "unlocked", _("вход разблокирован")
        DELETED = "deleted", _("учётная запись удалена")
        CONSENT_GIVEN = "consent_given", _("согласие дано")
        CONSENT_WITHDRAWN = "consent_withdrawn", _("согласие отозвано")
        CARD_BOUND = "card_bound", _("банковская карта привязана")
        CARD_REMOVED = "card_removed", _("банковская карта отвязана")

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="account_events")
    kind = models.CharField(_("событие"), max_length=32, choices=Kind.choices)
    at = models.DateTimeField(_("когда"), default=timezone.now)
    details = models.JSONField(_("подробности"), default=dict, blank=True)

    class Meta:
        verbose_name = _("событие учётной записи")
        verbose_name_plural = _("история учётной записи")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["user", "-at"])]

    def __str__(self) -> str:
        return f"{self.at:%d.%m.%Y %H:%M} {self.get_kind_display()}"


class IdentifierChangeRequest(models.Model):
    """A change of a login identifier (e-mail, phone) that a person asked support for.

    Staff never edit these fields: an operator writes the request in the admin, and nothing
    changes until the person confirms it in the cabinet with the PIN and an SMS code sent to the
    current phone, or, with the phone lost, by a fresh login through ESIA. One pending request
    per person and field; an unconfirmed one expires."""

    class Field(models.TextChoices):
        EMAIL = "email", _("электронная почта")
        PHONE = "phone", _("мобильный телефон")

    class Status(models.TextChoices):
        PENDING = "pending", _("ждёт подтверждения")
        CONFIRMED = "confirmed", _("подтверждён")
        CANCELLED = "cancelled", _("отменён")
        EXPIRED = "expired", _("истёк срок")

    class Method(models.TextChoices):
        PIN_SMS = "pin_sms", _("PIN-код и код из SMS")
        ESIA = "esia", _("вход через Госуслуги")

    user = models.ForeignKey(
        User,
        on_delete=models.CASCADE,
        related_name="identifier_change_requests",
        verbose_name=_("чья учётная запись (кто попросил)"),
    )
    created_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", verbose_name=_("создал сотрудник")
    )
    field = models.CharField(_("что меняется"), max_length=16, choices=Field.choices)
    old_value = models.CharField(_("было"), max_length=254, blank=True)
    new_value = models.CharField(_("новое значение"), max_length=254)
    reason = models.CharField(
        _("основание"),
        max_length=255,
        blank=True,
        help_text=_("Как человек обратился: номер обращения, звонок на горячую линию"),
    )
    status = models.CharField(
        _("статус"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    created_at = models.DateTimeField(_("создан"), default=timezone.now)
    expires_at = models.DateTimeField(_("действует до"))
    decided_at = models.DateTimeField(_("решено"), null=True, blank=True)
    confirmed_by = models.CharField(
        _("как подтверждён"), max_length=16, choices=Method.choices, blank=True
    )
    cancelled_by = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("кто отменил"),
    )

    class Meta:
        verbose_name = _("запрос на смену данных для входа")
        verbose_name_plural = _("запросы на смену данных для входа")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "field"],
                condition=models.Q(status="pending"),
                name="identifier_change_one_pending_per_field",
            ),
        ]

    def __str__(self) -> str:
        return f"№{self.pk} {self.get_field_display()} ({self.get_status_display()})"

    def is_expired(self, now: datetime.datetime | None = None) -> bool:
        return (now or timezone.now()) >= self.expires_at

    @property
    def is_open(self) -> bool:
        """Pending and within its term: the only state in which it can be confirmed."""
        return self.status == self.Status.PENDING and not self.is_expired()


class NotificationKind(models.TextChoices):
    """The kinds of message a person chooses channels for on /profile/notifications/."""

    VISIT_REMINDER = "visit_reminder", _("напоминания о записи к врачу (за день и за 2 часа)")
    COPAY_CHARGE = "copay_charge", _("списания со-оплаты")
    APPEAL_ANSWERED = "appeal_answered", _("ответ на обращение")
    CLAIM_STATUS = "claim_status", _("изменение статуса убытка")
    GUARANTEE_LETTER = "guarantee_letter", _("выдано гарантийное письмо")


class NotificationPreference(models.Model):
    """Which channels one kind of message comes by; a kind without a row has the defaults
    (e-mail and push, no SMS: portal.accounts.notifications.DEFAULT_CHANNELS)."""

    user = models.ForeignKey(
        User,
        verbose_name=_("пользователь"),
        on_delete=models.CASCADE,
        related_name="notification_preferences",
    )
    kind = models.CharField(_("вид сообщения"), max_length=24, choices=NotificationKind.choices)
    push = models.BooleanField(_("push"), default=True)
    sms = models.BooleanField(_("SMS"), default=False)
    email = models.BooleanField(_("e-mail"), default=True)
    updated_at = models.DateTimeField(_("изменено"), auto_now=True)

    class Meta:
        verbose_name = _("настройка уведомлений")
        verbose_name_plural = _("настройки уведомлений")
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="notification_preference_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.kind}"


class PushSubscription(models.Model):
    """Where pushes of a person go: a browser's Web Push subscription (its push service's
    endpoint and keys) or a store app's FCM registration token."""

    class Kind(models.TextChoices):
        WEB = "web", _("Web Push (браузер)")
        FCM = "fcm", _("FCM (мобильное приложение)")

    user = models.ForeignKey(
        User,
        verbose_name=_("пользователь"),
        on_delete=models.CASCADE,
        related_name="push_subscriptions",
    )
    kind = models.CharField(_("вид"), max_length=8, choices=Kind.choices, default=Kind.WEB)
    # Web Push: the push service's URL; FCM: the registration token.
    endpoint = models.CharField(_("адрес или токен"), max_length=1024)
    p256dh = models.CharField(_("ключ p256dh"), max_length=128, blank=True)
    auth = models.CharField(_("секрет auth"), max_length=64, blank=True)
    label = models.CharField(_("устройство"), max_length=120, blank=True)
    created_at = models.DateTimeField(_("подключено"), auto_now_add=True)
    last_sent_at = models.DateTimeField(_("последняя отправка"), null=True, blank=True)

    class Meta:
        verbose_name = _("подписка на push")
        verbose_name_plural = _("подписки на push")
        constraints = [
            models.UniqueConstraint(fields=["kind", "endpoint"], name="push_subscription_unique")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.label or self.pk}"
