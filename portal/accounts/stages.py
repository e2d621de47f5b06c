"""An allauth login stage: the phone number must be confirmed by an SMS code before the account
opens (after signup, and at any later login while it is still unconfirmed)."""

import contextlib

from allauth.account.stages import LoginStage
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.urls import reverse

from .models import PhoneVerification
from .services import phone_verification_start


class PhoneConfirmStage(LoginStage):
    key = "portal_confirm_phone"
    urlname = "accounts_auth:phone_confirm"

    def handle(self):
        user = self.login.user
        # Staff confirm their logins with TOTP instead; ESIA may bring a confirmed phone.
        if user is None or user.is_staff or user.phone_confirmed_at:
            return None, True
        if user.phone and not self.state.get("code_sent"):
            # A code sent a moment ago still works; the page offers to send a new one.
            with contextlib.suppress(ValidationError):
                phone_verification_start(
                    user=user, phone=user.phone, purpose=PhoneVerification.Purpose.SIGNUP
                )
            self.state["code_sent"] = True
        return HttpResponseRedirect(reverse(self.urlname)), True
