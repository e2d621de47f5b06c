"""An allauth login stage: the phone number must be confirmed by an SMS code before the account
opens (after signup, and at any later login while it is still unconfirmed).

A signup with an e-mail or a passport already registered creates no account (allauth's
enumeration prevention, forms.SignupForm.try_save): its login has no user, only the phone typed.
It walks this same step, with a real code sent to that phone and checked the same way, so that
nothing on the way tells it from a new account."""

import contextlib

from allauth.account.internal.stagekit import stash_login
from allauth.account.stages import LoginStage
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.urls import reverse

from .models import PhoneVerification
from .selectors import pending_phone_verification
from .services import (
    detached_phone_verification,
    detached_phone_verification_confirm,
    detached_phone_verification_start,
    phone_verification_confirm,
    phone_verification_start,
)

PURPOSE = PhoneVerification.Purpose.SIGNUP


class PhoneConfirmStage(LoginStage):
    key = "portal_confirm_phone"
    urlname = "accounts_auth:phone_confirm"

    def handle(self):
        user = self.login.user
        if user is None:
            if not self.login.phone:
                return None, True
        # Staff confirm their logins with TOTP instead; ESIA may bring a confirmed phone.
        elif user.is_staff or user.phone_confirmed_at:
            return None, True
        phone = self.phone
        if phone and not self.state.get("code_sent"):
            # A code sent a moment ago still works; the page offers to send a new one.
            with contextlib.suppress(ValidationError):
                self.code_send(phone)
            self.state["code_sent"] = True
        return HttpResponseRedirect(reverse(self.urlname)), True

    def pending_verification(self) -> PhoneVerification | None:
        if self.login.user is None:
            return detached_phone_verification(self.state)
        return pending_phone_verification(self.login.user, purpose=PURPOSE)

    @property
    def phone(self) -> str:
        pending = self.pending_verification()
        if pending is not None:
            return pending.phone
        return self.login.phone if self.login.user is None else self.login.user.phone

    def code_send(self, phone: str) -> PhoneVerification:
        if self.login.user is not None:
            return phone_verification_start(user=self.login.user, phone=phone, purpose=PURPOSE)
        try:
            return detached_phone_verification_start(state=self.state, phone=phone)
        finally:
            stash_login(self.request, self.login)

    def code_confirm(self, code: str) -> None:
        if self.login.user is not None:
            phone_verification_confirm(user=self.login.user, purpose=PURPOSE, code=code)
            return
        try:
            detached_phone_verification_confirm(state=self.state, code=code)
        finally:
            stash_login(self.request, self.login)
