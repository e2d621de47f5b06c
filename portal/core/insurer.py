"""The insurer's own details, from one place: policy PDFs, receipts (the seller of 54-ФЗ
receipts) and anything else that names the insurer read them here, never settings directly."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings

from .formatting import phone_display


@dataclass(frozen=True)
class InsurerDetails:
    name: str
    name_en: str
    inn: str
    ogrn: str
    licence: str
    address: str
    hotline: str


def insurer_details() -> InsurerDetails:
    """The insurer's name, ИНН, ОГРН, licence, address and hotline (settings.INSURER_*)."""
    return InsurerDetails(
        name=settings.INSURER_NAME,
        name_en=settings.INSURER_NAME_EN,
        inn=settings.INSURER_INN,
        ogrn=settings.INSURER_OGRN,
        licence=settings.INSURER_LICENCE,
        address=settings.INSURER_ADDRESS,
        hotline=phone_display(settings.HOTLINE_PHONE),
    )
