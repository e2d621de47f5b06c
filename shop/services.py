"""Buying a policy: quote → purchase (an unpaid policy) → on-session card payment through the
payments gateway → the policy issued exactly once, from the return page or the webhook,
whichever comes first (purchase_complete under a row lock)."""

from __future__ import annotations

import datetime
import logging
import uuid
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gateways.payments_base import CURRENCY, PaymentResult, PaymentStatus, gateway
from gateways.rsa import Person
from payments.services.fiscal import purchase_receipt_data, receipt_for_purchase
from policies.models import Policy
from policies.services import policy_document_request

from .kasko import kasko_premium
from .kbm import kbm_lookup
from .models import Purchase, Purpose, Quote, TariffVersion
from .osago import START_CLASS, Driver, OsagoInputs, full_years, osago_premium, tariff_load
from .personal import personal_premium
from .property import COMPONENTS as PROPERTY_COMPONENTS
from .property import property_premium
from .travel import CURRENCY as TRAVEL_CURRENCY
from .travel import DEDUCTIBLE as TRAVEL_DEDUCTIBLE
from .travel import travel_premium

logger = logging.getLogger(__name__)

QUOTE_TTL = datetime.timedelta(hours=24)
RULES_VERSION = {
    "osago": "osago-2025-12",
    "accident": "ns-2025-12",
    "oncology": "onko-2025-12",
    "property": "im-2025-12",
    "kasko": "kasko-2025-12",
    "vzr": "vzr-2025-12",
}
# The number's series per product (ХХХ: electronic ОСАГО); the number is the quote's id, so one
# policy per quote.
# A bought ВЗР is «ВЗР 0000000123»: the register's ВЗР/ВПМК numbers are «ВЗР-<digits>».
SERIES = {
    "osago": "ХХХ",
    "accident": "НС",
    "oncology": "ОНК",
    "property": "ИМ",
    "kasko": "КС",
    "vzr": "ВЗР",
}
OSAGO_SERIES = SERIES["osago"]
PERSONAL_PRODUCTS = ("accident", "oncology")


def osago_earliest_start(today: datetime.date | None = None) -> datetime.date:
    """An electronic ОСАГО policy starts no sooner than the day after it is bought (the policy is
    in force from 00:00 of the start date; the law, 40-ФЗ art. 10 and the Bank of Russia's rules,
    do not allow cover to start retroactively or on the day of purchase)."""
    return (today or timezone.localdate()) + datetime.timedelta(days=1)


OSAGO_LATEST_START_DAYS = 60  # our rule: the quote's tariff must be known when cover begins


def _osago_inputs(data: dict) -> OsagoInputs:
    return OsagoInputs(
        category=data["category"],
        purpose=data.get("purpose") or "personal",
        region=data["region"],
        town=data.get("town") or "",
        power_hp=int(data["power_hp"]),
        months=int(data["months"]),
        starts_on=datetime.date.fromisoformat(data["starts_on"]),
        unlimited=bool(data["unlimited"]),
        violations=bool(data.get("violations")),
        trailer=bool(data.get("trailer")),
        owner_kbm_class=data.get("owner_kbm", {}).get("kbm_class") or START_CLASS,
        owner_kbm_note=data.get("owner_kbm", {}).get("kbm_note", ""),
        drivers=[
            Driver(
                birth_date=datetime.date.fromisoformat(d["birth_date"]),
                licence_issued_on=datetime.date.fromisoformat(d["licence_since"]),
                kbm_class=d.get("kbm_class") or START_CLASS,
                licence_number=f"{d['licence_series']} {d['licence_number']}",
                name=" ".join(
                    part for part in (d["last_name"], d["first_name"], d.get("middle_name")) if part
                ),
                kbm_note=d.get("kbm_note", ""),
            )
            for d in data.get("drivers", [])
        ],
    )


def _osago_breakdown(*, user, data: dict, starts_on: datetime.date) -> dict:
    """Each driver's КБМ class from the РСА (the owner's with unlimited drivers), then the
    premium by the tariff in force on the start date. The classes found go into `data`."""
    tariff = tariff_load(starts_on)
    start_kbm = str(tariff.bonus_malus.get(START_CLASS, "")).replace(".", ",")

    def person(d: dict, *, prefix: str = "") -> Person:
        return Person(
            last_name=d["last_name"],
            first_name=d["first_name"],
            middle_name=d.get("middle_name") or "",
            birth_date=datetime.date.fromisoformat(d["birth_date"]),
            licence_series=d[f"{prefix}licence_series"],
            licence_number=d[f"{prefix}licence_number"],
            licence_since=datetime.date.fromisoformat(d[f"{prefix}licence_since"]),
        )

    if data["unlimited"]:
        data["drivers"] = []
        owner = {
            "last_name": user.last_name,
            "first_name": user.first_name,
            "middle_name": user.middle_name,
            "birth_date": user.birth_date.isoformat() if user.birth_date else "",
            **{k: data.get(f"owner_{k}") for k in ("licence_series", "licence_number")},
            "licence_since": data.get("owner_licence_since") or "",
        }
        if owner["birth_date"] and owner["licence_since"]:
            data["owner_kbm"] = kbm_lookup(person=person(owner), on=starts_on, start_kbm=start_kbm)
        else:
            data["owner_kbm"] = {
                "kbm_class": START_CLASS,
                "kbm_source": "unavailable",
                "kbm_checked_at": "",
                "kbm_note": _(
                    "КБМ собственника не проверен: в профиле нет даты рождения; применён "
                    "класс 3 (КБМ %(kbm)s)"
                )
                % {"kbm": start_kbm},
            }
    else:
        for driver in data.get("drivers", []):
            driver.update(kbm_lookup(person=person(driver), on=starts_on, start_kbm=start_kbm))
    return osago_premium(tariff, _osago_inputs(data))


def _jsonable(value):
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def quote_create(*, user, product: str, inputs: dict) -> Quote:
    """Price the inputs with the tariff in force on the start date and save it all."""
    if product not in SERIES:
        raise ValidationError(_("Этот продукт пока нельзя купить онлайн."))
    data = _jsonable(inputs)
    starts_on = datetime.date.fromisoformat(data["starts_on"])
    if starts_on < osago_earliest_start():
        raise ValidationError(_("Полис может начать действовать не раньше завтрашнего дня."))
    if product in PERSONAL_PRODUCTS:
        breakdown = personal_premium(
            product=product,
            birth_date=datetime.date.fromisoformat(data["birth_date"]),
            starts_on=starts_on,
            sum_insured=int(data["sum_insured"]),
            term_months=int(data["term_months"]),
            options=list(data.get("options", [])),
        )
    elif product == Policy.Product.PROPERTY:
        data["term_months"] = 12
        breakdown = property_premium(
            kind=data["kind"],
            starts_on=starts_on,
            sums={c: int(data.get(f"sum_{c}") or 0) for c in PROPERTY_COMPONENTS},
        )
    elif product == Policy.Product.KASKO:
        data["term_months"] = 12
        breakdown = kasko_premium(
            price=int(data["price"]),
            year=int(data["year"]),
            deductible=int(data["deductible"]),
            starts_on=starts_on,
            drivers=[
                (
                    datetime.date.fromisoformat(d["birth_date"]),
                    datetime.date.fromisoformat(d["licence_issued_on"]),
                )
                for d in data.get("drivers", [])
            ],
        )
    elif product == Policy.Product.VZR:
        travellers = list(data.get("travellers", []))
        if not travellers:
            raise ValidationError(_("Укажите хотя бы одного путешественника."))
        cover_days = data.get("cover_days")
        breakdown = travel_premium(
            countries=list(data.get("countries", [])),
            starts_on=starts_on,
            ends_on=datetime.date.fromisoformat(data["ends_on"]),
            ages=[
                full_years(datetime.date.fromisoformat(t["birth_date"]), starts_on)
                for t in travellers
            ],
            sum_insured=int(data["sum_insured"]),
            sport=data["sport"],
            quote_day=timezone.localdate(),
            cover_days=int(cover_days) if cover_days else None,
        )
        # What the policy's card and PDF show (policies.cards.object_facts, policies.pdf).
        data.update(
            territory=breakdown["territory"],
            territory_en=breakdown["territory_en"],
            schengen=breakdown["schengen"],
            currency=TRAVEL_CURRENCY,
            deductible=TRAVEL_DEDUCTIBLE,
            sport_name=breakdown["sport_name"],
        )
    else:
        breakdown = _osago_breakdown(user=user, data=data, starts_on=starts_on)
        # What the policy's PDF prints as the Bank of Russia's form names it.
        purpose = data.get("purpose") or Purpose.PERSONAL
        data["purpose_name"] = str(Purpose(purpose).label) if purpose in Purpose.values else ""
    quote = Quote(
        user=user,
        product=product,
        inputs=data,
        breakdown=breakdown,
        premium=Decimal(breakdown["premium"]),
        tariff_version=TariffVersion.objects.get(code=breakdown["version"]),
        expires_at=timezone.now() + QUOTE_TTL,
    )
    quote.full_clean()
    quote.save()
    return quote


def _policy_term(quote: Quote) -> tuple[datetime.date, datetime.date]:
    """A year for ОСАГО (КС is the use period inside it); the trip for ВЗР; the chosen term for
    the others."""
    starts_on = datetime.date.fromisoformat(quote.inputs["starts_on"])
    if quote.product == Policy.Product.VZR:
        return starts_on, datetime.date.fromisoformat(quote.inputs["ends_on"])
    months = 12 if quote.product == Policy.Product.OSAGO else int(quote.inputs["term_months"])
    year, month = divmod(starts_on.month - 1 + months, 12)
    try:
        end = starts_on.replace(year=starts_on.year + year, month=month + 1)
    except ValueError:  # no such day in the month (31st, 29 February): the next month's first
        end = datetime.date(starts_on.year + year + (month + 1) // 12, (month + 1) % 12 + 1, 1)
    return starts_on, end - datetime.timedelta(days=1)


def purchase_start(*, user, quote: Quote, rules_accepted: bool) -> Purchase:
    """Checkout: the person accepted the product's rules; an unpaid policy appears in «Мои
    полисы» («Ожидают оплаты») and can be paid now or later, or cancelled."""
    if quote.user_id != user.pk:
        raise ValidationError(_("Расчёт не найден."))
    if not rules_accepted:
        raise ValidationError(_("Нужно согласие с правилами страхования."))
    existing = Purchase.objects.filter(quote=quote).select_related("policy").first()
    if existing:
        return existing
    if quote.expires_at <= timezone.now():
        raise ValidationError(_("Расчёт устарел: рассчитайте стоимость заново."))
    starts_on, ends_on = _policy_term(quote)
    with transaction.atomic():
        policy = Policy(
            product=quote.product,
            number=f"{SERIES[quote.product]} {quote.pk:010d}",
            holder=user,
            starts_on=starts_on,
            ends_on=ends_on,
            status=Policy.Status.AWAITING_PAYMENT,
            premium=quote.premium,
            product_data={**quote.inputs, "breakdown": quote.breakdown},
            tariff_version=quote.tariff_version.code,
        )
        policy.full_clean()
        policy.save()
        purchase = Purchase(
            user=user,
            quote=quote,
            policy=policy,
            amount=quote.premium,
            rules_version=RULES_VERSION[quote.product],
            rules_accepted_at=timezone.now(),
        )
        purchase.full_clean()
        purchase.save()
    return purchase


def _check_payable(purchase: Purchase) -> None:
    if not purchase.payable:
        raise ValidationError(_("Эта покупка уже оплачена или отменена."))
    if purchase.policy.starts_on < osago_earliest_start():
        raise ValidationError(
            _("Дата начала полиса уже прошла: отмените покупку и рассчитайте стоимость заново.")
        )


def purchase_pay(*, purchase: Purchase) -> str:
    """Open the provider's card form: a fresh SetupIntent's client secret (the card goes from the
    page to the provider only; purchase_charge then pays on-session with it)."""
    _check_payable(purchase)
    gw = gateway()
    if not purchase.provider_customer_id:
        purchase.provider_customer_id = gw.customer_create(
            email=purchase.user.email, reference=f"purchase-{purchase.pk}"
        )
    purchase.status = Purchase.Status.AWAITING_PAYMENT
    purchase.save(update_fields=["provider_customer_id", "status", "updated_at"])
    _, client_secret = gw.setup_intent_create(customer_id=purchase.provider_customer_id)
    return client_secret


def purchase_checkout(*, purchase: Purchase, method: str, return_url: str) -> str:
    """A gateway whose page the person pays on (ЮKassa): the premium's payment by card, СБП or
    SberPay, with its 54-ФЗ receipt; returns the page's URL. A payment of the purchase still
    awaiting the person by the same method is offered again rather than a second one made. The
    policy is issued only when the provider says the payment succeeded (purchase_complete)."""
    _check_payable(purchase)
    gw = gateway()
    if method not in gw.checkout_methods:
        raise ValidationError(_("Этот способ оплаты недоступен."))
    if purchase.provider_payment_id:
        previous = gw.payment_retrieve(payment_id=purchase.provider_payment_id)
        if previous.status == PaymentStatus.SUCCEEDED:
            purchase_complete(purchase_id=purchase.pk, result=previous)
            raise ValidationError(_("Оплата уже прошла: полис оформлен."))
        if previous.status == PaymentStatus.REQUIRES_ACTION and previous.method_type == method:
            return previous.confirmation_url
    if not purchase.provider_customer_id:
        purchase.provider_customer_id = gw.customer_create(
            email=purchase.user.email, reference=f"purchase-{purchase.pk}"
        )
    description = _purchase_description(purchase)
    result = gw.checkout_create(
        amount=purchase.amount,
        customer_id=purchase.provider_customer_id,
        idempotency_key=f"purchase-{purchase.pk}-{method}-{uuid.uuid4().hex[:12]}",
        metadata={"purchase_id": str(purchase.pk)},
        return_url=return_url,
        method=method,
        receipt=purchase_receipt_data(
            user=purchase.user, description=description, amount=purchase.amount
        ),
        description=description,
    )
    if result.status != PaymentStatus.REQUIRES_ACTION or not result.confirmation_url:
        raise ValidationError(_("Платёжная система отказала в оплате: попробуйте позже."))
    purchase.status = Purchase.Status.AWAITING_PAYMENT
    purchase.provider_payment_id = result.payment_id
    purchase.save(
        update_fields=["provider_customer_id", "provider_payment_id", "status", "updated_at"]
    )
    return result.confirmation_url


def _purchase_description(purchase: Purchase) -> str:
    """The receipt's item: the insurance premium of this policy."""
    policy = purchase.policy
    return _("Страховая премия по полису %(product)s № %(number)s") % {
        "product": policy.get_product_display(),
        "number": policy.number,
    }


def purchase_charge(*, purchase: Purchase, setup_intent_id: str) -> PaymentResult:
    """The card entered on the provider's form pays the premium, on-session."""
    _check_payable(purchase)
    gw = gateway()
    try:
        method = gw.setup_intent_payment_method(
            setup_intent_id=setup_intent_id, customer_id=purchase.provider_customer_id
        )
    except ValueError as error:
        raise ValidationError(_("Карта не подтверждена: попробуйте ещё раз.")) from error
    result = gw.payment_create(
        amount=purchase.amount,
        customer_id=purchase.provider_customer_id,
        payment_method_id=method,
        idempotency_key=f"purchase-{purchase.pk}-{setup_intent_id}",
        metadata={"purchase_id": str(purchase.pk)},
        off_session=False,
    )
    if result.payment_id:
        Purchase.objects.filter(pk=purchase.pk, status=Purchase.Status.AWAITING_PAYMENT).update(
            provider_payment_id=result.payment_id, updated_at=timezone.now()
        )
    if result.status == PaymentStatus.SUCCEEDED:
        purchase_complete(purchase_id=purchase.pk, result=result)
    return result


def purchase_refresh(*, purchase: Purchase) -> Purchase:
    """After the page confirmed a payment (3-D Secure): ask the provider, not the page."""
    if purchase.status == Purchase.Status.PAID or not purchase.provider_payment_id:
        return purchase
    result = gateway().payment_retrieve(payment_id=purchase.provider_payment_id)
    if result.status == PaymentStatus.SUCCEEDED:
        return purchase_complete(purchase_id=purchase.pk, result=result)
    return purchase


def purchase_refresh_outcome(*, purchase: Purchase) -> tuple[Purchase, str]:
    """purchase_refresh, and the decline code of its last payment when the provider refused it
    (the person is told why; the purchase stays payable)."""
    if purchase.status == Purchase.Status.PAID or not purchase.provider_payment_id:
        return purchase, ""
    result = gateway().payment_retrieve(payment_id=purchase.provider_payment_id)
    if result.status == PaymentStatus.SUCCEEDED:
        return purchase_complete(purchase_id=purchase.pk, result=result), ""
    if result.status == PaymentStatus.DECLINED:
        return purchase, result.decline_code or "general_decline"
    return purchase, ""


def purchase_complete(*, purchase_id: int, result: PaymentResult) -> Purchase:
    """Issue the policy of a paid purchase, once: the return page and the webhook may both call
    this at the same moment; the row lock makes the second one see the first one's work. The
    result is the provider's own answer, and it must be this purchase's payment: our purchase id
    in its metadata, the premium in roubles, the purchase's customer."""
    if result.status != PaymentStatus.SUCCEEDED:
        raise ValueError("only a succeeded payment issues a policy")
    with transaction.atomic():
        purchase = Purchase.objects.select_for_update().select_related("policy").get(pk=purchase_id)
        if purchase.status == Purchase.Status.PAID:
            return purchase
        if (
            result.metadata.get("purchase_id") != str(purchase.pk)
            or result.amount != purchase.amount
            or result.currency != CURRENCY
            or result.customer_id != purchase.provider_customer_id
        ):
            raise ValueError("the payment is not this purchase's")
        if purchase.status == Purchase.Status.CANCELLED:
            # Paid while being cancelled: the money is taken, so the policy is issued.
            logger.warning("purchase %s paid after cancellation: issuing", purchase.pk)
        policy = purchase.policy
        policy.status = Policy.Status.ACTIVE
        policy.save(update_fields=["status", "updated_at"])
        purchase.status = Purchase.Status.PAID
        purchase.paid_at = timezone.now()
        purchase.provider_payment_id = result.payment_id
        purchase.save(update_fields=["status", "paid_at", "provider_payment_id", "updated_at"])
        # The insurer's document: made by the worker once this commits (policies.pdf)
        policy_document_request(policy=policy)
        receipt_for_purchase(
            user=purchase.user,
            purchase_id=purchase.pk,
            payment_id=result.payment_id,
            amount=purchase.amount,
            description=_purchase_description(purchase),
        )
    return purchase


def purchase_cancel(*, purchase: Purchase) -> Purchase:
    """Cancel an unpaid purchase. A payment still awaiting confirmation is cancelled at the
    provider first; one that succeeded meanwhile issues the policy instead."""
    if not purchase.payable:
        raise ValidationError(_("Эта покупка уже оплачена или отменена."))
    if purchase.provider_payment_id:
        result = gateway().payment_cancel(payment_id=purchase.provider_payment_id)
        if result.status == PaymentStatus.SUCCEEDED:
            purchase_complete(purchase_id=purchase.pk, result=result)
            raise ValidationError(_("Оплата уже прошла: полис оформлен."))
    with transaction.atomic():
        locked = Purchase.objects.select_for_update().select_related("policy").get(pk=purchase.pk)
        if not locked.payable:
            raise ValidationError(_("Эта покупка уже оплачена или отменена."))
        locked.status = Purchase.Status.CANCELLED
        locked.save(update_fields=["status", "updated_at"])
        locked.policy.status = Policy.Status.CANCELLED
        locked.policy.save(update_fields=["status", "updated_at"])
    return locked


def payment_event_apply(result: PaymentResult | None) -> bool:
    """The webhook's part (the router, cabinet.webhooks): a succeeded payment of a purchase,
    as the provider answered when asked again, completes it. Returns whether it was a
    purchase's."""
    purchase_id = (result.metadata.get("purchase_id") if result else "") or ""
    if not (result and purchase_id.isdigit()):
        return False
    if (
        result.status == PaymentStatus.SUCCEEDED
        and Purchase.objects.filter(pk=purchase_id).exists()
    ):
        try:
            purchase_complete(purchase_id=int(purchase_id), result=result)
        except ValueError:
            # Not this purchase's payment (another amount): nothing is issued; support looks.
            logger.error(
                "payment %s (%s %s) does not match purchase %s: nothing issued",
                result.payment_id,
                result.amount,
                result.currency,
                purchase_id,
            )
    return True
