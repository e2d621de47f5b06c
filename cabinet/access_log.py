"""The weekly e-mail to a person who asked for it: the staff reads of their data in the week
that ended (role and staff number, never the name), sent only for a week that had any."""

import datetime

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.accounts.models import User

from .selectors import access_log_for_user, access_log_rows


def last_week(now: datetime.datetime) -> tuple[datetime.datetime, datetime.datetime]:
    """The last whole week, Monday 00:00 to Monday 00:00 local time, before `now`."""
    local = timezone.localtime(now)
    monday = (local - datetime.timedelta(days=local.weekday())).replace(
        hour=0, minute=0, second=0, microsecond=0
    )
    return monday - datetime.timedelta(days=7), monday


def access_log_digests_send(*, now: datetime.datetime | None = None) -> int:
    """Send each person who asked for it the last week's staff reads of their data; the number
    of letters sent."""
    start, end = last_week(now or timezone.now())
    url = settings.PORTAL_PUBLIC_URL.rstrip("/") + reverse("accounts:access_log")
    sent = 0
    people = User.objects.filter(access_log_digest=True, is_active=True, deleted_at__isnull=True)
    for user in people.iterator():
        entries = list(access_log_for_user(user).filter(at__gte=start, at__lt=end))
        if not entries:
            continue
        body = render_to_string(
            "accounts/email/access_log_digest.txt",
            {
                "rows": access_log_rows(entries),
                "start": timezone.localtime(start),
                "end": timezone.localtime(end) - datetime.timedelta(days=1),
                "url": url,
                "name": user.first_name,
            },
        )
        EmailMessage(
            _("Сотрудники страховой компании открывали ваши данные"), body, to=[user.email]
        ).send()
        sent += 1
    return sent
