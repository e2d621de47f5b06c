"""Each ОСАГО driver's КБМ class from the РСА's АИС ОСАГО (gateways.rsa), with what the quote says
about it: the check's date, or why the starting class 3 was used instead."""

from __future__ import annotations

import datetime

from django.utils import formats, timezone
from django.utils.translation import gettext as _

from gateways.rsa import Person, RsaUnavailable, kbm_check

from .osago import START_CLASS


def kbm_lookup(*, person: Person, on: datetime.date, start_kbm: str) -> dict:
    """{"kbm_class", "kbm_source" (rsa | not_found | unavailable), "kbm_checked_at", "kbm_note"}:
    the class the РСА gives, or class 3 when it knows no such driver or does not answer."""
    try:
        answer = kbm_check(person=person, on=on)
    except RsaUnavailable as error:
        return {
            "kbm_class": START_CLASS,
            "kbm_source": "unavailable",
            "kbm_checked_at": "",
            "kbm_note": _(
                "РСА не ответил (%(reason)s): применён класс 3 (КБМ %(kbm)s), пересчитайте позже"
            )
            % {"reason": error, "kbm": start_kbm},
        }
    when = formats.date_format(timezone.localtime(answer.checked_at), "d.m.Y H:i")
    if not answer.found:
        return {
            "kbm_class": START_CLASS,
            "kbm_source": "not_found",
            "kbm_checked_at": answer.checked_at.isoformat(),
            "kbm_note": _(
                "в АИС ОСАГО РСА не найден (проверено %(when)s): начальный класс 3 (КБМ %(kbm)s)"
            )
            % {"when": when, "kbm": start_kbm},
        }
    return {
        "kbm_class": answer.kbm_class,
        "kbm_source": "rsa",
        "kbm_checked_at": answer.checked_at.isoformat(),
        "kbm_note": _("АИС ОСАГО РСА, проверено %(when)s") % {"when": when},
    }
