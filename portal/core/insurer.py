"""The insurer's requisites, in one place: every policy PDF prints them and a 54-ФЗ receipt names
its seller by them. The administrator keeps them in the admin («Реквизиты страховщика», one row);
until that row exists the settings' INSURER_* values stand in."""

import base64
import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core.files.storage import default_storage

from .models import InsurerDetails

# An image printed on a PDF (facsimile signature, stamp) is embedded, never fetched: PNG or JPEG.
IMAGE_SIGNATURES = {b"\x89PNG\r\n\x1a\n": "image/png", b"\xff\xd8\xff": "image/jpeg"}
IMAGE_MAX_BYTES = 2 * 1024 * 1024


@dataclass(frozen=True)
class Insurer:
    full_name: str
    name_en: str
    inn: str
    kpp: str
    ogrn: str
    licence_number: str
    licence_date: datetime.date | None
    address: str
    address_en: str
    phones: tuple[str, ...]
    email: str = ""
    website: str = ""
    signatory: str = ""
    signature_file: str = ""  # names in the private storage
    stamp_file: str = ""

    @property
    def licence(self) -> str:
        """«СИ № 4321 от 15.03.2021»."""
        if self.licence_date is None:
            return self.licence_number
        return f"{self.licence_number} от {self.licence_date:%d.%m.%Y}"

    @property
    def licence_en(self) -> str:
        number = self.licence_number.replace("№", "No.")
        if self.licence_date is None:
            return number
        return f"{number} of {self.licence_date:%d.%m.%Y}"


def _settings_insurer() -> Insurer:
    try:
        licence_date = datetime.date.fromisoformat(settings.INSURER_LICENCE_DATE)
    except (TypeError, ValueError):
        licence_date = None
    return Insurer(
        full_name=settings.INSURER_NAME,
        name_en=settings.INSURER_NAME_EN,
        inn=settings.INSURER_INN,
        kpp=settings.INSURER_KPP,
        ogrn=settings.INSURER_OGRN,
        licence_number=settings.INSURER_LICENCE_NUMBER,
        licence_date=licence_date,
        address=settings.INSURER_ADDRESS,
        address_en="",
        phones=tuple(settings.INSURER_PHONES),
        website=settings.INSURER_WEBSITE,
    )


def insurer_details() -> Insurer:
    """The insurer's requisites now (one query)."""
    row = InsurerDetails.objects.order_by("pk").first()
    fallback = _settings_insurer()
    if row is None:
        return fallback
    return Insurer(
        full_name=row.full_name,
        name_en=row.name_en or fallback.name_en,
        inn=row.inn,
        kpp=row.kpp,
        ogrn=row.ogrn,
        licence_number=row.licence_number,
        licence_date=row.licence_date,
        address=row.address,
        address_en=row.address_en,
        phones=tuple(p.strip() for p in row.phones.split(",") if p.strip()),
        email=row.email,
        website=row.website,
        signatory=row.signatory,
        signature_file=row.signature.name or "",
        stamp_file=row.stamp.name or "",
    )


def image_kind(head: bytes) -> str | None:
    for signature, mime in IMAGE_SIGNATURES.items():
        if head.startswith(signature):
            return mime
    return None


def image_data_uri(name: str) -> str:
    """A stored PNG/JPEG as a data: URI for a PDF ("" when missing or not an image)."""
    if not name or not default_storage.exists(name):
        return ""
    with default_storage.open(name, "rb") as handle:
        body = handle.read(IMAGE_MAX_BYTES + 1)
    mime = image_kind(body[:16])
    if mime is None or len(body) > IMAGE_MAX_BYTES:
        return ""
    return f"data:{mime};base64," + base64.b64encode(body).decode("ascii")
