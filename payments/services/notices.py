"""What the person is told by e-mail about their co-pay: the day-before notice of a charge, a
charge that did not go through, a refund back on their card."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import Charge, CopayEnrollment, CopayNotice, Refund
from ..selectors import lines_chargeable


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
        "lines": lines,
        "total": total,
        "charge_day": charge_day,
        "hotline": settings.HOTLINE_PHONE_DISPLAY,
    }
    send_mail(
        _("Завтра будет списана со-оплата"),
        render_to_string("payments/email/notice.txt", context),
        None,
        [enrollment.user.email],
    )
    CopayNotice.objects.filter(pk=notice.pk, sent_at__isnull=True).update(sent_at=timezone.now())
    return True


def charge_failed_notice_send(*, charge_id: int) -> None:
    """A charge did not go through (or awaits the person's confirmation): pay on the page."""
    charge = Charge.objects.select_related("user", "insured_person").get(pk=charge_id)
    context = {
        "charge": charge,
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
                "line": refund.service_line,
                "card": refund.charge.card,
                "copay_url": _copay_url(),
                "hotline": settings.HOTLINE_PHONE_DISPLAY,
            },
        ),
        None,
        [refund.charge.user.email],
    )
