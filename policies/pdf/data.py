"""What a policy PDF prints, gathered in one plain dict: the template's only input, and hashed,
so that a stored PDF is made again as soon as anything it shows has changed."""

import hashlib
import json
from decimal import Decimal

from django.conf import settings
from django.urls import reverse

from policies.formatting import money, phone_display, phone_href
from policies.models import Policy
from policies.translit import latin

# Bump when a template or the stylesheet changes what the PDF looks like: every PDF is remade.
TEMPLATE_VERSION = "2026-11-24.2"

TERRITORIES_EN = {
    "Весь мир, кроме Российской Федерации": "Worldwide excluding the Russian Federation",
    "Весь мир, кроме России": "Worldwide excluding Russia",
    "Европа": "Europe",
    "Шенгенское соглашение": "Schengen area",
}

VZR_COVERAGE = (
    ("Медицинские расходы при внезапном заболевании и несчастном случае",
     "Medical expenses in case of sudden illness or accident"),
    ("Медицинская транспортировка и эвакуация", "Medical transportation and evacuation"),
    ("Репатриация", "Repatriation of remains"),
    ("Экстренная стоматологическая помощь", "Emergency dental care"),
)  # fmt: skip

FILE_LABELS = {
    Policy.Product.DMS: "Полис ДМС",
    Policy.Product.VZR: "Полис ВПМК",
}


def verify_url(token: str) -> str:
    return settings.PORTAL_PUBLIC_URL.rstrip("/") + reverse("policy_verify", args=[token])


def _date(day) -> str:
    return f"{day:%d.%m.%Y}"


def _insurer() -> dict:
    return {
        "name": settings.INSURER_NAME,
        "name_en": settings.INSURER_NAME_EN,
        "inn": settings.INSURER_INN,
        "ogrn": settings.INSURER_OGRN,
        "licence": settings.INSURER_LICENCE,
        "address": settings.INSURER_ADDRESS,
        "hotline": phone_display(settings.HOTLINE_PHONE),
    }


def policy_pdf_data(policy: Policy, *, token: str) -> dict:
    """The PDF's content. `policy` comes with its insured person, contract, policyholder and
    program (policies.selectors.pdf_policies_for_user loads them)."""
    person = policy.insured_person
    program = person.program
    contract = person.contract
    data = {
        "template_version": TEMPLATE_VERSION,
        "kind": policy.product,
        "file_label": FILE_LABELS[Policy.Product(policy.product)],
        "number": policy.number,
        "status_cancelled": policy.status == Policy.Status.CANCELLED,
        "insured": {
            "full_name": person.full_name,
            "latin_name": latin(f"{person.last_name} {person.first_name}").upper(),
            "birth_date": _date(person.birth_date),
        },
        "policyholder": {
            "name": contract.policyholder.name,
            "inn": contract.policyholder.inn,
        },
        "contract": {
            "number": contract.number,
            "number_latin": latin(contract.number),
            "starts_on": _date(contract.starts_on),
        },
        "program": {
            "code": program.code,
            "name": program.name,
            "care_kinds": [kind.name for kind in program.care_kinds.all()],
            "copay_share": f"{program.copay_share.normalize():f}" if program.has_copay else "",
        },
        "term": {"starts_on": _date(policy.starts_on), "ends_on": _date(policy.ends_on)},
        "contact_centres": [
            {
                "name": str(c.get("name", "")),
                "phone": phone_display(str(c["phone"])),
                "href": phone_href(str(c["phone"])),
            }
            for c in contract.contact_centres or []
            if isinstance(c, dict) and c.get("phone")
        ],
        "insurer": _insurer(),
        "verify_url": verify_url(token),
    }
    if policy.product == Policy.Product.VZR:
        product = policy.product_data or {}
        territory = str(product.get("territory", ""))
        sum_insured = product.get("sum_insured")
        currency = str(product.get("currency", "EUR"))
        data["vzr"] = {
            "territory": territory,
            "territory_en": str(product.get("territory_en") or TERRITORIES_EN.get(territory, "")),
            "sum_insured": (
                money(Decimal(str(sum_insured)), currency) if sum_insured is not None else ""
            ),
            "coverage": [list(pair) for pair in VZR_COVERAGE],
        }
    return data


def data_hash(data: dict) -> str:
    encoded = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(encoded.encode()).hexdigest()
