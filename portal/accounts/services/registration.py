import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from portal.accounts.models import AccountEvent, Consent, User

from .events import account_event_record


@transaction.atomic
def user_register(
    *,
    email: str,
    password: str,
    last_name: str,
    first_name: str,
    middle_name: str,
    no_middle_name: bool,
    birth_date: datetime.date,
    passport_series: str,
    passport_number: str,
    phone: str,
    pin: str,
) -> User:
    """A new account from the signup form. The phone is kept unconfirmed until the SMS code is
    entered (accounts.stages); the consent to personal data processing is its own row."""
    now = timezone.now()
    user = User(
        email=email.strip().lower(),
        last_name=last_name,
        first_name=first_name,
        middle_name="" if no_middle_name else middle_name,
        no_middle_name=no_middle_name,
        birth_date=birth_date,
        phone=phone,
        phone_confirmed_at=None,
        date_joined=now,
    )
    user.set_password(password)
    user.set_passport(passport_series, passport_number)
    user.set_pin(pin)
    user.full_clean()
    user.save()

    consent = Consent(
        user=user,
        document=Consent.Document.PERSONAL_DATA,
        version=settings.CONSENT_PERSONAL_DATA_VERSION,
        given_at=now,
    )
    consent.full_clean()
    consent.save()
    account_event_record(user=user, kind=AccountEvent.Kind.REGISTERED)
    return user
