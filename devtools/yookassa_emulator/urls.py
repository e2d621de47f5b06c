"""The emulator's paths: ЮKassa's API under v3/, its payment page, the tests' controls."""

from django.urls import path

from . import api, pages

app_name = "yookassa_emulator"
urlpatterns = [
    path("v3/payments", api.payments, name="payments"),
    path("v3/payments/<str:payment_id>", api.payment, name="payment"),
    path("v3/payments/<str:payment_id>/capture", api.payment_capture, name="capture"),
    path("v3/payments/<str:payment_id>/cancel", api.payment_cancel_view, name="cancel"),
    path("v3/refunds", api.refunds, name="refunds"),
    path("v3/refunds/<str:refund_id>", api.refund, name="refund"),
    path("v3/payment_methods/<str:method_id>", api.payment_method, name="payment_method"),
    path("v3/receipts", api.receipts, name="receipts"),
    path("v3/receipts/<str:receipt_id>", api.receipt, name="receipt"),
    path("checkout/<str:payment_id>/", pages.checkout, name="checkout"),
    path("_control/<str:what>", pages.control, name="control"),
]
