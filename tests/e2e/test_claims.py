"""Claims journey: the demo person declares a КАСКО claim with a photo, the operator asks for a
document, the person uploads it and sends it; on a phone and on a desktop."""

import datetime
import io
from decimal import Decimal

import pytest
from django.utils import timezone
from PIL import Image

from claims.models import Claim
from claims.services import claim_set_status
from policies.models import Policy
from portal.accounts.models import User
from portal.core.banking import bank_account_with_check_digit
from tests.factories import PolicyFactory

from .conftest import DEMO_LOGIN, DESKTOP, PHONE, log_in, screenshot

BIK = "044525225"
ACCOUNT = bank_account_with_check_digit(bik=BIK, account="40817810938160925982")


def jpeg_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (320, 240), (180, 40, 40)).save(buffer, "JPEG")
    return buffer.getvalue()


def pdf_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (200, 280), (255, 255, 255)).save(buffer, "PDF")
    return buffer.getvalue()


@pytest.fixture
def private_storage(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "private"), "base_url": None},
        },
    }


@pytest.fixture
def kasko(demo_data) -> Policy:
    demo = User.objects.get(email=DEMO_LOGIN[0])
    today = timezone.localdate()
    return PolicyFactory(
        product=Policy.Product.KASKO,
        insured_person=None,
        holder=demo,
        number="КАСКО-2026-0042",
        starts_on=today - datetime.timedelta(days=90),
        ends_on=today + datetime.timedelta(days=275),
        premium=Decimal("52300.00"),
        product_data={"vehicle": {"make": "Kia", "model": "Rio", "plate": "М123ОР777"}},
    )


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_declare_a_kasko_claim_and_send_a_requested_document(
    kasko, private_storage, page_factory, viewport
):
    page = page_factory(viewport)
    log_in(page, *DEMO_LOGIN)

    # the policy step lists the КАСКО and ОСАГО policies (not the DMS one)
    page.goto("/claims/new/")
    assert page.get_by_role("link", name="КАСКО").is_visible()
    screenshot(page, "claim-new-policy")
    page.get_by_role("link", name="КАСКО").click()
    page.get_by_role("link", name="ДТП").click()

    # the declaration
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    page.get_by_label("Дата события").fill(yesterday.isoformat())
    page.get_by_label("Время").fill("18:20")
    page.get_by_label("Место").fill("Москва, Ленинградский пр., д. 39, парковка ТЦ")
    page.get_by_label("Что произошло").fill(
        "При выезде с парковки другой автомобиль задел задний бампер и правый фонарь."
    )
    page.locator('input[name="doc_photos"]').set_input_files(
        [{"name": "IMG_2041.jpg", "mimeType": "image/jpeg", "buffer": jpeg_bytes()}]
    )
    page.get_by_label("Перечислить на банковский счёт").check()
    page.get_by_label("БИК банка").fill(BIK)
    page.get_by_label("Номер счёта").fill(ACCOUNT)
    screenshot(page, "claim-form")
    page.get_by_role("button", name="Отправить заявление").click()

    # the claim's page: its number, what happens next
    page.wait_for_url("**/claims/*/")
    claim = Claim.objects.get(policy=kasko)
    assert page.get_by_text(f"Заявление принято. Номер убытка: {claim.number}").is_visible()
    assert page.get_by_role("heading", name="Что дальше").is_visible()
    assert page.get_by_role("link", name="IMG_2041.jpg").is_visible()
    screenshot(page, "claim-submitted")

    # the operator asks for the police papers
    operator = User.objects.get(email="operator@example.com")
    claim_set_status(
        claim=claim,
        status=Claim.Status.DOCUMENTS_REQUESTED,
        by=operator,
        requested=["police"],
        comment="Нужен талон-уведомление о регистрации заявления в полиции.",
    )
    page.reload()
    request = page.get_by_role("region", name="Нужны документы")
    assert request.is_visible()
    assert request.get_by_text("Документы полиции").is_visible()
    screenshot(page, "claim-documents-requested")

    # the person uploads it and sends it
    page.get_by_label("Какой документ").select_option("police")
    page.locator('input[name="files"]').set_input_files(
        [{"name": "talon.pdf", "mimeType": "application/pdf", "buffer": pdf_bytes()}]
    )
    page.get_by_role("button", name="Загрузить").click()
    assert page.get_by_text("Загружено файлов: 1").is_visible()
    page.get_by_role("button", name="Отправить документы").click()
    assert page.locator(".messages").get_by_text("Документы отправлены").is_visible()
    claim.refresh_from_db()
    assert claim.status == Claim.Status.UNDER_REVIEW
    assert page.locator(".claim-status").inner_text() == "на рассмотрении"
    screenshot(page, "claim-under-review")

    # the list
    page.goto("/claims/")
    assert page.get_by_text(f"№ {claim.number}").is_visible()
    screenshot(page, "claim-list")
    assert page.errors == []


def test_a_lying_photo_is_refused_in_the_browser(kasko, private_storage, page_factory):
    page = page_factory(PHONE)
    log_in(page, *DEMO_LOGIN)
    page.goto(f"/claims/new/?policy={kasko.pk}&event=glass")
    page.get_by_label("Дата события").fill(timezone.localdate().isoformat())
    page.get_by_label("Время").fill("00:01")
    page.get_by_label("Место").fill("Москва, МКАД, 41-й км")
    page.get_by_label("Что произошло").fill("Камень из-под колёс грузовика, трещина на лобовом.")
    page.locator('input[name="doc_photos"]').set_input_files(
        [{"name": "photo.jpg", "mimeType": "image/jpeg", "buffer": pdf_bytes()}]
    )
    page.get_by_label("Перечислить на банковский счёт").check()
    page.get_by_label("БИК банка").fill(BIK)
    page.get_by_label("Номер счёта").fill(ACCOUNT)
    page.get_by_role("button", name="Отправить заявление").click()

    assert page.get_by_text("по содержимому это PDF").is_visible()
    assert page.get_by_text("выберите их ещё раз").is_visible()
    assert not Claim.objects.filter(policy=kasko).exists()
    screenshot(page, "claim-form-refused")
    assert [e for e in page.errors if "400" not in e] == []
