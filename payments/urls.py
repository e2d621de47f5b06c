from django.urls import path

from . import views

app_name = "payments"

urlpatterns = [
    path("", views.copay_page, name="copay"),
    path("terms/", views.copay_terms, name="terms"),
    path("<int:person_id>/consent/", views.copay_consent_view, name="consent"),
    path("<int:person_id>/card/", views.card_bind, name="card_bind"),
    path("<int:person_id>/card/attach/", views.card_attach_view, name="card_attach"),
    path("<int:person_id>/card/return/", views.card_return, name="card_return"),
    path("<int:person_id>/card/remove/", views.card_remove_view, name="card_remove"),
    path("<int:person_id>/withdraw/", views.copay_withdraw_view, name="withdraw"),
    path("<int:person_id>/pay/", views.pay_now, name="pay_now"),
    path("charges/<int:charge_id>/confirmed/", views.charge_confirmed, name="charge_confirmed"),
    path("receipts/<int:charge_id>.pdf", views.receipt_pdf, name="receipt"),
    path("refunds/<int:refund_id>.pdf", views.refund_receipt_pdf, name="refund_receipt"),
    path("receipts/<int:receipt_id>/", views.fiscal_receipt_page, name="fiscal_receipt"),
    path("receipts/<int:receipt_id>/pdf/", views.fiscal_receipt_pdf, name="fiscal_receipt_pdf"),
]
