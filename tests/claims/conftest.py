"""Claims fixtures: the person's non-DMS policies, files of each kind, a private storage of the
test's own, and a service call that declares a valid claim."""

import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from claims.services import OtherParty, PayoutChoice, claim_submit
from policies.models import Policy
from portal.core.banking import bank_account_with_check_digit
from tests.factories import PolicyFactory, UserFactory

BIK = "044525974"
ACCOUNT = bank_account_with_check_digit(bik=BIK, account="40817810000012345678")

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 200
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 200
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n" + b" " * 100
HEIC = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 200
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 200


def upload(name: str, content: bytes, content_type: str = "image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def photo(name: str = "photo.jpg") -> SimpleUploadedFile:
    return upload(name, JPEG)


@pytest.fixture(autouse=True)
def private_storage(settings, tmp_path):
    """Uploads of these tests go to a folder of their own, never to var/private."""
    root = tmp_path / "private"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(root), "base_url": None},
        },
    }
    return root


def stored_files(root) -> list:
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def bought_policy(user, product: str = Policy.Product.KASKO, **kwargs) -> Policy:
    today = timezone.localdate()
    defaults = {
        "starts_on": today - datetime.timedelta(days=60),
        "ends_on": today + datetime.timedelta(days=300),
        "premium": Decimal("45000.00"),
        "product_data": {"vehicle": {"make": "Kia", "model": "Rio", "plate": "М123ОР777"}},
    }
    return PolicyFactory(
        product=product, insured_person=None, holder=user, **{**defaults, **kwargs}
    )


@pytest.fixture
def person(db):
    return UserFactory()


@pytest.fixture
def kasko(person):
    return bought_policy(person)


@pytest.fixture
def osago(person):
    return bought_policy(person, Policy.Product.OSAGO)


def an_hour_ago() -> datetime.datetime:
    return timezone.now() - datetime.timedelta(hours=1)


def submit(user, policy, **overrides):
    """claim_submit with a valid declaration of the policy's first event type."""
    kwargs = {
        "user": user,
        "policy": policy,
        "event_type": "dtp",
        "event_at": an_hour_ago(),
        "place": "Москва, Ленинградский пр., д. 39",
        "description": "На парковке у торгового центра задели задний бампер и фонарь.",
        "payout": PayoutChoice(method="bank", bik=BIK, account=ACCOUNT),
        "other_parties": [],
        "documents": [("photos", photo())],
    }
    if policy.product == Policy.Product.OSAGO:
        kwargs["other_parties"] = [OtherParty(name="Петров П. П.", policy_number="ХХХ 0123456789")]
    kwargs.update(overrides)
    return claim_submit(**kwargs)


@pytest.fixture
def health_consent(user):
    """`user` has given the separate consent to process health data (152-FZ art. 9)."""
    from portal.accounts.services import health_consent_give

    return health_consent_give(user=user)
