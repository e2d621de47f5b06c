"""The allauth provider `esia`: ESIA (Госуслуги) as an OAuth 2.0 provider.

What ESIA tells about a person (see views.EsiaOAuth2Adapter.complete_login) becomes the common
fields of a new account: name, birth date, RF passport, mobile phone and e-mail. The passport is
never kept in SocialAccount.extra_data (which is stored in clear): only on the user, encrypted.
"""

from __future__ import annotations

import datetime
import re
import uuid
from typing import Any

import phonenumbers
from allauth.account.models import EmailAddress
from allauth.socialaccount.providers.base import ProviderAccount
from allauth.socialaccount.providers.oauth2.provider import OAuth2Provider
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from .views import EsiaOAuth2Adapter

# ESIA signs and checks the scope as a string: it is always sent in this order.
DEFAULT_SCOPE = ("openid", "fullname", "birthdate", "id_doc", "mobile", "email")
VERIFIED = "VERIFIED"


class EsiaAccount(ProviderAccount):
    def to_str(self) -> str:
        return str(_("Госуслуги, учётная запись %(oid)s") % {"oid": self.account.uid})


class EsiaProvider(OAuth2Provider):
    id = "esia"
    name = "Госуслуги"
    account_class = EsiaAccount
    oauth2_adapter_class = EsiaOAuth2Adapter

    def get_default_scope(self) -> list[str]:
        return list(DEFAULT_SCOPE)

    def get_scope_from_request(self, request: HttpRequest) -> list[str]:
        # No `?scope=` additions from the query string: the scope is what we registered with ESIA.
        return self.get_scope()

    def scope_string(self) -> str:
        return " ".join(dict.fromkeys(self.get_scope()))

    def stash_redirect_state(
        self, request: HttpRequest, process, next_url=None, data=None, state_id=None, **kwargs
    ) -> str:
        # ESIA accepts only a UUID as `state`. allauth 65 makes its own state id in
        # Provider.stash_redirect_state -> statekit.stash_state(state_id=None) ->
        # SocialAccountAdapter.generate_state_param() (16 random characters); passing our own
        # state_id here changes it for this provider alone.
        return super().stash_redirect_state(
            request, process, next_url, data, state_id=state_id or str(uuid.uuid4()), **kwargs
        )

    def extract_uid(self, data: dict[str, Any]) -> str:
        return str(data["oid"])

    def extract_extra_data(self, data: dict[str, Any]) -> dict[str, Any]:
        person = data.get("person", {})
        return {"oid": str(data["oid"]), "trusted": bool(person.get("trusted", False))}

    def extract_common_fields(self, data: dict[str, Any]) -> dict[str, Any]:
        person = data.get("person", {})
        mobile = _contact(data, "MBT")
        email = _contact(data, "EML")
        passport = _rf_passport(data)
        return {
            "last_name": str(person.get("lastName") or "").strip(),
            "first_name": str(person.get("firstName") or "").strip(),
            "middle_name": str(person.get("middleName") or "").strip(),
            "birth_date": _date(person.get("birthDate")),
            "email": email.get("value") if email else None,
            "email_verified": bool(email) and email.get("vrfStu") == VERIFIED,
            # not "phone": allauth would run it through the account adapter's phone field
            "mobile": _phone(mobile.get("value")) if mobile else "",
            "mobile_verified": bool(mobile) and mobile.get("vrfStu") == VERIFIED,
            "passport_series": passport[0] if passport else "",
            "passport_number": passport[1] if passport else "",
        }

    def extract_email_addresses(self, data: dict[str, Any]) -> list[EmailAddress]:
        email = _contact(data, "EML")
        if not email or not email.get("value"):
            return []
        return [
            EmailAddress(
                email=str(email["value"]).strip().lower(),
                verified=email.get("vrfStu") == VERIFIED,
                primary=True,
            )
        ]


def _contact(data: dict[str, Any], kind: str) -> dict[str, Any] | None:
    contacts = [c for c in data.get("contacts", []) if c.get("type") == kind and c.get("value")]
    contacts.sort(key=lambda c: c.get("vrfStu") != VERIFIED)  # a verified one first
    return contacts[0] if contacts else None


def _rf_passport(data: dict[str, Any]) -> tuple[str, str] | None:
    docs = [d for d in data.get("documents", []) if d.get("type") == "RF_PASSPORT"]
    docs.sort(key=lambda d: d.get("vrfStu") != VERIFIED)
    for doc in docs:
        series = re.sub(r"\D", "", str(doc.get("series") or ""))
        number = re.sub(r"\D", "", str(doc.get("number") or ""))
        if len(series) == 4 and len(number) == 6:
            return series, number
    return None


def _date(value: Any) -> datetime.date | None:
    try:
        return datetime.datetime.strptime(str(value), "%d.%m.%Y").date()
    except ValueError:
        return None


def _phone(value: Any) -> str:
    try:
        number = phonenumbers.parse(str(value), "RU")
    except phonenumbers.NumberParseException:
        return ""
    if not phonenumbers.is_valid_number(number):
        return ""
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


provider_classes = [EsiaProvider]
