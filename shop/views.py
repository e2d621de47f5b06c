import contextlib
import datetime

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from gateways.payments_base import GatewayError, PaymentStatus, gateway
from payments.declines import decline_message
from payments.models import Receipt
from payments.receipts import fiscal_receipt_pdf_bytes, receipt_for
from policies.cards import PRODUCT_TITLES
from policies.models import Policy
from policies.translit import user_latin_name
from portal.core.formatting import money

from . import services
from .documents import receipt_pdf_bytes
from .forms import (
    OTHER_TOWN,
    CardForm,
    CheckoutForm,
    DriverFormSet,
    KaskoDriverFormSet,
    KaskoQuoteForm,
    OsagoQuoteForm,
    PaymentMethodForm,
    PersonalQuoteForm,
    PropertyQuoteForm,
    TravellerFormSet,
    TravelQuoteForm,
)
from .kasko import MIN_PRICE as KASKO_MIN_PRICE
from .models import Purchase, Purpose, Region
from .personal import SUMS as PERSONAL_SUMS
from .personal import TERMS as PERSONAL_TERMS
from .property import PRICE_FROM_SUM as PROPERTY_PRICE_FROM_SUM
from .selectors import (
    lowest_premiums,
    offers_for_user,
    purchases_for_user,
    quotes_for_user,
    territory_towns,
    unpaid_purchases_for_user,
)
from .travel import RATE_STALE_DAYS, eur_rate_age_days

# Products in the order of the shop; only those with a quote form are linked.
PRODUCTS = [
    (Policy.Product.OSAGO, "shop_osago"),
    (Policy.Product.KASKO, "shop_kasko"),
    (Policy.Product.PROPERTY, "shop_property"),
    (Policy.Product.ACCIDENT, "shop_accident"),
    (Policy.Product.ONCOLOGY, "shop_oncology"),
    (Policy.Product.VZR, "shop_vzr"),
]
# What each product covers, in a sentence of its card.
COVERS = {
    Policy.Product.OSAGO: gettext_lazy(
        "Вред, причинённый по вашей вине жизни, здоровью и имуществу других участников "
        "дорожного движения: его возмещает страховщик. Без полиса ОСАГО ездить нельзя."
    ),
    Policy.Product.KASKO: gettext_lazy(
        "Ваш автомобиль: ущерб в ДТП, в том числе по вашей вине, угон, пожар, стихийные "
        "бедствия, падение предметов и действия третьих лиц."
    ),
    Policy.Product.PROPERTY: gettext_lazy(
        "Квартира или дом: конструктив, отделка и инженерное оборудование, вещи — от пожара, "
        "залива, стихийных бедствий, кражи и противоправных действий третьих лиц."
    ),
    Policy.Product.ACCIDENT: gettext_lazy(
        "Травма, инвалидность или смерть в результате несчастного случая — круглосуточно, дома, "
        "на работе и в поездках по России."
    ),
    Policy.Product.ONCOLOGY: gettext_lazy(
        "Диагностика и лечение онкологического заболевания, впервые выявленного за время "
        "действия полиса."
    ),
    Policy.Product.VZR: gettext_lazy(
        "Медицинская помощь в поездке за границу: врач, больница, лекарства, перевозка домой. "
        "Подходит для визы в страны Шенгенской зоны."
    ),
}


def _price_notes() -> dict[str, str]:
    """What the «от N руб.» of each card is for (shop.selectors.lowest_premiums prices it)."""
    personal = _("за %(months)s мес., страховая сумма %(sum)s")
    return {
        Policy.Product.OSAGO: _("за год, с наименьшими коэффициентами тарифа"),
        Policy.Product.KASKO: _("за год, автомобиль стоимостью %(price)s")
        % {"price": money(KASKO_MIN_PRICE)},
        Policy.Product.PROPERTY: _("за год, страховая сумма %(sum)s")
        % {"sum": money(PROPERTY_PRICE_FROM_SUM)},
        **{
            product: personal
            % {"months": min(PERSONAL_TERMS), "sum": money(min(PERSONAL_SUMS[product]))}
            for product in (Policy.Product.ACCIDENT, Policy.Product.ONCOLOGY)
        },
        Policy.Product.VZR: _("за день поездки одного путешественника"),
    }


def _provider_down(request: HttpRequest) -> HttpResponse:
    messages.error(request, _("Платёжная система не отвечает. Попробуйте через несколько минут."))
    return redirect("shop")


def _quote_or_error(request: HttpRequest, form, product: str, inputs: dict):
    """Price the form's inputs: to the price page, or None with the refusal on the form."""
    try:
        quote = services.quote_create(user=request.user, product=product, inputs=inputs)
    except ValidationError as error:
        form.add_error(None, error)
        return None
    return redirect("shop_quote", quote_id=quote.pk)


@login_required
def shop_index(request: HttpRequest) -> HttpResponse:
    prices = lowest_premiums()
    notes = _price_notes()
    products = [
        {
            "code": code,
            "title": PRODUCT_TITLES.get(code, Policy.Product(code).label),
            "covers": COVERS[code],
            "price_from": prices.get(code),
            "price_note": notes[code],
            "url_name": url,
        }
        for code, url in PRODUCTS
    ]
    return render(
        request,
        "shop/index.html",
        {"products": products, "unpaid": list(unpaid_purchases_for_user(request.user))},
    )


@login_required
def osago_quote(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = OsagoQuoteForm(request.POST)
        drivers = DriverFormSet(request.POST, prefix="drivers")
        unlimited = request.POST.get("unlimited") == "on"
        # With unlimited drivers the list is not asked for: its rows are neither checked nor kept.
        if form.is_valid() and (unlimited or drivers.is_valid()):
            data = dict(form.cleaned_data)
            data["drivers"] = [] if data["unlimited"] else [d for d in drivers.cleaned_data if d]
            if not data["unlimited"] and not data["drivers"]:
                form.add_error(None, _("Укажите водителя или выберите «без ограничения»."))
            elif response := _quote_or_error(request, form, Policy.Product.OSAGO, data):
                return response
    else:
        form = OsagoQuoteForm(initial={"starts_on": services.osago_earliest_start()})
        drivers = DriverFormSet(prefix="drivers")
    return render(
        request,
        "shop/osago_form.html",
        {
            "form": form,
            "drivers": drivers,
            "towns": territory_towns(form["region"].value() or "", timezone.localdate()),
            "other_town": OTHER_TOWN,
            "product_title": Policy.Product.OSAGO.label,
        },
    )


@login_required
def osago_towns(request: HttpRequest) -> HttpResponse:
    """The town suggestions of a subject (htmx swaps them into the form's datalist)."""
    region = request.GET.get("region", "")[:8]
    return render(
        request,
        "shop/partials/town_options.html",
        {"towns": territory_towns(region, timezone.localdate()), "other_town": OTHER_TOWN},
    )


def _form_quote(
    request: HttpRequest,
    form_class,
    product: str,
    *,
    template: str = "shop/quote_form.html",
    initial: dict | None = None,
    form_kwargs: dict | None = None,
) -> HttpResponse:
    """A product whose quote is one form: the form, or the price page once it is priced."""
    form = form_class(
        request.POST if request.method == "POST" else None,
        initial={"starts_on": services.osago_earliest_start(), **(initial or {})},
        **(form_kwargs or {}),
    )
    inputs = dict(form.cleaned_data) if form.is_bound and form.is_valid() else None
    if inputs is not None and (response := _quote_or_error(request, form, product, inputs)):
        return response
    return render(
        request,
        template,
        {
            "form": form,
            "product": product,
            "product_title": PRODUCT_TITLES[Policy.Product(product)],
        },
    )


@login_required
def personal_quote(request: HttpRequest, product: str) -> HttpResponse:
    """Accident and oncology: one form, the product from the URL."""
    initial = {"birth_date": request.user.birth_date}
    return _form_quote(
        request, PersonalQuoteForm, product, initial=initial, form_kwargs={"product": product}
    )


@login_required
def property_quote(request: HttpRequest) -> HttpResponse:
    return _form_quote(request, PropertyQuoteForm, Policy.Product.PROPERTY)


@login_required
def kasko_quote(request: HttpRequest) -> HttpResponse:
    bound = request.method == "POST"
    form = KaskoQuoteForm(
        request.POST if bound else None,
        initial={"starts_on": services.osago_earliest_start()},
    )
    drivers = KaskoDriverFormSet(request.POST if bound else None, prefix="drivers")
    if bound and form.is_valid() and drivers.is_valid():
        data = dict(form.cleaned_data)
        data["drivers"] = [d for d in drivers.cleaned_data if d]
        if response := _quote_or_error(request, form, Policy.Product.KASKO, data):
            return response
    return render(
        request,
        "shop/kasko_form.html",
        {"form": form, "drivers": drivers, "product_title": PRODUCT_TITLES[Policy.Product.KASKO]},
    )


@login_required
def travel_quote(request: HttpRequest) -> HttpResponse:
    """ВЗР: the trip and the travellers (as in their foreign passports); the buyer's own data
    starts the first row (the Latin name from «Личная информация» or transliterated)."""
    bound = request.method == "POST"
    start = services.osago_earliest_start()
    form = TravelQuoteForm(
        request.POST if bound else None,
        initial={"starts_on": start, "ends_on": start + datetime.timedelta(days=6)},
    )
    user = request.user
    travellers = TravellerFormSet(
        request.POST if bound else None,
        prefix="travellers",
        initial=None
        if bound
        else [
            {
                "last_name_latin": user_latin_name(user)[0],
                "first_name_latin": user_latin_name(user)[1],
                "birth_date": user.birth_date,
            }
        ],
    )
    if bound and form.is_valid() and travellers.is_valid():
        travellers.ages_check(form.cleaned_data.get("starts_on"))
        if not any(f.errors for f in travellers.forms):
            data = dict(form.cleaned_data)
            data["travellers"] = travellers.travellers
            if response := _quote_or_error(request, form, Policy.Product.VZR, data):
                return response
    return render(
        request,
        "shop/travel_form.html",
        {
            "form": form,
            "travellers": travellers,
            "product": Policy.Product.VZR,
            "product_title": PRODUCT_TITLES[Policy.Product.VZR],
        },
    )


@login_required
def quote_detail(request: HttpRequest, quote_id: int) -> HttpResponse:
    quote = get_object_or_404(quotes_for_user(request.user), pk=quote_id)
    form = CheckoutForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            purchase = services.purchase_start(
                user=request.user, quote=quote, rules_accepted=form.cleaned_data["rules"]
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            return redirect("shop_pay", purchase_id=purchase.pk)
    return render(
        request,
        "shop/quote.html",
        {
            "quote": quote,
            "form": form,
            "expired": quote.expires_at <= timezone.now(),
            "product_title": PRODUCT_TITLES[Policy.Product(quote.product)],
            "form_url_name": f"shop_{quote.product}",
            "rules_url_name": f"shop_{quote.product}_rules",
            **_osago_facts(quote),
            **_rate_age(quote),
        },
    )


def _rate_age(quote) -> dict:
    """A travel quote priced with a EUR rate older than RATE_STALE_DAYS says so."""
    age = eur_rate_age_days(quote.breakdown, timezone.localdate(quote.created_at))
    if age is None or age <= RATE_STALE_DAYS:
        return {}
    return {
        "eur_rate_stale": True,
        "eur_rate_day": datetime.date.fromisoformat(quote.breakdown["eur_rate_day"]),
        "eur_rate_age": age,
    }


def _osago_facts(quote) -> dict:
    """The subject's name and the purpose of use, as the price page names them."""
    if quote.product != Policy.Product.OSAGO:
        return {}
    region = Region.objects.filter(code=quote.inputs.get("region", "")).first()
    purpose = quote.inputs.get("purpose") or Purpose.PERSONAL
    return {
        "osago_region": region.name if region else "",
        "osago_purpose": Purpose(purpose).label if purpose in Purpose.values else purpose,
    }


def osago_rules(request: HttpRequest) -> HttpResponse:
    return render(request, "shop/rules_osago.html", {"version": services.RULES_VERSION["osago"]})


def personal_rules(request: HttpRequest, product: str) -> HttpResponse:
    return render(
        request,
        "shop/rules_personal.html",
        {
            "version": services.RULES_VERSION[product],
            "product_title": PRODUCT_TITLES[Policy.Product(product)],
        },
    )


def _purchase(request: HttpRequest, purchase_id: int) -> Purchase:
    return get_object_or_404(purchases_for_user(request.user), pk=purchase_id)


@login_required
def purchase_pay_view(request: HttpRequest, purchase_id: int) -> HttpResponse:
    purchase = _purchase(request, purchase_id)
    if purchase.status == Purchase.Status.PAID:
        return redirect("shop_purchase", purchase_id=purchase.pk)
    gw = gateway()
    if gw.confirmation == "redirect":
        # The person picks card, СБП or SberPay and pays on the provider's page.
        return render(
            request,
            "shop/pay_redirect.html",
            {"purchase": purchase, "form": PaymentMethodForm(methods=gw.checkout_methods)},
        )
    try:
        client_secret = services.purchase_pay(purchase=purchase)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("shop")
    except GatewayError:
        return _provider_down(request)
    return render(
        request,
        "shop/pay.html",
        {
            "purchase": purchase,
            "client_secret": client_secret,
            "publishable_key": settings.STRIPE_PUBLISHABLE_KEY,
            "stripe_js_url": settings.STRIPE_JS_URL,
        },
    )


@login_required
@require_POST
def purchase_checkout(request: HttpRequest, purchase_id: int) -> HttpResponse:
    purchase = _purchase(request, purchase_id)
    gw = gateway()
    form = PaymentMethodForm(request.POST, methods=gw.checkout_methods)
    if gw.confirmation != "redirect" or not form.is_valid():
        messages.error(request, _("Выберите способ оплаты."))
        return redirect("shop_pay", purchase_id=purchase.pk)
    return_url = request.build_absolute_uri(reverse("shop_purchase", args=[purchase.pk]))
    try:
        confirmation_url = services.purchase_checkout(
            purchase=purchase, method=form.cleaned_data["method"], return_url=return_url
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("shop_purchase", purchase_id=purchase.pk)
    except GatewayError:
        return _provider_down(request)
    return redirect(confirmation_url)


@login_required
@require_POST
def purchase_card(request: HttpRequest, purchase_id: int) -> HttpResponse:
    purchase = _purchase(request, purchase_id)
    form = CardForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Карта не подтверждена: попробуйте ещё раз."))
        return redirect("shop_pay", purchase_id=purchase.pk)
    try:
        result = services.purchase_charge(
            purchase=purchase, setup_intent_id=form.cleaned_data["setup_intent"]
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("shop")
    except GatewayError:
        return _provider_down(request)
    if result.status == PaymentStatus.REQUIRES_ACTION:
        return render(
            request,
            "shop/confirm.html",
            {
                "purchase": purchase,
                "client_secret": result.client_secret,
                "publishable_key": settings.STRIPE_PUBLISHABLE_KEY,
                "stripe_js_url": settings.STRIPE_JS_URL,
            },
        )
    if result.status == PaymentStatus.DECLINED:
        messages.error(request, _("Банк отклонил оплату. Попробуйте другую карту."))
        return redirect("shop_pay", purchase_id=purchase.pk)
    return redirect("shop_purchase", purchase_id=purchase.pk)


@login_required
@require_POST
def purchase_confirmed(request: HttpRequest, purchase_id: int) -> HttpResponse:
    purchase = _purchase(request, purchase_id)
    try:
        services.purchase_refresh(purchase=purchase)
    except GatewayError:
        return _provider_down(request)
    return redirect("shop_purchase", purchase_id=purchase.pk)


@login_required
def purchase_detail(request: HttpRequest, purchase_id: int) -> HttpResponse:
    purchase = _purchase(request, purchase_id)
    declined = ""
    if purchase.status == Purchase.Status.AWAITING_PAYMENT and purchase.provider_payment_id:
        # Back from the provider: the webhook may not have come yet.
        with contextlib.suppress(GatewayError):
            purchase, declined = services.purchase_refresh_outcome(purchase=purchase)
    return render(
        request,
        "shop/purchase.html",
        {
            "purchase": purchase,
            "declined": decline_message(declined) if declined else "",
            "receipt": receipt_for(Receipt.Source.PURCHASE, purchase.pk)
            if purchase.status == Purchase.Status.PAID
            else None,
        },
    )


@login_required
@require_POST
def purchase_cancel_view(request: HttpRequest, purchase_id: int) -> HttpResponse:
    purchase = _purchase(request, purchase_id)
    try:
        services.purchase_cancel(purchase=purchase)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    except GatewayError:
        return _provider_down(request)
    else:
        messages.success(request, _("Покупка отменена."))
    return redirect("shop")


@login_required
def purchase_policy_pdf(request: HttpRequest, purchase_id: int) -> HttpResponse:
    """The paid purchase's policy: the insurer's document, made and kept by policies.pdf."""
    purchase = _purchase(request, purchase_id)
    if purchase.status != Purchase.Status.PAID:
        raise Http404
    return redirect("policies:pdf", purchase.policy_id)


@login_required
def purchase_receipt_pdf(request: HttpRequest, purchase_id: int) -> HttpResponse:
    purchase = _purchase(request, purchase_id)
    if purchase.status != Purchase.Status.PAID:
        raise Http404
    receipt = receipt_for(Receipt.Source.PURCHASE, purchase.pk)
    content = fiscal_receipt_pdf_bytes(receipt) if receipt else receipt_pdf_bytes(purchase)
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="receipt-purchase-{purchase.pk}.pdf"'
    return response


@login_required
def offers_view(request: HttpRequest) -> HttpResponse:
    links = {code: url for code, url in PRODUCTS if url}
    offers = [(offer, links.get(offer.product)) for offer in offers_for_user(request.user)]
    return render(request, "shop/offers.html", {"offers": offers})
