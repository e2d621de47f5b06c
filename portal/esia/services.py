from django.conf import settings
from django.db import transaction

from portal.accounts.models import AccountEvent, Consent, User
from portal.accounts.services.events import account_event_record


@transaction.atomic
def esia_signup_record(*, user: User) -> None:
    """What a signup through ESIA leaves besides the account allauth saved: the consent that the
    signup page states by its button, and the "registered" line of the account's history."""
    consent = Consent(
        user=user,
        document=Consent.Document.PERSONAL_DATA,
        version=settings.CONSENT_PERSONAL_DATA_VERSION,
        method=Consent.Method.ESIA,
    )
    consent.full_clean()
    consent.save()
    account_event_record(user=user, kind=AccountEvent.Kind.REGISTERED, via="esia")
