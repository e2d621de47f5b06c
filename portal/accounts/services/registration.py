import datetime

from allauth.account.adapter import get_adapter
from allauth.account.internal.flows.password_reset import get_reset_password_url
from allauth.utils import build_absolute_uri
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
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
        method=Consent.Method.SIGNUP,
    )
    consent.full_clean()
    consent.save()
    account_event_record(user=user, kind=AccountEvent.Kind.REGISTERED)
    return user


def user_register_declined(
    *, request: HttpRequest, password: str, pin: str, passport_owner: User | None
) -> None:
    """A signup that creates no account: its e-mail or its passport is already registered
    (allauth's enumeration prevention, forms.SignupForm.try_save). It costs what user_register
    costs — the password and the PIN are hashed, then dropped — so that the answer's timing
    tells nothing. The passport's owner is told by e-mail; the e-mail's owner by allauth's
    «account already exists» letter."""
    make_password(password)
    make_password(pin)
    if passport_owner is not None:
        get_adapter(request).send_mail(
            "account/email/passport_already_registered",
            passport_owner.email,
            {
                "attempted_at": timezone.localtime(),
                "login_url": build_absolute_uri(request, reverse("account_login")),
                "password_reset_url": get_reset_password_url(request),
                "hotline": settings.HOTLINE_PHONE_DISPLAY,
            },
        )
