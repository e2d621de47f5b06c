import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from shop import rates


class Command(BaseCommand):
    help = (
        "Fetch the Bank of Russia's EUR rate for a day (default: tomorrow, as the daily task "
        "does: the Bank answers with the latest rate it has set) and store it."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--date", type=datetime.date.fromisoformat, help="YYYY-MM-DD (default: tomorrow)"
        )

    def handle(self, *args, date: datetime.date | None, **options):
        day = date or timezone.localdate() + datetime.timedelta(days=1)
        result = rates.currency_rate_fetch(day=day)
        if result.outcome in ("off", "failed"):
            raise CommandError(f"No rate stored for {day:%d.%m.%Y}: {result.detail}")
        row = result.rate
        message = f"{row.currency} {row.day:%d.%m.%Y}: {row.rate} руб. ({row.source}) — "
        message += {
            "created": "stored",
            "unchanged": "already stored",
            "kept": f"a different rate is stored and kept; {result.detail}",
        }[result.outcome]
        style = self.style.WARNING if result.outcome == "kept" else self.style.SUCCESS
        self.stdout.write(style(message))
