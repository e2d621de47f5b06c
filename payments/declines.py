"""What a person is told when the bank or the provider refused a payment: one Russian sentence
per decline code (ЮKassa's cancellation_details.reason, Stripe's decline codes)."""

from django.utils.translation import gettext_lazy as _

DECLINE_MESSAGES = {
    "3d_secure_failed": _("не пройдена проверка 3-D Secure — повторите и подтвердите оплату"),
    "call_issuer": _("банк отклонил оплату — позвоните в свой банк"),
    "card_expired": _("истёк срок действия карты — используйте другую карту"),
    "expired_card": _("истёк срок действия карты — используйте другую карту"),
    "country_forbidden": _("оплата картой этой страны невозможна — используйте другую карту"),
    "fraud_suspected": _("оплата заблокирована из-за подозрения в мошенничестве"),
    "general_decline": _("банк отклонил оплату — попробуйте другую карту"),
    "card_declined": _("банк отклонил оплату — попробуйте другую карту"),
    "identification_required": _("кошелёк не идентифицирован — используйте другой способ"),
    "insufficient_funds": _("на карте недостаточно средств"),
    "internal_timeout": _("платёжная система не дождалась ответа банка — попробуйте ещё раз"),
    "invalid_card_number": _("неверный номер карты"),
    "invalid_csc": _("неверный код CVC/CVV"),
    "issuer_unavailable": _("банк карты недоступен — попробуйте позже"),
    "payment_method_limit_exceeded": _("превышен лимит по карте"),
    "payment_method_restricted": _("операции по карте запрещены банком"),
    "permission_revoked": _("автоплатежи по карте отключены — привяжите карту заново"),
    "expired_on_confirmation": _("оплата не подтверждена вовремя"),
    "canceled_by_merchant": _("оплата отменена"),
}


def decline_message(code: str) -> str:
    return str(DECLINE_MESSAGES.get(code, _("банк отклонил оплату — попробуйте другую карту")))
