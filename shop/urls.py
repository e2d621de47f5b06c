from django.urls import path
from django.views.generic import RedirectView

from . import views

# No namespace: the shop's index keeps the URL name "shop" the base template already uses.
urlpatterns = [
    path("", views.shop_index, name="shop"),
    path("osago/", views.osago_quote, name="shop_osago"),
    path("osago/rules/", views.osago_rules, name="shop_osago_rules"),
    path("osago/towns/", views.osago_towns, name="shop_osago_towns"),
    path("accident/", views.personal_quote, {"product": "accident"}, name="shop_accident"),
    path(
        "accident/rules/", views.personal_rules, {"product": "accident"}, name="shop_accident_rules"
    ),
    path("oncology/", views.personal_quote, {"product": "oncology"}, name="shop_oncology"),
    path(
        "oncology/rules/", views.personal_rules, {"product": "oncology"}, name="shop_oncology_rules"
    ),
    path("property/", views.property_quote, name="shop_property"),
    path(
        "property/rules/", views.personal_rules, {"product": "property"}, name="shop_property_rules"
    ),
    path("kasko/", views.kasko_quote, name="shop_kasko"),
    path("kasko/rules/", views.personal_rules, {"product": "kasko"}, name="shop_kasko_rules"),
    # SPEC's /shop/<product>/: the travel product (ВЗР, code "vzr") is /shop/travel/.
    path("travel/", views.travel_quote, name="shop_vzr"),
    path("travel/rules/", views.personal_rules, {"product": "vzr"}, name="shop_vzr_rules"),
    # The product's code as a path too, for whoever follows /shop/<product>/ literally.
    path("vzr/", RedirectView.as_view(pattern_name="shop_vzr", permanent=True, query_string=True)),
    path("quotes/<int:quote_id>/", views.quote_detail, name="shop_quote"),
    path("purchases/<int:purchase_id>/", views.purchase_detail, name="shop_purchase"),
    path("purchases/<int:purchase_id>/pay/", views.purchase_pay_view, name="shop_pay"),
    path("purchases/<int:purchase_id>/checkout/", views.purchase_checkout, name="shop_checkout"),
    path("purchases/<int:purchase_id>/card/", views.purchase_card, name="shop_card"),
    path(
        "purchases/<int:purchase_id>/confirmed/",
        views.purchase_confirmed,
        name="shop_confirmed",
    ),
    path("purchases/<int:purchase_id>/cancel/", views.purchase_cancel_view, name="shop_cancel"),
    path(
        "purchases/<int:purchase_id>/policy.pdf", views.purchase_policy_pdf, name="shop_policy_pdf"
    ),
    path(
        "purchases/<int:purchase_id>/receipt.pdf",
        views.purchase_receipt_pdf,
        name="shop_receipt_pdf",
    ),
]
