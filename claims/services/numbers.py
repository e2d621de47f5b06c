"""Claim numbers: «У-2026-000124», one sequence a year, never given twice."""

from django.db import transaction

from ..models import Claim, ClaimNumberSequence

NUMBER_FORMAT = "У-{year}-{serial:06d}"


def claim_number_format(*, year: int, serial: int) -> str:
    return NUMBER_FORMAT.format(year=year, serial=serial)


@transaction.atomic
def claim_number_next(*, year: int) -> str:
    """The next free number of the year. The year's row is locked until the caller's transaction
    ends, so two submissions never get the same number; a number taken by hand (in the admin) is
    skipped. A rolled-back submission gives its number back, as no claim ever carried it."""
    ClaimNumberSequence.objects.get_or_create(year=year)
    sequence = ClaimNumberSequence.objects.select_for_update().get(year=year)
    while True:
        sequence.last += 1
        number = claim_number_format(year=year, serial=sequence.last)
        if not Claim.objects.filter(number=number).exists():
            break
    sequence.save(update_fields=["last"])
    return number


@transaction.atomic
def claim_numbers_start_after(*, year: int, serial: int) -> None:
    """Let the year's numbers continue after `serial` (the demo data's history); never back."""
    ClaimNumberSequence.objects.get_or_create(year=year)
    sequence = ClaimNumberSequence.objects.select_for_update().get(year=year)
    if sequence.last < serial:
        sequence.last = serial
        sequence.save(update_fields=["last"])
