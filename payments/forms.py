from django import forms
from django.utils.translation import gettext_lazy as _

from portal.accounts.forms import PinConfirmForm


class CopayConsentForm(PinConfirmForm):
    agree = forms.BooleanField(
        label=_("Согласен с условиями со-оплатной программы"),
        required=True,
        error_messages={"required": _("Отметьте согласие с условиями программы")},
    )


class CardBindStartForm(PinConfirmForm):
    """Opening the card form (binding or replacing a card) is confirmed by the PIN."""


class CardAttachForm(forms.Form):
    # The provider's SetupIntent id ("seti_…"): the only thing the page posts about the card.
    setup_intent = forms.RegexField(regex=r"^seti_[A-Za-z0-9_]{1,120}$", max_length=128)


class CardRemoveForm(PinConfirmForm):
    pass


class CopayWithdrawForm(PinConfirmForm):
    """Leaving the co-pay program is confirmed by the PIN."""


class PayNowForm(forms.Form):
    # Set by the confirmation page: the first press of «Оплатить сейчас» only shows the amount.
    confirmed = forms.BooleanField(required=False, widget=forms.HiddenInput)
