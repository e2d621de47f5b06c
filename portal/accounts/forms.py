"""Forms of the accounts pages. Field checks raise Russian messages next to their field; the
writes are the services' (SignupForm.save is allauth's hook: it goes through AccountAdapter)."""

from allauth.account import app_settings as account_settings
from allauth.account.app_settings import EmailVerificationMethod
from allauth.account.fields import EmailField
from allauth.account.forms import AddEmailForm as AllauthAddEmailForm
from allauth.account.forms import LoginForm as AllauthLoginForm
from allauth.account.forms import SignupForm as AllauthSignupForm
from allauth.account.internal.flows.email_verification import (
    send_verification_email_to_address,
)
from allauth.account.internal.flows.signup import prevent_enumeration
from allauth.account.models import EmailAddress
from django import forms
from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.core.forms import DateField

from .devices import REMEMBER_SESSION_KEY, device_cookie_read
from .models import IdentifierChangeRequest, User
from .selectors import user_for_passport
from .services import identifier_new_value_clean, pin_confirm, user_register_declined
from .validators import (
    latin_name_clean,
    normalize_mobile_phone,
    normalize_passport_part,
    normalize_person_name,
    validate_birth_date,
    validate_passport_number,
    validate_passport_series,
    validate_person_name,
    validate_pin,
)

DATE_INPUT_FORMAT = "%Y-%m-%d"

EMAIL_MAX_LENGTH = User._meta.get_field("email").max_length


def _numeric_attrs(length: int, autocomplete: str = "off") -> dict:
    return {
        "inputmode": "numeric",
        "pattern": r"[0-9 ]*",
        "maxlength": str(length),
        "autocomplete": autocomplete,
    }


class PinField(forms.CharField):
    """A PIN typed into a masked, digits-only input."""

    def __init__(self, *, autocomplete: str = "off", **kwargs):
        kwargs.setdefault("label", gettext_lazy("PIN-код"))
        kwargs.setdefault("max_length", 6)
        kwargs.setdefault(
            "widget",
            forms.PasswordInput(
                attrs={
                    "inputmode": "numeric",
                    "pattern": "[0-9]*",
                    "maxlength": "6",
                    "autocomplete": autocomplete,
                }
            ),
        )
        super().__init__(**kwargs)


class PersonNameField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 150)
        super().__init__(**kwargs)

    def clean(self, value):
        value = normalize_person_name(value)
        value = super().clean(value)
        if value:
            validate_person_name(value)
        return value


class _PassportPartField(forms.CharField):
    """A part of the RF passport: digits only once spaces are dropped, then its own check."""

    default_label = ""
    width = 0  # the input's size; a few more characters are accepted for spaces
    check_part = staticmethod(lambda value: None)

    def __init__(self, **kwargs):
        kwargs.setdefault("label", self.default_label)
        kwargs.setdefault("max_length", self.width + 3)
        kwargs.setdefault("widget", forms.TextInput(attrs=_numeric_attrs(self.width)))
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(normalize_passport_part(value))
        if value:
            self.check_part(value)
        return value


class PassportSeriesField(_PassportPartField):
    default_label = gettext_lazy("Серия паспорта")
    width = 5
    check_part = staticmethod(validate_passport_series)


class PassportNumberField(_PassportPartField):
    default_label = gettext_lazy("Номер паспорта")
    width = 7
    check_part = staticmethod(validate_passport_number)


class BirthDateField(DateField):
    def __init__(self, **kwargs):
        kwargs.setdefault("label", gettext_lazy("Дата рождения"))
        kwargs.setdefault("input_formats", [DATE_INPUT_FORMAT])
        kwargs.setdefault(
            "widget",
            forms.DateInput(
                attrs={"type": "date", "autocomplete": "bday"}, format=DATE_INPUT_FORMAT
            ),
        )
        kwargs.setdefault(
            "error_messages",
            {"invalid": gettext_lazy("Введите существующую дату в формате ГГГГ-ММ-ДД")},
        )
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        if value:
            validate_birth_date(value)
        return value


class MobilePhoneField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("label", gettext_lazy("Мобильный телефон"))
        kwargs.setdefault("max_length", 32)
        kwargs.setdefault(
            "widget",
            forms.TextInput(
                attrs={
                    "type": "tel",
                    "inputmode": "tel",
                    "autocomplete": "tel",
                    "placeholder": "+7 900 000-00-00",
                }
            ),
        )
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        return normalize_mobile_phone(value) if value else value


class SmsCodeField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("label", gettext_lazy("Код из SMS"))
        kwargs.setdefault("max_length", 8)
        kwargs.setdefault(
            "widget",
            forms.TextInput(
                attrs={
                    "inputmode": "numeric",
                    "pattern": "[0-9]*",
                    "maxlength": "6",
                    "autocomplete": "one-time-code",
                }
            ),
        )
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean((value or "").replace(" ", ""))
        if not (len(value) == 6 and value.isdigit()):
            raise ValidationError(_("Код — 6 цифр из SMS"), code="sms_format")
        return value


def _check_middle_name(form: forms.Form) -> None:
    middle_name = form.cleaned_data.get("middle_name")
    no_middle_name = form.cleaned_data.get("no_middle_name")
    if "middle_name" in form.errors:
        return
    if no_middle_name and middle_name:
        form.add_error("middle_name", _("Уберите отчество или снимите отметку «Нет отчества»"))
    elif not no_middle_name and not middle_name:
        form.add_error("middle_name", _("Укажите отчество или отметьте «Нет отчества»"))


class SignupForm(AllauthSignupForm):
    """allauth's signup form with the person's data (field names are the product's contract:
    SPEC.md). Every check fails with a message at its field, and nothing is saved."""

    field_order = [
        "email",
        "password1",
        "password2",
        "last_name",
        "first_name",
        "middle_name",
        "no_middle_name",
        "birth_date",
        "passport_series",
        "passport_number",
        "phone",
        "pin1",
        "pin2",
        "consent",
    ]

    email = EmailField(max_length=EMAIL_MAX_LENGTH)  # allauth's has no limit: a 500 past 254
    last_name = PersonNameField(
        label=gettext_lazy("Фамилия"),
        widget=forms.TextInput(attrs={"autocomplete": "family-name"}),
    )
    first_name = PersonNameField(
        label=gettext_lazy("Имя"), widget=forms.TextInput(attrs={"autocomplete": "given-name"})
    )
    middle_name = PersonNameField(
        label=gettext_lazy("Отчество"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "additional-name"}),
    )
    no_middle_name = forms.BooleanField(label=gettext_lazy("Нет отчества"), required=False)
    birth_date = BirthDateField()
    passport_series = PassportSeriesField(help_text=gettext_lazy("4 цифры"))
    passport_number = PassportNumberField(help_text=gettext_lazy("6 цифр"))
    phone = MobilePhoneField(
        help_text=gettext_lazy("Пришлём SMS с кодом подтверждения на этот номер")
    )
    pin1 = PinField(
        label=gettext_lazy("PIN-код"),
        min_length=4,
        help_text=gettext_lazy(
            "4–6 цифр: для быстрого входа на своём устройстве и подтверждения действий"
        ),
    )
    pin2 = PinField(label=gettext_lazy("PIN-код ещё раз"))
    consent = forms.BooleanField(
        required=True,
        error_messages={
            "required": gettext_lazy(
                "Без согласия на обработку персональных данных зарегистрироваться нельзя"
            )
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.passport_owner: User | None = None
        self.fields["email"].label = _("Электронная почта")
        self.fields["email"].widget.attrs.update(
            {"autocomplete": "email", "placeholder": "name@example.ru"}
        )
        self.fields["email"].help_text = _("На неё придёт ссылка для подтверждения")
        self.fields["password1"].label = _("Пароль")
        self.fields["password1"].help_text = _(
            "Не короче 8 символов, не только цифры, не похож на имя или e-mail"
        )
        self.fields["password2"].label = _("Пароль ещё раз")
        self.fields["pin1"].min_length = 4
        self.fields["consent"].label = format_html(
            '{} <a href="{}" target="_blank" rel="noopener">{}</a> {}',
            _("Я даю"),
            reverse("accounts_auth:consent_personal_data"),
            _("согласие на обработку персональных данных"),
            _("(версия %(version)s)") % {"version": self.consent_version},
        )

    @property
    def consent_version(self) -> str:
        return settings.CONSENT_PERSONAL_DATA_VERSION

    def clean_pin1(self) -> str:
        pin = self.cleaned_data["pin1"]
        validate_pin(pin)
        return pin

    def try_save(self, request):
        """allauth's enumeration prevention, extended to the passport: with an e-mail or a
        passport already registered nothing is created, yet the answer is a new signup's —
        the same work, the same «check your e-mail» message, the SMS step with a real code to
        the phone typed, then the «check your e-mail» page. The owners are told by e-mail."""
        if not self.account_already_exists:
            return super().try_save(request)
        data = self.cleaned_data
        owner = self.passport_owner
        user_register_declined(
            request=request,
            password=data["password1"],
            pin=data["pin1"],
            # The owner of both the address and the passport gets the address's letter alone.
            passport_owner=owner if owner and owner.email.lower() != data["email"] else None,
        )
        # Where a new signup's link goes: the owner of a known address gets allauth's «account
        # already exists» letter instead, under the same limit and with the same message.
        send_verification_email_to_address(
            request, EmailAddress(user=None, email=data["email"]), signup=True
        )
        return None, prevent_enumeration(request, email=data["email"], phone=data["phone"])

    def save(self, request):
        user = super().save(request)  # AccountAdapter.save_user → services.user_register
        # The e-mail link goes out at once, beside the SMS code: the person may follow it before
        # or after entering the code. Sent the way allauth sends it, so that its own resend at
        # the e-mail step of the login is held back by the same limit.
        address = EmailAddress.objects.filter(user=user, verified=False).first()
        if address is not None:
            send_verification_email_to_address(request, address, signup=True)
        return user

    def clean(self):
        cleaned = super().clean()
        password = cleaned.get("password1")
        if password and "password1" not in self.errors:
            person = User(
                email=cleaned.get("email") or "",
                last_name=cleaned.get("last_name") or "",
                first_name=cleaned.get("first_name") or "",
                middle_name=cleaned.get("middle_name") or "",
            )
            try:
                password_validation.validate_password(password, user=person)
            except ValidationError as error:
                self.add_error("password1", error)
        _check_middle_name(self)
        pin1, pin2 = cleaned.get("pin1"), cleaned.get("pin2")
        if pin1 and pin2 is not None and pin1 != pin2 and "pin1" not in self.errors:
            self.add_error("pin2", _("PIN-коды не совпадают"))
        series, number = cleaned.get("passport_series"), cleaned.get("passport_number")
        self.passport_owner = user_for_passport(series, number) if series and number else None
        if self.passport_owner is not None:
            if account_settings.EMAIL_VERIFICATION == EmailVerificationMethod.MANDATORY:
                # Like a known address (allauth's validate_unique_email): see try_save.
                self.account_already_exists = True
            else:
                # Without the «check your e-mail» page a new signup opens the cabinet, which a
                # signup creating nothing cannot imitate.
                self.add_error(
                    "passport_number",
                    _(
                        "Паспорт с этими серией и номером уже зарегистрирован. Если это ваш "
                        "паспорт, войдите в свою учётную запись или позвоните в поддержку"
                    ),
                )
        return cleaned


class LoginForm(AllauthLoginForm):
    remember_device = forms.BooleanField(
        label=gettext_lazy("Запомнить это устройство и входить по PIN-коду"), required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["login"].label = _("Электронная почта")
        # allauth's login field has no limit: a longer one reached django-axes' 255 characters
        self.fields["login"].max_length = EMAIL_MAX_LENGTH
        self.fields["login"].validators.append(MaxLengthValidator(EMAIL_MAX_LENGTH))
        self.fields["login"].widget.attrs["maxlength"] = str(EMAIL_MAX_LENGTH)
        self.fields["password"].label = _("Пароль")
        self.fields["password"].help_text = ""  # the page has its own «Забыли пароль?» link
        # The «Вход по PIN-коду» button shows only where a device cookie is.
        self.pin_login_available = bool(self.request and device_cookie_read(self.request))

    def login(self, request, redirect_url=None):
        # Read by AccountAdapter.post_login once every stage of the login is through.
        request.session[REMEMBER_SESSION_KEY] = bool(self.cleaned_data.get("remember_device"))
        return super().login(request, redirect_url=redirect_url)


class PinConfirmForm(forms.Form):
    """The base of any form of a sensitive action: the person's PIN, checked by pin_confirm
    (with its limit of wrong tries). Card binding and co-pay consent reuse it."""

    pin = PinField(help_text=gettext_lazy("Подтвердите действие PIN-кодом"))

    def __init__(self, *args, user: User, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_pin(self) -> str:
        pin = self.cleaned_data["pin"]
        pin_confirm(user=self.user, pin=pin)
        return pin


class HealthConsentForm(PinConfirmForm):
    """The separate consent to process health data: its checkbox and the PIN."""

    health_consent = forms.BooleanField(
        label=gettext_lazy(
            "Даю согласие на обработку сведений о состоянии моего здоровья на условиях выше"
        ),
        error_messages={
            "required": gettext_lazy("Отметьте согласие, чтобы видеть диагнозы и услуги")
        },
    )


class HealthConsentWithdrawForm(PinConfirmForm):
    """The withdrawal of the health-data consent, PIN-confirmed; `consent` is the id of the row
    the «Отозвать» button stood by (optional: the person's consent in force is withdrawn)."""

    consent = forms.IntegerField(required=False, widget=forms.HiddenInput)


class EmailChangeForm(AllauthAddEmailForm):
    """allauth's e-mail change (ACCOUNT_CHANGE_EMAIL), confirmed by the PIN."""

    email = EmailField(required=True, max_length=EMAIL_MAX_LENGTH)
    pin = PinField(help_text=gettext_lazy("Подтвердите смену адреса PIN-кодом"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].label = _("Новый адрес")
        self.fields["email"].widget.attrs.update({"autocomplete": "email"})

    def clean_email(self) -> str:
        value = super().clean_email()
        others = User.objects.filter(email__iexact=value).exclude(pk=self.user.pk).exists() or (
            EmailAddress.objects.filter(email__iexact=value).exclude(user=self.user).exists()
        )
        if others:
            raise ValidationError(
                _("Этот адрес уже используется другой учётной записью"), code="email_taken"
            )
        return value

    def clean_pin(self) -> str:
        pin = self.cleaned_data["pin"]
        pin_confirm(user=self.user, pin=pin)
        return pin


class PhoneChangeForm(PinConfirmForm):
    field_order = ["phone", "pin"]
    phone = MobilePhoneField(label=gettext_lazy("Новый номер мобильного телефона"))

    def clean_phone(self) -> str:
        phone = self.cleaned_data["phone"]
        if phone == self.user.phone and self.user.phone_confirmed_at:
            raise ValidationError(_("Это ваш текущий номер"), code="phone_same")
        return phone


class PhoneNumberForm(forms.Form):
    phone = MobilePhoneField()


class SmsCodeForm(forms.Form):
    code = SmsCodeField()


class LatinNameField(forms.CharField):
    def __init__(self, **kwargs):
        # The length is checked by latin_name_clean (its Russian message), not by max_length.
        kwargs.setdefault("max_length", 200)
        kwargs.setdefault(
            "widget",
            forms.TextInput(
                attrs={"autocapitalize": "characters", "autocomplete": "off", "spellcheck": "false"}
            ),
        )
        super().__init__(**kwargs)

    def clean(self, value):
        return latin_name_clean(super().clean(value))


class ProfileForm(PinConfirmForm):
    field_order = [
        "last_name",
        "first_name",
        "middle_name",
        "no_middle_name",
        "birth_date",
        "passport_series",
        "passport_number",
        "last_name_latin",
        "first_name_latin",
        "pin",
    ]
    last_name = PersonNameField(label=gettext_lazy("Фамилия"))
    first_name = PersonNameField(label=gettext_lazy("Имя"))
    middle_name = PersonNameField(label=gettext_lazy("Отчество"), required=False)
    no_middle_name = forms.BooleanField(label=gettext_lazy("Нет отчества"), required=False)
    birth_date = BirthDateField()
    passport_series = PassportSeriesField(required=False)
    passport_number = PassportNumberField(required=False)
    last_name_latin = LatinNameField(
        label=gettext_lazy("Фамилия латиницей, как в загранпаспорте"),
        required=False,
        help_text=gettext_lazy("Для полиса ВЗР/ВПМК. Пусто — транслитерация фамилии"),
    )
    first_name_latin = LatinNameField(
        label=gettext_lazy("Имя латиницей, как в загранпаспорте"),
        required=False,
        help_text=gettext_lazy("Для полиса ВЗР/ВПМК. Пусто — транслитерация имени"),
    )

    def clean(self):
        cleaned = super().clean()
        _check_middle_name(self)
        series, number = cleaned.get("passport_series"), cleaned.get("passport_number")
        if bool(series) != bool(number) and not (
            "passport_series" in self.errors or "passport_number" in self.errors
        ):
            self.add_error(
                "passport_number" if series else "passport_series",
                _("Чтобы сменить паспорт, укажите и серию, и номер"),
            )
        return cleaned


class PinChangeForm(forms.Form):
    password = forms.CharField(
        label=gettext_lazy("Текущий пароль"),
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    pin1 = PinField(label=gettext_lazy("Новый PIN-код"), min_length=4)
    pin2 = PinField(label=gettext_lazy("Новый PIN-код ещё раз"))

    def __init__(self, *args, user: User, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)
        if not user.has_usable_password():
            # An account made through Госуслуги may have no password: its session is the proof.
            del self.fields["password"]

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise ValidationError(_("Неверный пароль"), code="password_wrong")
        return password

    def clean_pin1(self) -> str:
        pin = self.cleaned_data["pin1"]
        validate_pin(pin)
        return pin

    def clean(self):
        cleaned = super().clean()
        pin1, pin2 = cleaned.get("pin1"), cleaned.get("pin2")
        if pin1 and pin2 is not None and pin1 != pin2:
            self.add_error("pin2", _("PIN-коды не совпадают"))
        return cleaned


class AccountDeleteForm(forms.Form):
    password = forms.CharField(
        label=gettext_lazy("Пароль"),
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    pin = PinField()
    confirm = forms.BooleanField(
        label=gettext_lazy("Я понимаю, что учётную запись нельзя будет восстановить"),
        error_messages={"required": gettext_lazy("Подтвердите, что понимаете последствия")},
    )

    def __init__(self, *args, user: User, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)
        if not user.has_usable_password():
            del self.fields["password"]
        if not user.has_pin:
            del self.fields["pin"]

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise ValidationError(_("Неверный пароль"), code="password_wrong")
        return password

    def clean_pin(self) -> str:
        pin = self.cleaned_data["pin"]
        pin_confirm(user=self.user, pin=pin)
        return pin


class PinLoginForm(forms.Form):
    pin = PinField(autocomplete="current-password")


class IdentifierChangeConfirmForm(forms.Form):
    """The person confirms a change written by support: the PIN and the code from the SMS sent
    to the current phone (both checked by the service, which counts wrong tries)."""

    pin = PinField()
    code = SmsCodeField()


class IdentifierChangeRequestAdminForm(forms.ModelForm):
    """The operator's page: whose account, what changes, the new value, on what grounds. The new
    value is checked and normalised here so that a mistake is shown beside the field; the service
    checks again when it writes the request."""

    class Meta:
        model = IdentifierChangeRequest
        fields = ["user", "field", "new_value", "reason"]

    def clean(self):
        cleaned = super().clean()
        user, field = cleaned.get("user"), cleaned.get("field")
        if user is not None and field and cleaned.get("new_value"):
            try:
                cleaned["new_value"] = identifier_new_value_clean(
                    user=user, field=field, value=cleaned["new_value"]
                )
            except ValidationError as error:
                self.add_error("new_value", error)
        return cleaned
