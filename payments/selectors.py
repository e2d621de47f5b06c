"""Reads of the co-pay side that other apps rely on."""

import datetime

from policies.models import InsuredPerson

from .models import CopayEnrollment


def copay_clinic_access_from(*, insured_person: InsuredPerson) -> datetime.datetime | None:
    """When the insured person may first visit clinics under their co-pay program (30 minutes
    after the card was bound); None while no card is bound or there is no enrollment."""
    return (
        CopayEnrollment.objects.filter(insured_person=insured_person)
        .values_list("clinic_access_from", flat=True)
        .first()
    )
