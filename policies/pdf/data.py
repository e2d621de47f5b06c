"""What a policy PDF prints, gathered in one plain dict: the template's only input, and hashed,
so that a stored PDF is made again as soon as anything it shows has changed.

Every product prints the same layout (base.html): the insurer's requisites (portal.core.insurer),
the policy's number and term, the policyholder and the insured, the object, the sums insured and
the premium, the rules of insurance by name and edition, the premium's calculation with the
coefficients named as the act that sets them names them, and the QR code to /verify/<token>/.
ОСАГО follows the Bank of Russia's form of the electronic policy; ВЗР/ВПМК is bilingual."""

import contextlib
import datetime
import hashlib
import json
import re
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.urls import NoReverseMatch, reverse

from policies.formatting import money, phone_display, phone_href
from policies.models import AssistanceCompany, Policy, PolicyLink
from policies.translit import latin, user_latin_name
from portal.core.insurer import insurer_details

# Bump when a template or the stylesheet changes what the PDF looks like: every PDF is remade.
TEMPLATE_VERSION = "2026-12-07.docs22"

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
    Policy.Product.OSAGO: "Полис ОСАГО",
    Policy.Product.KASKO: "Полис КАСКО",
    Policy.Product.PROPERTY: "Полис страхования имущества",
    Policy.Product.ACCIDENT: "Полис страхования от несчастного случая",
    Policy.Product.ONCOLOGY: "Полис онкострахования",
}

TITLES = {
    Policy.Product.DMS: "Полис добровольного медицинского страхования",
    Policy.Product.VZR: "Полис страхования выезжающих за рубеж",
    Policy.Product.OSAGO: (
        "Страховой полис обязательного страхования гражданской ответственности владельцев "
        "транспортных средств"
    ),
    Policy.Product.KASKO: "Полис добровольного страхования транспортного средства (КАСКО)",
    Policy.Product.PROPERTY: "Полис страхования имущества",
    Policy.Product.ACCIDENT: "Полис страхования от несчастного случая",
    Policy.Product.ONCOLOGY: "Полис страхования на случай онкологического заболевания",
}

# The rules of insurance each policy is issued under: name, edition, the page with their text
# (a URL name; "" where the rules are the DMS contract's own).
RULES = {
    Policy.Product.DMS: (
        "Правила добровольного медицинского страхования", "редакция от 01.12.2025", ""
    ),
    Policy.Product.VZR: (
        "Правила страхования граждан, выезжающих за пределы постоянного места жительства",
        "редакция от 01.12.2025",
        "shop_vzr_rules",
    ),
    Policy.Product.OSAGO: (
        "Правила обязательного страхования гражданской ответственности владельцев транспортных "
        "средств (Положение Банка России от 01.04.2024 № 837-П)",
        "редакция, действующая на дату заключения договора",
        "shop_osago_rules",
    ),
    Policy.Product.KASKO: (
        "Правила комбинированного страхования транспортных средств",
        "редакция от 01.12.2025",
        "shop_kasko_rules",
    ),
    Policy.Product.PROPERTY: (
        "Правила страхования имущества физических лиц", "редакция от 01.12.2025",
        "shop_property_rules",
    ),
    Policy.Product.ACCIDENT: (
        "Правила страхования от несчастных случаев", "редакция от 01.12.2025",
        "shop_accident_rules",
    ),
    Policy.Product.ONCOLOGY: (
        "Правила страхования на случай диагностирования онкологических заболеваний",
        "редакция от 01.12.2025",
        "shop_oncology_rules",
    ),
}  # fmt: skip

# ОСАГО coefficients as the Bank of Russia's directive on the tariffs (№ 6007-У, as amended)
# names them.
OSAGO_COEFFICIENTS = {
    "ТБ": "Базовая ставка страхового тарифа",
    "КТ": "Коэффициент страховых тарифов в зависимости от территории преимущественного "
    "использования транспортного средства",
    "КБМ": "Коэффициент страховых тарифов в зависимости от наличия или отсутствия страховых "
    "возмещений при наступлении страховых случаев, произошедших в период действия предыдущих "
    "договоров обязательного страхования",
    "КВС": "Коэффициент страховых тарифов в зависимости от возраста и стажа водителя",
    "КО": "Коэффициент страховых тарифов в зависимости от наличия сведений о количестве лиц, "
    "допущенных к управлению транспортным средством",
    "КМ": "Коэффициент страховых тарифов в зависимости от технических характеристик "
    "транспортного средства (мощности двигателя)",
    "КС": "Коэффициент страховых тарифов в зависимости от периода использования "
    "транспортного средства",
    "КН": "Коэффициент страховых тарифов в зависимости от наличия нарушений, предусмотренных "
    "пунктом 3 статьи 9 Закона об ОСАГО",
    "КПр": "Коэффициент страховых тарифов в зависимости от наличия в договоре условия, "
    "предусматривающего возможность управления транспортным средством с прицепом",
}
OSAGO_ACT = (
    "Указание Банка России от 08.12.2021 № 6007-У «О страховых тарифах по обязательному "
    "страхованию гражданской ответственности владельцев транспортных средств» (в редакции "
    "Указаний № 6209-У и № 7204-У)"
)
# 40-ФЗ art. 7: the insurer's liability limits per victim.
OSAGO_LIMITS = (
    ("в части возмещения вреда, причинённого жизни или здоровью каждого потерпевшего",
     Decimal("500000")),
    ("в части возмещения вреда, причинённого имуществу каждого потерпевшего", Decimal("400000")),
)  # fmt: skip
OSAGO_PURPOSES = {
    "personal": "личная",
    "taxi": "такси",
    "training": "учебная езда",
    "other": "прочее",
}
PROPERTY_KINDS = {"apartment": "квартира", "house": "дом"}
PROPERTY_COMPONENTS = (
    ("sum_structure", "Конструктивные элементы"),
    ("sum_finish", "Внутренняя отделка и инженерное оборудование"),
    ("sum_belongings", "Движимое имущество"),
)


INTERNAL_SLUG = re.compile(r"^[a-z0-9]+(?:-[A-Za-z0-9]+)+$")


def verify_url(token: str) -> str:
    return settings.PORTAL_PUBLIC_URL.rstrip("/") + reverse("policy_verify", args=[token])


def public_url(url_name: str) -> str:
    if not url_name:
        return ""
    try:
        return settings.PORTAL_PUBLIC_URL.rstrip("/") + reverse(url_name)
    except NoReverseMatch:
        return ""


def _date(day) -> str:
    return f"{day:%d.%m.%Y}" if day else ""


def _iso(value) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(str(value))
    except (TypeError, ValueError):
        return None


def _amount(value, currency: str = "руб.") -> str:
    if value in (None, ""):
        return ""
    try:
        return money(Decimal(str(value)), currency)
    except (InvalidOperation, ValueError):
        return ""


def insurer_data() -> dict:
    """The insurer's requisites as the PDFs print them (portal.core.insurer, the one place)."""
    insurer = insurer_details()
    return {
        "name": insurer.full_name,
        "name_en": insurer.name_en,
        "inn": insurer.inn,
        "kpp": insurer.kpp,
        "ogrn": insurer.ogrn,
        "licence": insurer.licence,
        "licence_en": insurer.licence_en,
        "address": insurer.address,
        "address_en": insurer.address_en,
        "phones": [phone_display(p) for p in insurer.phones],
        "email": insurer.email,
        "website": insurer.website,
        "signatory": insurer.signatory,
        # the images' stored names: a new upload is a new name, and the PDFs are remade
        "signature_file": insurer.signature_file,
        "stamp_file": insurer.stamp_file,
    }


def assistance_data() -> dict:
    company = AssistanceCompany.objects.filter(is_active=True).order_by("name").first()
    if company is None:
        return {
            "name": "Круглосуточный контактный центр страховщика",
            "name_en": "Insurer's 24/7 contact centre",
            "phone": phone_display(settings.HOTLINE_PHONE),
            "phone_intl": settings.HOTLINE_PHONE,
            "email": "",
        }
    return {
        "name": company.name,
        "name_en": company.name_en,
        "phone": phone_display(company.phone),
        "phone_intl": company.phone,
        "email": company.email,
    }


def _rules(product: str) -> dict:
    name, edition, url_name = RULES[Policy.Product(product)]
    return {"name": name, "edition": edition, "url": public_url(url_name)}


def _common(policy: Policy, *, token: str) -> dict:
    product = Policy.Product(policy.product)
    return {
        "template_version": TEMPLATE_VERSION,
        "product": policy.product,
        "file_label": FILE_LABELS[product],
        "title": TITLES[product],
        "number": policy.number,
        "status_cancelled": policy.status == Policy.Status.CANCELLED,
        "term": {"starts_on": _date(policy.starts_on), "ends_on": _date(policy.ends_on)},
        "insurer": insurer_data(),
        "rules": _rules(policy.product),
        "verify_url": verify_url(token),
    }


def register_latin_name(person) -> tuple[str, str]:
    """The Latin name of a register row: as the person wrote it in «Личная информация» when the
    row is linked to their cabinet as their own, else the HR list's name transliterated."""
    link = (
        PolicyLink.objects.filter(
            insured_person=person, unlinked_at__isnull=True, relation=PolicyLink.Relation.SELF
        )
        .select_related("user")
        .first()
    )
    if link is not None:
        last, first = user_latin_name(link.user)
        if link.user.last_name_latin or link.user.first_name_latin:
            return last, first
    return latin(person.last_name).upper(), latin(person.first_name).upper()


def _register_data(policy: Policy, data: dict) -> dict:
    person = policy.insured_person
    program = person.program
    contract = person.contract
    data.update(
        {
            "insured": {"full_name": person.full_name, "birth_date": _date(person.birth_date)},
            "policyholder": {"name": contract.policyholder.name, "inn": contract.policyholder.inn},
            "contract": {
                "number": contract.number,
                "number_latin": latin(contract.number),
                "starts_on": _date(contract.starts_on),
            },
            "program": {
                "code": program.code,
                "name": program.name,
                "care_kinds": [kind.name for kind in program.care_kinds.all()],
                "copay_share": (
                    f"{program.copay_share.normalize():f}" if program.has_copay else ""
                ),
            },
            "contact_centres": [
                {
                    "name": str(c.get("name", "")),
                    "phone": phone_display(str(c["phone"])),
                    "href": phone_href(str(c["phone"])),
                }
                for c in contract.contact_centres or []
                if isinstance(c, dict) and c.get("phone")
            ],
        }
    )
    if policy.product == Policy.Product.VZR:
        last_latin, first_latin = register_latin_name(person)
        data["insured"]["latin_name"] = f"{last_latin} {first_latin}"
        product = policy.product_data or {}
        territory = str(product.get("territory", ""))
        data["template"] = "vzr"
        data["vzr"] = _vzr_common(
            territory=territory,
            territory_en=str(product.get("territory_en") or TERRITORIES_EN.get(territory, "")),
            sum_insured=product.get("sum_insured"),
            currency=str(product.get("currency", "EUR")),
            schengen=bool(product.get("schengen"))
            or "шенген" in territory.casefold()
            or "весь мир" in territory.casefold()
            or "европа" in territory.casefold(),
        )
        data["title"] = "Международный страховой полис (ВПМК)"
        data["title_en"] = "International medical insurance policy"
        data["travellers"] = [
            {
                "latin_name": data["insured"]["latin_name"],
                "full_name": person.full_name,
                "birth_date": data["insured"]["birth_date"],
                "passport": "",
            }
        ]
        data["policyholder_en"] = latin(contract.policyholder.name)
        data["programme_en"] = f"Travel medical cover of DMS contract No. {latin(contract.number)}"
    else:
        data["template"] = "dms"
    return data


def _vzr_common(*, territory, territory_en, sum_insured, currency, schengen) -> dict:
    amount = None
    with contextlib.suppress(InvalidOperation, ValueError, TypeError):
        amount = Decimal(str(sum_insured)) if sum_insured not in (None, "") else None
    return {
        "territory": territory,
        "territory_en": territory_en,
        "sum_insured": money(amount, currency) if amount is not None else "",
        "deductible": "нет",
        "deductible_en": "none",
        "schengen": schengen,
        "meets_schengen": bool(schengen and amount is not None and amount >= 30000),
        "coverage": [list(pair) for pair in VZR_COVERAGE],
        "assistance": assistance_data(),
    }


def _holder(policy: Policy) -> dict:
    user = policy.holder
    return {
        "full_name": user.full_name or user.email,
        "birth_date": _date(user.birth_date),
    }


def _appendix(policy: Policy) -> dict:
    """The premium's calculation: each factor with its name and the act that sets it."""
    breakdown = (policy.product_data or {}).get("breakdown") or {}
    rows = []
    for row in breakdown.get("coefficients", []):
        if not isinstance(row, dict):
            continue
        code = str(row.get("code", ""))
        name = OSAGO_COEFFICIENTS.get(code, "") if policy.product == Policy.Product.OSAGO else ""
        source = str(row.get("source") or "")
        if isinstance(row.get("source"), dict):
            source = str(row["source"].get("text", ""))
        if INTERNAL_SLUG.match(source):
            source = ""  # a tariff version's code is ours, not a reader's
        rows.append(
            {
                "code": code if name else "",
                "name": name or code,
                "value": str(row.get("value", "")).replace(".", ","),
                "source": source,
            }
        )
    return {
        "formula": str(breakdown.get("formula", "")),
        "rows": rows,
        "act": OSAGO_ACT if policy.product == Policy.Product.OSAGO else "",
        "premium_eur": _amount(breakdown.get("premium_eur"), "EUR")
        if policy.product == Policy.Product.VZR
        else "",
        "eur_rate": str(breakdown.get("eur_rate", "")).replace(".", ","),
    }


def _registration_document(value) -> str:
    """«99 12 345678», or a document described as {"name", "series", "number"}."""
    if isinstance(value, dict):
        parts = [str(value.get("name") or ""), str(value.get("series") or "")]
        if value.get("number"):
            parts.append(f"№ {value['number']}")
        return " ".join(p for p in parts if p)
    return str(value or "")


def _osago_driver(d: dict) -> dict:
    """A driver as the purchase keeps one (names and the licence's parts), or as a full name
    and a licence in one line (older and imported policies)."""
    name = d.get("full_name") or " ".join(
        str(d.get(k) or "") for k in ("last_name", "first_name", "middle_name")
    )
    licence = d.get("licence") or f"{d.get('licence_series', '')} {d.get('licence_number', '')}"
    since = d.get("licence_since") or d.get("licence_issued_on")
    return {
        "name": str(name).strip(),
        "birth_date": _date(_iso(d.get("birth_date"))),
        "licence": str(licence).strip(),
        "since": _date(_iso(since)),
    }


def _vehicle(data: dict) -> dict:
    return {
        "make_model": " ".join(str(data[k]) for k in ("make", "model") if data.get(k)),
        "year": str(data.get("year", "")),
        "vin": str(data.get("vin") or ""),
        "body_number": str(data.get("body_number") or ""),
        "plate": str(data.get("plate") or ""),
        "registration_document": _registration_document(data.get("registration_document")),
        "category": str(data.get("category") or ""),
        "power_hp": str(data.get("power_hp") or ""),
    }


def _bought_data(policy: Policy, data: dict) -> dict:
    product = policy.product
    inputs = dict(policy.product_data or {})
    if isinstance(inputs.get("vehicle"), dict):  # the older shape: the vehicle in its own dict
        inputs = {**inputs["vehicle"], **inputs}
    holder = _holder(policy)
    data["policyholder"] = {"name": holder["full_name"], "birth_date": holder["birth_date"]}
    data["premium"] = money(policy.premium)
    data["appendix"] = _appendix(policy)
    data["boxed"] = bool(inputs.get("boxed"))
    data["program_title"] = str(inputs.get("title") or "")
    data["template"] = "bought"
    sums: list[list[str]] = []
    if product == Policy.Product.OSAGO:
        data["template"] = "osago"
        data["vehicle"] = _vehicle(inputs)
        purpose = str(inputs.get("purpose") or "personal")
        data["osago"] = {
            "series": data["number"].split(" ")[0],
            "number_only": " ".join(data["number"].split(" ")[1:]),
            "purpose": str(inputs.get("purpose_name") or OSAGO_PURPOSES.get(purpose, purpose)),
            "months": str(inputs.get("months") or 12),
            "unlimited": bool(inputs.get("unlimited") or inputs.get("unlimited_drivers")),
            "drivers": [_osago_driver(d) for d in inputs.get("drivers", []) if isinstance(d, dict)],
            "trailer": bool(inputs.get("trailer")),
            "limits": [[label, money(amount)] for label, amount in OSAGO_LIMITS],
        }
        data["insured"] = {"full_name": str(inputs.get("owner") or holder["full_name"])}
    elif product == Policy.Product.KASKO:
        data["vehicle"] = _vehicle(inputs)
        data["object_kind"] = "vehicle"
        sums.append(["Транспортное средство (страховая стоимость)", _amount(inputs.get("price"))])
        deductible = inputs.get("deductible")
        data["deductible"] = _amount(deductible) if deductible not in (None, "", 0, "0") else "нет"
        data["drivers"] = [
            {
                "name": f"{d.get('last_name', '')} {d.get('first_name', '')}".strip(),
                "licence": str(d.get("licence_number", "")),
            }
            for d in inputs.get("drivers", [])
            if isinstance(d, dict)
        ]
    elif product == Policy.Product.PROPERTY:
        data["object_kind"] = "property"
        kind = str(inputs.get("kind") or "")
        data["property"] = {
            "kind": PROPERTY_KINDS.get(kind, kind) or "квартира",
            "address": str(inputs.get("address") or ""),
            "area": str(inputs.get("area") or "").replace(".", ","),
        }
        for key, label in PROPERTY_COMPONENTS:
            if inputs.get(key):
                sums.append([label, _amount(inputs[key])])
    elif product == Policy.Product.VZR:
        data["template"] = "vzr"
        data["title_en"] = "Travel medical insurance policy"
        data["vzr"] = _vzr_common(
            territory=str(inputs.get("territory") or ""),
            territory_en=str(inputs.get("territory_en") or ""),
            sum_insured=inputs.get("sum_insured"),
            currency=str(inputs.get("currency") or "EUR"),
            schengen=bool(inputs.get("schengen")),
        )
        data["vzr"]["annual"] = inputs.get("trip_type") == "annual"
        data["vzr"]["cover_days"] = str(inputs.get("cover_days") or "")
        data["vzr"]["sport"] = str(inputs.get("sport_name") or "")
        data["travellers"] = [
            {
                "latin_name": f"{t.get('last_name_latin', '')} {t.get('first_name_latin', '')}",
                "birth_date": _date(_iso(t.get("birth_date"))),
                "passport": str(t.get("passport_number") or ""),
            }
            for t in inputs.get("travellers", [])
            if isinstance(t, dict)
        ]
        data["policyholder_en"] = latin(holder["full_name"])
    else:  # accident, oncology: the insured is the buyer
        data["object_kind"] = "person"
        data["insured"] = {
            "full_name": holder["full_name"],
            "birth_date": _date(_iso(inputs.get("birth_date"))) or holder["birth_date"],
        }
        if inputs.get("sum_insured"):
            sums.append(["Страховая сумма", _amount(inputs.get("sum_insured"))])
        if inputs.get("waiting_days"):
            data["waiting_days"] = str(inputs["waiting_days"])
    if product == Policy.Product.PROPERTY and inputs.get("boxed") and inputs.get("sum_insured"):
        sums.append(["Страховая сумма", _amount(inputs.get("sum_insured"))])
    data.setdefault("insured", {"full_name": holder["full_name"], "birth_date": ""})
    data["sums"] = sums
    return data


def policy_pdf_data(policy: Policy, *, token: str) -> dict:
    """The PDF's content. A register policy comes with its insured person, contract,
    policyholder and program; a bought one with its holder (policies.selectors load them)."""
    data = _common(policy, token=token)
    if policy.is_register:
        return _register_data(policy, data)
    return _bought_data(policy, data)


def data_hash(data: dict) -> str:
    encoded = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(encoded.encode()).hexdigest()
