"""What the person is told by e-mail about their co-pay: the day-before notice of a charge, a
charge that did not go through, a refund back on their card."""

from __future__ import annotations

import datetime
import logging
from decimal import Decimal

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from gateways.payments_base import METHOD_GONE_CODES
from portal.accounts.models import NotificationKind
from portal.accounts.services import notification_wanted, notify
from portal.core.formatting import money

from ..models import Charge, CopayEnrollment, CopayNotice, Refund
from ..selectors import lines_chargeable

logger = logging.getLogger(__name__)


def _copay_url() -> str:
    return settings.PORTAL_PUBLIC_URL.rstrip("/") + "/copay/"


def copay_notice_send(*, enrollment_id: int, charge_day: datetime.date) -> bool:
    """The day-before notice of the amount and the lines. One per person and charge day; a
    notice whose e-mail failed is sent again by the next run."""
    enrollment = CopayEnrollment.objects.select_related("user", "insured_person").get(
        pk=enrollment_id
    )
    lines = list(lines_chargeable(insured_person_id=enrollment.insured_person_id))
    total = sum((line.copay_amount for line in lines), Decimal("0"))
    if not lines:
        return False
    notice, _created = CopayNotice.objects.get_or_create(
        insured_person_id=enrollment.insured_person_id,
        charge_day=charge_day,
        defaults={"amount": total},
    )
    if notice.sent_at is not None:
        return False
    context = {
        "person": enrollment.insured_person,
        "user": enrollment.user,  # the service names under their health-data consent only
        "lines": lines,
        "total": total,
        "charge_day": charge_day,
        "hotline": settings.HOTLINE_PHONE_DISPLAY,
    }
    if notification_wanted(enrollment.user, NotificationKind.COPAY_CHARGE, "email"):
        send_mail(
            _("Завтра будет списана со-оплата"),
            render_to_string("payments/email/notice.txt", context),
            None,
            [enrollment.user.email],
        )
    notify(
        user=enrollment.user,
        kind=NotificationKind.COPAY_CHARGE,
        title=_("Завтра будет списана со-оплата"),
        body=_("Сумма: %(amount)s") % {"amount": money(total)},
        url="/copay/",
    )
    CopayNotice.objects.filter(pk=notice.pk, sent_at__isnull=True).update(sent_at=timezone.now())
    return True


def charge_failed_notice_send(*, charge_id: int) -> None:
    """A charge did not go through (or awaits the person's confirmation): pay on the page."""
    charge = Charge.objects.select_related("user", "insured_person").get(pk=charge_id)
    context = {
        "charge": charge,
        "card_gone": charge.decline_code in METHOD_GONE_CODES,
        "copay_url": _copay_url(),
        "hotline": settings.HOTLINE_PHONE_DISPLAY,
    }
    send_mail(
        _("Не удалось списать со-оплату"),
        render_to_string("payments/email/charge_failed.txt", context),
        None,
        [charge.user.email],
    )


def refund_notice_send(*, refund_id: int) -> None:
    """The co-pay of a service not provided is back on the person's card."""
    refund = Refund.objects.select_related(
        "charge__user", "charge__card", "service_line__clinic"
    ).get(pk=refund_id)
    send_mail(
        _("Со-оплата возвращена на карту"),
        render_to_string(
            "payments/email/refund.txt",
            {
                "refund": refund,
                "user": refund.charge.user,  # the service name under their health consent only
                "line": refund.service_line,
                "card": refund.charge.card,
                "copay_url": _copay_url(),
                "hotline": settings.HOTLINE_PHONE_DISPLAY,
            },
        ),
        None,
        [refund.charge.user.email],
    )


def refund_refused_notice_send(*, refund_id: int) -> None:
    """The provider refused a refund on every try: the operators who may refund are told (and
    see it failed in the admin), so the money goes back another way."""
    from django.contrib.auth import get_user_model
    from django.db.models import Q

    refund = Refund.objects.select_related("charge__insured_person", "service_line").get(
        pk=refund_id
    )
    staff = (
        get_user_model()
        .objects.filter(is_active=True, is_staff=True)
        .filter(
            Q(groups__permissions__codename="refund_charge")
            | Q(user_permissions__codename="refund_charge")
            | Q(is_superuser=True)
        )
        .exclude(email="")
        .values_list("email", flat=True)
        .distinct()
    )
    recipients = sorted(set(staff))
    if not recipients:
        logger.error("refund %s refused for good and no operator to tell", refund.pk)
        return
    send_mail(
        _("Возврат со-оплаты не прошёл: нужна ручная обработка"),
        render_to_string("payments/email/refund_refused.txt", {"refund": refund}),
        None,
        recipients,
    )
