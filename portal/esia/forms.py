"""The last step of a first ESIA login: ESIA gave the name, birth date, passport and phone; the
person gives only an e-mail and a PIN (settings.SOCIALACCOUNT_FORMS["signup"])."""

from __future__ import annotations

import phonenumbers
from allauth.account.fields import EmailField
from allauth.account.models import EmailAddress
from allauth.socialaccount.adapter import get_adapter
from allauth.socialaccount.forms import SignupForm
from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from portal.accounts.forms import EMAIL_MAX_LENGTH
from portal.accounts.validators import validate_pin


def _pin_widget() -> forms.PasswordInput:
    return forms.PasswordInput(
        attrs={
            "inputmode": "numeric",
            "pattern": "[0-9]*",
            "maxlength": "6",
            "autocomplete": "off",
        }
    )


class EsiaSignupForm(SignupForm):
    email = EmailField(max_length=EMAIL_MAX_LENGTH)  # allauth's has no limit: a 500 past 254
    pin1 = forms.CharField(
        label=_("PIN-код"),
        widget=_pin_widget(),
        help_text=_("4–6 цифр: для быстрого входа в кабинет с телефона"),
        strip=True,
    )
    pin2 = forms.CharField(label=_("PIN-код ещё раз"), widget=_pin_widget(), strip=True)

    field_order = ["email", "pin1", "pin2"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["email"].label = _("Электронная почта")
        self.fields["email"].help_text = _(
            "Адрес из Госуслуг, если он там есть. Другой адрес нужно будет подтвердить по ссылке "
            "из письма."
        )
        self.fields["email"].widget.attrs.pop("placeholder", None)
        self.fields["email"].widget.attrs["autocomplete"] = "email"
        self.order_fields(self.field_order)

    @property
    def person(self):
        """The account as ESIA filled it, not yet saved (shown on the page for checking)."""
        return self.sociallogin.user

    @property
    def phone_display(self) -> str:
        if not self.person.phone:
            return ""
        number = phonenumbers.parse(self.person.phone, "RU")
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)

    @property
    def consent_version(self) -> str:
        return settings.CONSENT_PERSONAL_DATA_VERSION

    @property
    def passport_taken(self) -> bool:
        index = getattr(self.person, "passport_index", "")
        return bool(index) and get_user_model().objects.filter(passport_index=index).exists()

    def validate_unique_email(self, value: str) -> str:
        # ESIA has identified the person, so the page says plainly that the address is taken,
        # and the existing account is left alone: no takeover by e-mail.
        taken = (
            get_user_model().objects.filter(email__iexact=value).exists()
            or EmailAddress.objects.filter(email__iexact=value).exists()
        )
        if taken:
            raise get_adapter().validation_error("email_taken", self.sociallogin.provider.name)
        return value

    def clean_pin1(self) -> str:
        pin = self.cleaned_data["pin1"]
        validate_pin(pin)
        return pin

    def clean(self) -> dict:
        cleaned_data = super().clean()
        pin1, pin2 = cleaned_data.get("pin1"), cleaned_data.get("pin2")
        if pin1 and pin2 and pin1 != pin2:
            self.add_error("pin2", _("PIN-коды не совпадают"))
        if self.passport_taken:
            raise ValidationError(
                _(
                    "Кабинет с паспортом из ваших Госуслуг уже зарегистрирован. Войдите в него "
                    "по электронной почте и паролю и привяжите Госуслуги в разделе «Личная "
                    "информация». Если это не ваш кабинет, позвоните нам: %(phone)s."
                ),
                code="passport_taken",
                params={"phone": settings.HOTLINE_PHONE_DISPLAY},
            )
        return cleaned_data
