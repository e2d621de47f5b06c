"""The demo accounts: the insured person, a staff member of each role and the administrator."""

import datetime
from dataclasses import dataclass

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from django.contrib.auth.models import Group

from employers.models import EmployerManager
from policies.models import InsuredPerson, Policyholder, PolicyLink
from portal.accounts.models import Consent, User
from portal.accounts.services import health_consent_give
from portal.core import roles

from .register import COMPANIES, DEMO_PERSON

# The published demo login (README), not a secret.
DEMO_PASSWORD = "demo-pass-2026"  # noqa: S105
DEMO_PASSPORT = ("4510", "123456")
DEMO_PIN = "2580"  # «Вход по PIN-коду» and PIN-confirmed actions of the demo person
# The admin asks staff for a code from an authenticator app (2FA). The demo staff share this
# published key: add it to any TOTP app (Google Authenticator, «Яндекс Ключ»...) to log in.
DEMO_STAFF_TOTP_SECRET = "PORTALDEMOSTAFFTOTPSECRETKEYAAAA"  # noqa: S105
CONSENT_VERSION = "2026-01"


@dataclass(frozen=True)
class StaffAccount:
    email: str
    password: str
    last_name: str
    first_name: str
    middle_name: str
    group: str | None
    superuser: bool = False
    company_inn: str | None = None  # the policyholder an HR manager manages


STAFF_ACCOUNTS: tuple[StaffAccount, ...] = (
    StaffAccount(
        "hr@example.com",
        "hr-pass-2026",
        "Петрова",
        "Ирина",
        "Сергеевна",
        roles.HR_MANAGER,
        company_inn=COMPANIES[0].inn,  # ООО «ТехноСфера»
    ),
    StaffAccount(
        "operator@example.com",
        "operator-pass-2026",
        "Григорьева",
        "Анна",
        "Викторовна",
        roles.SUPPORT_OPERATOR,
    ),
    StaffAccount(
        "network@example.com",
        "network-pass-2026",
        "Кузьмин",
        "Олег",
        "Николаевич",
        roles.NETWORK_MANAGER,
    ),
    StaffAccount(
        "register@example.com",
        "register-pass-2026",
        "Белова",
        "Марина",
        "Олеговна",
        roles.REGISTER_SPECIALIST,
    ),
    StaffAccount(
        "admin@example.com", "admin-pass-2026", "Орлов", "Дмитрий", "Андреевич", None, True
    ),
)


def _verified_address_ensure(user: User) -> None:
    # allauth refuses a login with an unverified address (ACCOUNT_EMAIL_VERIFICATION=mandatory).
    EmailAddress.objects.get_or_create(
        user=user, email=user.email, defaults={"verified": True, "primary": True}
    )


def demo_user_ensure(*, now: datetime.datetime) -> User:
    user = User.objects.filter(email__iexact=DEMO_PERSON.email).first()
    if user is None:
        user = User(
            email=DEMO_PERSON.email,
            last_name=DEMO_PERSON.name.last_name,
            first_name=DEMO_PERSON.name.first_name,
            middle_name=DEMO_PERSON.name.middle_name,
            birth_date=DEMO_PERSON.birth_date,
            phone=DEMO_PERSON.phone,
            phone_confirmed_at=now,
        )
        user.set_password(DEMO_PASSWORD)
        user.set_passport(*DEMO_PASSPORT)
        user.set_pin(DEMO_PIN)
        user.save()
    elif not user.pin_hash:
        user.set_pin(DEMO_PIN)
        user.save(update_fields=["pin_hash"])
    _verified_address_ensure(user)
    Consent.objects.get_or_create(
        user=user,
        document=Consent.Document.PERSONAL_DATA,
        version=CONSENT_VERSION,
        withdrawn_at=None,
        defaults={"given_at": now, "method": Consent.Method.DEMO},
    )
    # The service history with diagnoses is what the demo shows: its person has given the
    # separate health-data consent (once: a withdrawal in the demo stays withdrawn).
    if not Consent.objects.filter(user=user, document=Consent.Document.HEALTH_DATA).exists():
        health_consent_give(user=user, method=Consent.Method.DEMO)
    return user


# The second demo person: a DMS policy with a service history, and no health-data consent yet —
# /cases/ shows dates, clinics and amounts, and asks for the consent (PIN DEMO_PIN).
SECOND_DEMO_EMAIL = "demo2@example.com"
SECOND_DEMO_PASSPORT = ("4510", "654321")


def second_demo_user_ensure(*, person: InsuredPerson, now: datetime.datetime) -> User:
    user = User.objects.filter(email__iexact=SECOND_DEMO_EMAIL).first()
    if user is None:
        user = User(
            email=SECOND_DEMO_EMAIL,
            last_name=person.last_name,
            first_name=person.first_name,
            middle_name=person.middle_name,
            no_middle_name=not person.middle_name,
            birth_date=person.birth_date,
            phone="+79161234568",
            phone_confirmed_at=now,
        )
        user.set_password(DEMO_PASSWORD)
        user.set_passport(*SECOND_DEMO_PASSPORT)
        user.set_pin(DEMO_PIN)
        user.save()
    _verified_address_ensure(user)
    Consent.objects.get_or_create(
        user=user,
        document=Consent.Document.PERSONAL_DATA,
        version=CONSENT_VERSION,
        withdrawn_at=None,
        defaults={"given_at": now, "method": Consent.Method.DEMO},
    )
    return user


def staff_ensure() -> dict[str, User]:
    """Staff accounts by e-mail. The groups' permissions come from a data migration, not from
    here; a user is put in a group only when this run creates the user."""
    users = {}
    for account in STAFF_ACCOUNTS:
        user = User.objects.filter(email__iexact=account.email).first()
        if user is None:
            user = User(
                email=account.email,
                last_name=account.last_name,
                first_name=account.first_name,
                middle_name=account.middle_name,
                is_staff=True,
                is_superuser=account.superuser,
            )
            user.set_password(account.password)
            user.save()
            if account.group:
                group, _created = Group.objects.get_or_create(name=account.group)
                user.groups.add(group)
        elif account.group:
            Group.objects.get_or_create(name=account.group)
        _verified_address_ensure(user)
        _staff_totp_ensure(user)
        if account.company_inn:
            _employer_manager_ensure(user, account.company_inn)
        users[account.email] = user
    return users


def _staff_totp_ensure(user: User) -> None:
    if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
        TOTP.activate(user, DEMO_STAFF_TOTP_SECRET)


def _employer_manager_ensure(user: User, inn: str) -> None:
    """Ties the HR manager to their company (once: the pair is unique)."""
    company = Policyholder.objects.filter(inn=inn).first()
    if company is not None:
        EmployerManager.objects.get_or_create(user=user, policyholder=company)


def policy_links_ensure(
    *, user: User, links: list[tuple[InsuredPerson, str]], now: datetime.datetime
) -> None:
    """Links the user to each person nobody has linked yet (one active link per person)."""
    linked = set(
        PolicyLink.objects.filter(
            insured_person__in=[person for person, _relation in links], unlinked_at__isnull=True
        ).values_list("insured_person_id", flat=True)
    )
    PolicyLink.objects.bulk_create(
        [
            PolicyLink(user=user, insured_person=person, relation=relation, linked_at=now)
            for person, relation in links
            if person.pk not in linked
        ]
    )
