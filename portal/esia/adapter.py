"""The social account adapter (SOCIALACCOUNT_ADAPTER): how an ESIA login becomes an account.

- A new ESIA person always sees the signup step (e-mail and PIN); the rest of the account (name,
  birth date, passport, phone) is filled from ESIA.
- An ESIA login never takes over an existing account by e-mail (SOCIALACCOUNT_EMAIL_AUTHENTICATION
  is off); linking ESIA to an existing account is the connect flow, from the profile.
- The pending signup is kept in the session between ESIA's answer and the form: the passport in
  it is encrypted like in the database.
- The ESIA app (client_id) comes from settings.ESIA_CLIENT_ID; no database row is needed.
"""

from __future__ import annotations

import logging

from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.models import SocialApp
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .services import esia_signup_record

logger = logging.getLogger(__name__)

PASSPORT_FIELD = "passport"


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    error_messages = {
        **DefaultSocialAccountAdapter.error_messages,
        "email_taken": _(
            "Учётная запись с этим адресом электронной почты уже есть. Войдите в неё "
            "(по почте и паролю) и привяжите %s в разделе «Личная информация» — или укажите "
            "другой адрес."
        ),
    }

    def is_auto_signup_allowed(self, request: HttpRequest, sociallogin) -> bool:
        # ESIA gives no PIN and its e-mail may be someone else's account: always ask.
        return False

    def populate_user(self, request: HttpRequest, sociallogin, data):
        user = super().populate_user(request, sociallogin, data)
        if sociallogin.provider.id != "esia":
            return user
        user.middle_name = data.get("middle_name") or ""
        user.no_middle_name = not user.middle_name
        user.birth_date = data.get("birth_date")
        user.phone = data.get("mobile") or ""
        user.phone_confirmed_at = (
            timezone.now() if user.phone and data.get("mobile_verified") else None
        )
        if data.get("passport_series") and data.get("passport_number"):
            user.set_passport(data["passport_series"], data["passport_number"])
        return user

    @transaction.atomic
    def save_user(self, request: HttpRequest, sociallogin, form=None):
        user = sociallogin.user
        if form is not None:
            user.set_pin(form.cleaned_data["pin1"])
            # One address: the one the person gave. ESIA's stays only if it is that one (and then
            # it is confirmed when ESIA has confirmed it).
            chosen = form.cleaned_data["email"].lower()
            sociallogin.email_addresses = [
                a for a in sociallogin.email_addresses if a.email.lower() == chosen
            ]
        user = super().save_user(request, sociallogin, form)
        if form is not None:
            esia_signup_record(user=user)
        return user

    def serialize_instance(self, instance):
        data = super().serialize_instance(instance)
        if isinstance(instance, get_user_model()) and data.get(PASSPORT_FIELD):
            # allauth's "_db_" prefix: stored as the database value, read back with from_db_value
            field = instance._meta.get_field(PASSPORT_FIELD)
            data["_db_" + PASSPORT_FIELD] = field.get_prep_value(data.pop(PASSPORT_FIELD))
        return data

    def list_apps(self, request: HttpRequest, provider=None, client_id=None) -> list[SocialApp]:
        apps = super().list_apps(request, provider=provider, client_id=client_id)
        esia_id = settings.ESIA_CLIENT_ID
        if (
            esia_id
            and provider in (None, "esia")
            and client_id in (None, esia_id)
            and not any(app.provider == "esia" for app in apps)
        ):
            apps.append(SocialApp(provider="esia", name="Госуслуги", client_id=esia_id))
        return apps

    def on_authentication_error(
        self, request: HttpRequest, provider, error=None, exception=None, extra_context=None
    ) -> None:
        logger.warning(
            "Social login failed: provider=%s error=%s exception=%s",
            getattr(provider, "id", provider),
            error,
            exception.__class__.__name__ if exception else None,
        )
        super().on_authentication_error(request, provider, error, exception, extra_context)
