"""What the public /verify/<token>/ page shows of a policy: only what a clinic's reception desk
or a consulate needs — valid or not today, the product, the period, the territory of a travel
policy and its insured persons' names in Latin as in their foreign passports (a DMS policy shows
initials only)."""

from dataclasses import dataclass, field

from .models import Policy
from .pdf.data import TERRITORIES_EN, register_latin_name

PRODUCT_EN = {
    Policy.Product.DMS: "Voluntary health insurance (DMS)",
    Policy.Product.VZR: "Travel medical insurance",
    Policy.Product.OSAGO: "Compulsory motor third-party liability insurance (OSAGO)",
    Policy.Product.KASKO: "Motor vehicle insurance (KASKO)",
    Policy.Product.PROPERTY: "Property insurance",
    Policy.Product.ACCIDENT: "Accident insurance",
    Policy.Product.ONCOLOGY: "Cancer insurance",
}


@dataclass(frozen=True)
class VerifyFacts:
    product_en: str
    territory: str = ""
    territory_en: str = ""
    latin_names: list[str] = field(default_factory=list)
    initials: str = ""


def verify_facts(policy: Policy) -> VerifyFacts:
    data = policy.product_data or {}
    product_en = PRODUCT_EN[Policy.Product(policy.product)]
    if policy.product != Policy.Product.VZR:
        person = policy.insured_person
        return VerifyFacts(product_en=product_en, initials=person.initials if person else "")
    territory = str(data.get("territory") or "")
    if policy.insured_person is not None:
        names = [" ".join(register_latin_name(policy.insured_person))]
    else:
        names = [
            f"{t.get('last_name_latin', '')} {t.get('first_name_latin', '')}".strip()
            for t in data.get("travellers", [])
            if isinstance(t, dict)
        ]
    return VerifyFacts(
        product_en=product_en,
        territory=territory,
        territory_en=str(data.get("territory_en") or TERRITORIES_EN.get(territory, "")),
        latin_names=names,
    )
