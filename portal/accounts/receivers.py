"""Hooks into allauth's and Django's signals: each only hands over to a service or stamps the
session (connected in AccountsConfig.ready)."""

import time

from allauth.account import signals as account_signals
from allauth.account.internal.flows.login import record_authentication
from allauth.mfa import signals as mfa_signals
from allauth.mfa.models import Authenticator
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from .middleware import LOGIN_AT_KEY, SEEN_AT_KEY
from .models import AccountEvent
from .services import account_event_record, account_unlock


@receiver(user_logged_in, dispatch_uid="portal.accounts.session_stamp")
def session_stamp(sender, request, user, **kwargs):
    if request is None or not hasattr(request, "session"):
        return
    now = int(time.time())
    request.session[LOGIN_AT_KEY] = now
    request.session[SEEN_AT_KEY] = now


@receiver(account_signals.password_reset, dispatch_uid="portal.accounts.password_reset")
def password_reset_unlocks(sender, request, user, **kwargs):
    # Whoever could read the mailbox may log in again: the reset lifts axes' lockout.
    account_unlock(email=user.email)
    account_event_record(user=user, kind=AccountEvent.Kind.PASSWORD_RESET)


@receiver(account_signals.password_changed, dispatch_uid="portal.accounts.password_changed")
def password_changed_recorded(sender, request, user, **kwargs):
    account_event_record(user=user, kind=AccountEvent.Kind.PASSWORD_CHANGED)


@receiver(account_signals.email_changed, dispatch_uid="portal.accounts.email_changed")
def email_changed_recorded(sender, request, user, **kwargs):
    account_event_record(user=user, kind=AccountEvent.Kind.EMAIL_CHANGED)


@receiver(mfa_signals.authenticator_added, dispatch_uid="portal.accounts.totp_added")
def totp_activation_passes_mfa(sender, request, user, authenticator, **kwargs):
    # Activating TOTP means entering a right code from the app: the session has passed the second
    # factor, and the admin need not ask for another code at once.
    if authenticator.type == Authenticator.Type.TOTP:
        record_authentication(request, user, "mfa", id=authenticator.pk, type=authenticator.type)
