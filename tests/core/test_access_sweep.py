"""Cross-user access sweep: every URL pattern of the project that takes an object id or token.

The resolver is walked (every include and namespace); a pattern takes an id when its route has a
converter or its regex a named group. Each such pattern is either in OWNED (a builder makes the
object for its owner, then the owner, another insured person, an HR manager of another company
and an anonymous visitor ask for it), in SHARED (the insurer's clinic directory: every logged-in
person may see it, visitors are sent to the login), or in PUBLIC with the reason. A pattern in
none of them fails the sweep: a new object URL must be added here with its rule.

The admin is the admin's permission model: persons and visitors are sent to the admin's login,
and an HR manager of company X asking for company Y's insured person gets no change page.
"""

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from claims.models import ClaimDocument
from clinics.models import SavedPlace
from employers.models import EmployerManager
from employers.selectors import HR_GROUP
from feedback.models import AppealAttachment
from payments.models import Charge, ChargeLine, CopayEnrollment, PaymentCard, Receipt, Refund
from policies.models import Policy
from portal.accounts.models import IdentifierChangeRequest, RememberedDevice, User
from shop.models import Purchase, Quote, TariffVersion
from tests.conftest import staff_login
from tests.factories import (
    AppealFactory,
    AppealMessageFactory,
    AppointmentFactory,
    CareKindFactory,
    ClaimFactory,
    ClinicFactory,
    ContractFactory,
    GuaranteeLetterFactory,
    InsuredPersonFactory,
    PolicyFactory,
    PolicyLinkFactory,
    ServiceLineFactory,
    SlotFactory,
    StaffUserFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"


@dataclass(frozen=True)
class Owned:
    """An object of one person: `build(owner, person)` makes it and returns the URL kwargs."""

    build: Callable[[User, object], dict]
    method: str = "get"
    owner_status: int = 200


def _policy(owner, person) -> Policy:
    return PolicyFactory(insured_person=person)


def _claim(owner, person):
    policy = PolicyFactory(osago=True, holder=owner)
    return ClaimFactory(policy=policy, user=owner)


def _claim_document(owner, person) -> dict:
    claim = _claim(owner, person)
    document = ClaimDocument.objects.create(
        claim=claim,
        kind="photo",
        file=ContentFile(b"%PDF-1.4\n", name="talon.pdf"),
        original_name="talon.pdf",
        content_type="application/pdf",
        size=9,
        uploaded_by=owner,
    )
    return {"pk": claim.pk, "document_id": document.pk}


def _appeal(owner, person):
    appeal = AppealFactory(user=owner)
    AppealMessageFactory(appeal=appeal)
    return appeal


def _answered_appeal(owner, person) -> dict:
    appeal = _appeal(owner, person)
    AppealMessageFactory(
        appeal=appeal, author=StaffUserFactory(), from_staff=True, body="Ответ оператора."
    )
    return {"pk": appeal.pk}


def _appeal_attachment(owner, person) -> dict:
    appeal = _appeal(owner, person)
    attachment = AppealAttachment.objects.create(
        appeal=appeal,
        file=ContentFile(b"%PDF-1.4\n", name="scan.pdf"),
        original_name="scan.pdf",
        content_type="application/pdf",
    )
    return {"pk": appeal.pk, "attachment_id": attachment.pk}


def _appointment(owner, person) -> dict:
    slot = SlotFactory(starts_at=timezone.now() + datetime.timedelta(days=3))
    return {"pk": AppointmentFactory(user=owner, insured_person=person, slot=slot).pk}


def _enrolled(owner, person) -> dict:
    """The person's co-pay consent given, no card yet."""
    CopayEnrollment.objects.create(
        user=owner,
        insured_person=person,
        program=person.program,
        consent_at=timezone.now(),
        terms_version="2026-01",
    )
    return {"person_id": person.pk}


def _charge(owner, person) -> dict:
    return {"charge_id": _settled_charge(owner, person).pk}


def _refund(owner, person) -> dict:
    charge = _settled_charge(owner, person)
    line = ServiceLineFactory(insured_person=person, copay_amount=Decimal("544.00"))
    charge_line = ChargeLine.objects.create(
        charge=charge, service_line=line, amount=Decimal("544.00"), active=False
    )
    refund = Refund.objects.create(
        charge=charge,
        charge_line=charge_line,
        service_line=line,
        idempotency_key=f"sweep-refund-{owner.pk}",
        amount=Decimal("544.00"),
        status=Refund.Status.SUCCEEDED,
        settled_at=timezone.now(),
    )
    return {"refund_id": refund.pk}


def _receipt(owner, person) -> dict:
    charge = _settled_charge(owner, person)
    receipt = Receipt.objects.create(
        user=owner,
        kind=Receipt.Kind.INCOME,
        source=Receipt.Source.COPAY,
        source_id=charge.pk,
        gateway="stripe",
        provider_payment_id=f"pi_sweep_{owner.pk}",
        amount=charge.amount,
        items=[{"description": "Со-оплата", "quantity": "1", "amount": str(charge.amount)}],
        customer_contact=owner.email,
        seller_name="АО «Страховая компания»",
        seller_inn="7700000000",
        paid_at=charge.settled_at,
        status=Receipt.Status.NOT_FISCAL,
    )
    return {"receipt_id": receipt.pk}


def _clinic_list(owner, person) -> dict:
    kind = CareKindFactory()
    person.program.care_kinds.add(kind)
    return {"policy_pk": _policy(owner, person).pk, "care_kind": kind.code}


def _settled_charge(owner, person) -> Charge:
    now = timezone.now()
    enrollment = CopayEnrollment.objects.create(
        user=owner,
        insured_person=person,
        program=person.program,
        consent_at=now,
        terms_version="2026-01",
        card_bound_at=now,
        clinic_access_from=now,
    )
    card = PaymentCard.objects.create(
        user=owner,
        enrollment=enrollment,
        provider_customer_id="cus_sweep",
        provider_payment_method_id=f"pm_sweep_{owner.pk}",
        brand="visa",
        last4="4242",
        exp_month=12,
        exp_year=2031,
    )
    charge = Charge.objects.create(
        user=owner,
        insured_person=person,
        card=card,
        day=timezone.localdate(),
        kind=Charge.Kind.ON_SESSION,
        idempotency_key=f"sweep-{owner.pk}",
        amount=Decimal("544.00"),
        status=Charge.Status.SUCCEEDED,
        settled_at=now,
    )
    return charge


# What the shop writes into an ОСАГО policy (its PDF prints every line).
OSAGO_DATA = {
    "make": "Lada",
    "model": "Vesta",
    "year": 2020,
    "vin": "XTA21099043512345",
    "body_number": "",
    "plate": "А123ВС77",
    "registration_document": "99 12 345678",
    "power_hp": 110,
    "months": 12,
    "unlimited": True,
    "drivers": [],
}


def _quote(owner, person) -> Quote:
    version, _created = TariffVersion.objects.get_or_create(
        code="sweep", defaults={"title": "sweep", "valid_from": datetime.date(2025, 1, 1)}
    )
    return Quote.objects.create(
        user=owner,
        product=Policy.Product.OSAGO,
        inputs=OSAGO_DATA,
        premium=Decimal("12648.64"),
        tariff_version=version,
        expires_at=timezone.now() + datetime.timedelta(hours=1),
    )


def _purchase(owner, person, *, paid: bool = False) -> dict:
    quote = _quote(owner, person)
    policy = PolicyFactory(
        osago=True,
        holder=owner,
        status=Policy.Status.ACTIVE if paid else Policy.Status.AWAITING_PAYMENT,
        product_data=OSAGO_DATA,
    )
    purchase = Purchase.objects.create(
        user=owner,
        quote=quote,
        policy=policy,
        amount=quote.premium,
        rules_version="2026-01",
        rules_accepted_at=timezone.now(),
        status=Purchase.Status.PAID if paid else Purchase.Status.CREATED,
        paid_at=timezone.now() if paid else None,
        provider_payment_id=f"pi_sweep_{owner.pk}" if paid else "",
    )
    return {"purchase_id": purchase.pk}


def _paid_purchase(owner, person) -> dict:
    """Paid: its pages need no call to the payment provider (the sweep has no network)."""
    return _purchase(owner, person, paid=True)


def _identifier_change(owner, person) -> dict:
    change_request = IdentifierChangeRequest.objects.create(
        user=owner,
        created_by=StaffUserFactory(),
        field=IdentifierChangeRequest.Field.EMAIL,
        old_value=owner.email,
        new_value=f"new-{owner.pk}@example.com",
        expires_at=timezone.now() + datetime.timedelta(days=1),
    )
    return {"pk": change_request.pk}


def _device(owner, person) -> dict:
    device = RememberedDevice.objects.create(user=owner, device_hash=f"{owner.pk:064d}")
    return {"pk": device.pk}


OWNED: dict[str, Owned] = {
    "profile/devices/<int:pk>/forget/": Owned(_device, "post", 302),
    "profile/identity/<int:pk>/": Owned(_identifier_change),
    "profile/identity/<int:pk>/code/": Owned(_identifier_change, "post", 302),
    "profile/identity/<int:pk>/esia/": Owned(_identifier_change, "post", 302),
    "profile/identity/<int:pk>/cancel/": Owned(_identifier_change, "post", 302),
    "policies/<int:pk>/": Owned(lambda o, p: {"pk": _policy(o, p).pk}),
    "policies/<int:pk>/pdf/": Owned(lambda o, p: {"pk": _policy(o, p).pk}),
    "policies/<int:pk>/program/pdf/": Owned(lambda o, p: {"pk": _policy(o, p).pk}),
    "policies/<int:pk>/card/": Owned(lambda o, p: {"pk": _policy(o, p).pk}),
    "policies/<int:pk>/pdf/status/": Owned(lambda o, p: {"pk": _policy(o, p).pk}),
    "appointments/<int:pk>/cancel/": Owned(_appointment, "post", 302),
    "appointments/<int:pk>/move/": Owned(_appointment),
    "appointments/<int:pk>/calendar.ics": Owned(_appointment),
    "claims/<int:pk>/": Owned(lambda o, p: {"pk": _claim(o, p).pk}),
    # no file in the POST: the owner is told so (400); the others never reach the form
    "claims/<int:pk>/documents/": Owned(lambda o, p: {"pk": _claim(o, p).pk}, "post", 400),
    "claims/<int:pk>/documents/send/": Owned(lambda o, p: {"pk": _claim(o, p).pk}, "post", 302),
    "claims/<int:pk>/documents/<int:document_id>/": Owned(_claim_document),
    "appeals/<int:pk>/": Owned(lambda o, p: {"pk": _appeal(o, p).pk}),
    "appeals/<int:pk>/answer.pdf": Owned(_answered_appeal),
    "appeals/<int:pk>/files/<int:attachment_id>/": Owned(_appeal_attachment),
    # An empty POST is a form with errors (shown again, 200) or a refusal message (302): either
    # way the owner reaches the view, and the others get 404 before any form is read.
    "copay/<int:person_id>/consent/": Owned(lambda o, p: {"person_id": p.pk}, "post", 200),
    "copay/<int:person_id>/card/": Owned(_enrolled, "post", 200),
    "copay/<int:person_id>/card/attach/": Owned(_enrolled, "post", 302),
    "copay/<int:person_id>/card/remove/": Owned(_enrolled, "post", 200),
    "copay/<int:person_id>/card/return/": Owned(_enrolled, "get", 302),
    "copay/<int:person_id>/withdraw/": Owned(_enrolled, "post", 200),
    # an empty POST shows the amount and the card to confirm first (issue 21's pay-now page)
    "copay/<int:person_id>/pay/": Owned(_enrolled, "post", 200),
    "copay/charges/<int:charge_id>/confirmed/": Owned(_charge, "post", 302),
    "copay/receipts/<int:charge_id>.pdf": Owned(_charge),
    "copay/refunds/<int:refund_id>.pdf": Owned(_refund),
    "copay/receipts/<int:receipt_id>/": Owned(_receipt),
    "copay/receipts/<int:receipt_id>/pdf/": Owned(_receipt),
    "clinics/pdf/<int:policy_pk>/<slug:care_kind>.pdf": Owned(_clinic_list),
    "shop/quotes/<int:quote_id>/": Owned(lambda o, p: {"quote_id": _quote(o, p).pk}),
    "shop/purchases/<int:purchase_id>/": Owned(_purchase),
    "shop/purchases/<int:purchase_id>/pay/": Owned(_paid_purchase, "get", 302),
    "shop/purchases/<int:purchase_id>/card/": Owned(_purchase, "post", 302),
    "shop/purchases/<int:purchase_id>/confirmed/": Owned(_paid_purchase, "post", 302),
    "shop/purchases/<int:purchase_id>/cancel/": Owned(_purchase, "post", 302),
    # the policy is the insurer's document (issue 22): sent on to the owner's /policies/<pk>/pdf/
    "shop/purchases/<int:purchase_id>/policy.pdf": Owned(_paid_purchase, owner_status=302),
    "shop/purchases/<int:purchase_id>/receipt.pdf": Owned(_paid_purchase),
    "shop/purchases/<int:purchase_id>/checkout/": Owned(_paid_purchase, "post", 302),
    "guarantee-letters/<int:pk>/pdf/": Owned(
        lambda o, p: {"pk": GuaranteeLetterFactory(user=o, insured_person=p, issued=True).pk}
    ),
}

# The insurer's clinic directory: the same for every logged-in person; visitors log in first.
# (A report "clinic refused" is a POST: an empty one is shown again with its errors or sent back.)
SHARED: dict[str, tuple[str, Callable[[], dict]]] = {
    "clinics/<int:pk>/": ("get", lambda: {"pk": ClinicFactory().pk}),
    "clinics/<int:pk>/report/": ("post", lambda: {"pk": ClinicFactory().pk}),
    "clinics/<int:pk>/book/<int:slot_pk>/": (
        "get",
        lambda: (lambda slot: {"pk": slot.doctor.clinic_id, "slot_pk": slot.pk})(SlotFactory()),
    ),
}

# Scoped by the requesting user, not by an id: the kwarg names one of the person's own rows.
PER_USER = {
    "clinics/places/<str:kind>/delete/": "«home» or «work» of request.user's saved places",
}

_YOOKASSA_EMULATOR = "the ЮKassa emulator, as above: ЮKassa's API, guarded by shop id and key"

PUBLIC = {
    "verify/<str:token>/": "the QR code of a policy PDF: a reception desk checks validity; "
    "the token is random (not an id) and the page shows initials only",
    "accounts/^confirm-email/(?P<key>[-:\\w]+)/$": "allauth's e-mail confirmation: the signed key "
    "is the credential",
    "accounts/^password/reset/key/(?P<uidb36>[0-9A-Za-z]+)-(?P<key>.+)/$": "allauth's password "
    "reset: the token is the credential",
    "fcm-emulator/v1/projects/<str:project>/messages:send": "the FCM emulator (development and "
    "tests only; production refuses to start with it): FCM's API, guarded by the service "
    "account's bearer and its project as FCM's is",
    "push-emulator/push/<str:token>/": "the push service emulator (development and tests only; "
    "production refuses to start with it): a push service's endpoint, the token is random",
    "esia-emulator/rs/prns/<str:oid>": "the ESIA emulator (development and tests only; production "
    "refuses to start with it): ESIA's REST API, guarded by the bearer token as ESIA's is",
    "esia-emulator/rs/prns/<str:oid>/docs": "the ESIA emulator, as above",
    "esia-emulator/rs/prns/<str:oid>/ctts": "the ESIA emulator, as above",
    "yookassa-emulator/_control/<str:what>": "the ЮKassa emulator (development and tests only; "
    "production refuses to start with it): its test controls",
    "yookassa-emulator/checkout/<str:payment_id>/": _YOOKASSA_EMULATOR,
    "yookassa-emulator/v3/payment_methods/<str:method_id>": _YOOKASSA_EMULATOR,
    "yookassa-emulator/v3/payments/<str:payment_id>": _YOOKASSA_EMULATOR,
    "yookassa-emulator/v3/payments/<str:payment_id>/cancel": _YOOKASSA_EMULATOR,
    "yookassa-emulator/v3/payments/<str:payment_id>/capture": _YOOKASSA_EMULATOR,
    "yookassa-emulator/v3/receipts/<str:receipt_id>": _YOOKASSA_EMULATOR,
    "yookassa-emulator/v3/refunds/<str:refund_id>": _YOOKASSA_EMULATOR,
}


# The API of the store apps (/api/v1/): the same objects, asked with a session token
# (X-Session-Token) instead of the session cookie. Without a token: 401; another person's token:
# 404. A POST carries a body the endpoint accepts, so that the answer is the owner check's and
# not the input check's.
@dataclass(frozen=True)
class ApiOwned:
    build: Callable[[User, object], dict]
    method: str = "get"
    owner_status: int = 200
    data: dict | None = None
    multipart: bool = False


API_OWNED: dict[str, ApiOwned] = {
    "api/v1/policies/<int:pk>": ApiOwned(lambda o, p: {"pk": _policy(o, p).pk}),
    # the PDF is made after the commit, which a test never reaches: «being made» (202)
    "api/v1/policies/<int:pk>/pdf": ApiOwned(
        lambda o, p: {"pk": _policy(o, p).pk}, owner_status=202
    ),
    "api/v1/appointments/<int:pk>": ApiOwned(_appointment),
    "api/v1/appointments/<int:pk>/calendar.ics": ApiOwned(_appointment),
    "api/v1/appointments/<int:pk>/cancel": ApiOwned(_appointment, "post"),
    # a slot that is not the doctor's: the owner is told so (400), the others never get there
    "api/v1/appointments/<int:pk>/move": ApiOwned(_appointment, "post", 400, {"slot_id": 1}),
    "api/v1/claims/<int:pk>": ApiOwned(lambda o, p: {"pk": _claim(o, p).pk}),
    # no file: the owner is told so (400)
    "api/v1/claims/<int:pk>/documents": ApiOwned(
        lambda o, p: {"pk": _claim(o, p).pk}, "post", 400, {}, multipart=True
    ),
    "api/v1/claims/<int:pk>/documents/<int:document_id>": ApiOwned(_claim_document),
    "api/v1/appeals/<int:pk>": ApiOwned(lambda o, p: {"pk": _appeal(o, p).pk}),
    "api/v1/appeals/<int:pk>/messages": ApiOwned(
        lambda o, p: {"pk": _appeal(o, p).pk}, "post", 201, {"body": "Ещё вопрос"}, True
    ),
    "api/v1/appeals/<int:pk>/files/<int:attachment_id>": ApiOwned(_appeal_attachment),
    "api/v1/copay/<int:person_id>/pay": ApiOwned(_enrolled, "post"),
}

# The insurer's clinic directory through the API: any person's token, never none.
API_SHARED: dict[str, Callable[[], dict]] = {
    "api/v1/clinics/<int:pk>": lambda: {"pk": ClinicFactory().pk},
    "api/v1/clinics/<int:pk>/slots": lambda: {"pk": SlotFactory().doctor.clinic_id},
}


def _walk(resolver: URLResolver, prefix: str = "") -> list[tuple[str, URLPattern]]:
    found = []
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            found += _walk(entry, route)
        else:
            found.append((route, entry))
    return found


def _takes_an_id(route: str, pattern: URLPattern) -> bool:
    return bool(pattern.pattern.converters) or bool(re.search(r"\(\?P<", route)) or "<" in route


def patterns_with_ids() -> set[str]:
    return {
        route
        for route, pattern in _walk(get_resolver())
        if not route.startswith("admin/") and _takes_an_id(route, pattern)
    }


def url_of(route: str, kwargs: dict) -> str:
    path = route
    for name, value in kwargs.items():
        path = re.sub(rf"<(?:\w+:)?{name}>", str(value), path)
    assert "<" not in path, path
    return "/" + path


def test_every_pattern_with_an_id_is_in_the_sweep():
    covered = set(OWNED) | set(SHARED) | set(PER_USER) | set(PUBLIC) | set(API_OWNED)
    covered |= set(API_SHARED)

    discovered = patterns_with_ids()

    assert discovered - covered == set(), "URL с идентификатором не проверяется на чужой доступ"
    assert covered - discovered == set(), "в таблице остался путь, которого больше нет"


@pytest.fixture
def people(private_storage):
    owner = UserFactory()
    person = InsuredPersonFactory(
        last_name=owner.last_name,
        first_name=owner.first_name,
        middle_name=owner.middle_name,
        birth_date=owner.birth_date,
        email=owner.email,
    )
    PolicyLinkFactory(user=owner, insured_person=person)
    stranger = UserFactory()
    PolicyLinkFactory(user=stranger, insured_person=InsuredPersonFactory())
    other_company = ContractFactory()
    hr = StaffUserFactory()
    hr.groups.add(Group.objects.get(name=HR_GROUP))
    EmployerManager.objects.create(user=hr, policyholder=other_company.policyholder)
    return owner, person, stranger, hr


@pytest.fixture
def private_storage(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "private"), "base_url": None},
        },
    }


def _request(client, method: str, url: str):
    return client.post(url) if method == "post" else client.get(url)


@pytest.mark.parametrize("route", sorted(OWNED))
def test_an_object_url_answers_its_owner_only(route, people, client):
    owner, person, stranger, hr = people
    rule = OWNED[route]
    url = url_of(route, rule.build(owner, person))

    # anonymous: to the login page
    response = _request(client, rule.method, url)
    assert response.status_code == 302 and response["Location"].startswith(LOGIN), url

    # another insured person: nothing there
    client.force_login(stranger)
    assert _request(client, rule.method, url).status_code == 404, url

    # an HR manager of another company (staff, in the cabinet): nothing there either
    staff_login(client, hr)
    assert _request(client, rule.method, url).status_code in (403, 404), url

    # the owner: the view's normal answer (asked last: a POST may change the object)
    client.force_login(owner)
    assert _request(client, rule.method, url).status_code == rule.owner_status, url


def session_token(user: User) -> str:
    """A session token of allauth's headless login for apps, as /_allauth/app/v1/auth/login
    hands one out after the password (tests/api logs in that way)."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return session.session_key


def _api_request(client, rule: ApiOwned, url: str, token: str | None):
    headers = {"X-Session-Token": token} if token else {}
    if rule.method == "get":
        return client.get(url, headers=headers)
    if rule.multipart:
        return client.post(url, rule.data or {}, headers=headers)
    return client.post(url, rule.data or {}, content_type="application/json", headers=headers)


@pytest.mark.parametrize("route", sorted(API_OWNED))
def test_an_api_object_answers_its_owner_only(route, people, client):
    owner, person, stranger, hr = people
    rule = API_OWNED[route]
    url = url_of(route, rule.build(owner, person))

    # no token, or one that names no session: 401, JSON in Russian
    response = _api_request(client, rule, url, None)
    assert response.status_code == 401, url
    assert response.json()["detail"].startswith("Войдите")
    assert _api_request(client, rule, url, "no-such-session").status_code == 401, url

    # another insured person's token: nothing there
    response = _api_request(client, rule, url, session_token(stranger))
    assert response.status_code == 404, (url, response.content)
    assert response.json() == {"detail": "Не найдено"}

    # an HR manager (staff: the API is the insured persons')
    assert _api_request(client, rule, url, session_token(hr)).status_code in (401, 403, 404)

    # the owner: the endpoint's normal answer (asked last: a POST may change the object)
    response = _api_request(client, rule, url, session_token(owner))
    assert response.status_code == rule.owner_status, (url, response.content)


@pytest.mark.parametrize("route", sorted(API_SHARED))
def test_the_api_clinic_directory_needs_a_token(route, people, client):
    _owner, _person, stranger, _hr = people
    url = url_of(route, API_SHARED[route]())

    assert client.get(url).status_code == 401
    assert client.get(url, headers={"X-Session-Token": session_token(stranger)}).status_code == 200


@pytest.mark.parametrize("route", sorted(SHARED))
def test_the_clinic_directory_is_for_logged_in_people(route, people, client):
    owner, _person, stranger, _hr = people
    method, url = SHARED[route]
    url = url_of(route, url())

    response = _request(client, method, url)
    assert response.status_code == 302 and response["Location"].startswith(LOGIN), url

    client.force_login(stranger)
    assert _request(client, method, url).status_code in (200, 302), url


# The person's own pages without an id (health data under 152-FZ): each shows the logged-in
# person's own rows only; a visitor is sent to the login.
OWN_PAGES = (
    "/profile/consents/",
    "/profile/consents/health/",
    "/profile/consents/personal-data/withdraw/",
    "/profile/access-log/",
)


@pytest.mark.parametrize("url", OWN_PAGES)
def test_the_persons_consent_and_access_log_pages_are_their_own(url, people, client):
    from portal.accounts.models import Consent
    from portal.accounts.services import health_consent_give
    from portal.core.audit import audit_log_change

    owner, person, stranger, _hr = people
    consent = health_consent_give(user=owner)
    audit_log_change(
        staff_user=StaffUserFactory(), subject=person, person_label="x", what="карточка владельца"
    )

    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith(LOGIN), url

    client.force_login(stranger)
    page = client.get(url).content.decode()
    assert consent.text_hash not in page and "карточка владельца" not in page, url
    # the withdrawal is the stranger's own, of nothing: the owner's consent stays
    client.post("/profile/consents/health/withdraw/", {"pin": "", "consent": consent.pk})
    assert Consent.objects.get(pk=consent.pk).withdrawn_at is None

    client.force_login(owner)
    assert client.get(url).status_code == 200, url


def test_a_saved_place_is_deleted_only_by_its_person(people, client):
    owner, _person, stranger, _hr = people
    place = SavedPlace.objects.create(
        user=owner, kind=SavedPlace.Kind.HOME, label="Дом", latitude=55.75, longitude=37.61
    )
    url = reverse("saved_place_delete", args=[SavedPlace.Kind.HOME])

    assert client.post(url)["Location"].startswith(LOGIN)
    client.force_login(stranger)
    client.post(url)

    assert SavedPlace.objects.filter(pk=place.pk).exists()


def test_the_admin_keeps_persons_visitors_and_other_companies_out(people, client):
    owner, person, _stranger, hr = people
    change = reverse("admin:policies_insuredperson_change", args=[person.pk])

    # a visitor and an insured person are sent to a login page
    assert client.get(change).status_code == 302
    client.force_login(owner)
    response = client.get(change)
    assert response.status_code == 302 and "login" in response["Location"]

    # the HR manager of another company gets no change page of this company's person
    staff_login(client, hr)
    assert client.get(change).status_code == 404
    changelist = client.get(reverse("admin:policies_insuredperson_changelist"))
    assert changelist.status_code == 200
    assert person.policy_number not in changelist.content.decode()
    contract_import = f"/admin/policies/contract/{person.contract_id}/import/"
    assert client.get(contract_import).status_code == 404
