"""The РСА's АИС ОСАГО: the КБМ check of a driver (one function per remote call).

`kbm_check` asks for the driver's class on a day by the licence (series, number, the date of the
first licence) and the person's name and birth date. The РСА answers with the class and its
coefficient, or that no such driver is known (a new driver starts at class 3). RSA_KBM_URL says
where the service is: in development and tests, the emulator of this server (devtools.rsa_emulator);
empty, the check is off. Any failure raises RsaUnavailable with a reason in Russian — the quote
then uses the starting class and says why.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

import requests
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _


class RsaUnavailable(Exception):
    """The РСА did not answer (its message says why, in Russian)."""


@dataclass(frozen=True)
class KbmAnswer:
    found: bool
    kbm_class: str
    coefficient: Decimal | None
    checked_at: datetime.datetime


@dataclass(frozen=True)
class Person:
    last_name: str
    first_name: str
    middle_name: str
    birth_date: datetime.date
    licence_series: str
    licence_number: str
    licence_since: datetime.date


def kbm_check(*, person: Person, on: datetime.date) -> KbmAnswer:
    """The driver's КБМ class on the day `on` (the policy's start)."""
    base = settings.RSA_KBM_URL
    if not base:
        raise RsaUnavailable(_("проверка КБМ в АИС ОСАГО не подключена"))
    payload = {
        "last_name": person.last_name,
        "first_name": person.first_name,
        "middle_name": person.middle_name,
        "birth_date": person.birth_date.isoformat(),
        "licence_series": person.licence_series.replace(" ", ""),
        "licence_number": person.licence_number,
        "licence_since": person.licence_since.isoformat(),
        "date": on.isoformat(),
    }
    headers = {"Authorization": f"Bearer {settings.RSA_API_KEY}"} if settings.RSA_API_KEY else {}
    try:
        response = requests.post(
            f"{base.rstrip('/')}/kbm/check",
            json=payload,
            headers=headers,
            timeout=(settings.RSA_CONNECT_TIMEOUT, settings.RSA_TIMEOUT),
        )
    except requests.Timeout:
        raise RsaUnavailable(_("АИС ОСАГО РСА не ответила вовремя")) from None
    except requests.RequestException:
        raise RsaUnavailable(_("АИС ОСАГО РСА недоступна")) from None
    if response.status_code != 200:
        raise RsaUnavailable(
            _("АИС ОСАГО РСА ответила ошибкой %(code)s") % {"code": response.status_code}
        )
    try:
        answer = response.json()
        found = bool(answer["found"])
        kbm_class = str(answer.get("class") or "")
        coefficient = Decimal(str(answer["kbm"])) if answer.get("kbm") is not None else None
    except (ValueError, KeyError, TypeError, InvalidOperation):
        raise RsaUnavailable(_("АИС ОСАГО РСА ответила не по формату")) from None
    if found and not kbm_class:
        raise RsaUnavailable(_("АИС ОСАГО РСА ответила не по формату"))
    return KbmAnswer(
        found=found, kbm_class=kbm_class, coefficient=coefficient, checked_at=timezone.now()
    )
