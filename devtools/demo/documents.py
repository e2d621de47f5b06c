"""The demo's document data: the assistance company a ВЗР/ВПМК policy names, and a facsimile
signature and stamp for the insurer's requisites (drawn here: fictitious, as the insurer is)."""

import io

from django.core.files.base import ContentFile
from PIL import Image, ImageDraw

from policies.models import AssistanceCompany
from portal.core.insurer import insurer_details
from portal.core.models import InsurerDetails


def _png(draw_into) -> ContentFile:
    image = Image.new("RGBA", (600, 600), (255, 255, 255, 0))
    draw_into(ImageDraw.Draw(image))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return ContentFile(buffer.getvalue())


def _stamp(draw) -> None:
    blue = (25, 60, 150, 220)
    draw.ellipse((20, 20, 580, 580), outline=blue, width=14)
    draw.ellipse((90, 90, 510, 510), outline=blue, width=6)
    draw.rectangle((150, 260, 450, 340), outline=blue, width=6)


def _signature(draw) -> None:
    ink = (20, 30, 90, 255)
    points = [(30, 420), (120, 250), (170, 400), (240, 220), (300, 390), (380, 260), (560, 330)]
    draw.line(points, fill=ink, width=10, joint="curve")


def demo_documents_ensure() -> None:
    """Safe to run twice: what exists is kept (an administrator's edits too)."""
    if not AssistanceCompany.objects.exists():
        AssistanceCompany.objects.create(
            name="Ассистанс «Глобал Мед»",
            name_en="Global Med Assistance",
            phone="+74951350000",
            email="help@globalmed.example",
        )
    if not InsurerDetails.objects.exists():
        insurer = insurer_details()
        row = InsurerDetails(
            full_name=insurer.full_name,
            name_en=insurer.name_en,
            inn=insurer.inn,
            kpp=insurer.kpp,
            ogrn=insurer.ogrn,
            licence_number=insurer.licence_number,
            licence_date=insurer.licence_date,
            address=insurer.address,
            address_en="12 Presnenskaya emb., bldg 1, Moscow 123112, Russia",
            phones=", ".join(insurer.phones),
            website=insurer.website,
            signatory="Генеральный директор И. И. Петров",
        )
        row.signature.save("signature.png", _png(_signature), save=False)
        row.stamp.save("stamp.png", _png(_stamp), save=False)
        row.save()
