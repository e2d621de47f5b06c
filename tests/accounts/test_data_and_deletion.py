"""«Скачать мои данные» gives everything stored about the person and nothing of anyone else;
deleting the account removes what the page says, and keeps what the law keeps."""

import datetime
import io
import json
import zipfile

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from claims.models import Claim, ClaimDocument, ServiceLine
from clinics.models import Appointment, AppointmentEvent
from feedback.models import AppealAttachment
from policies.models import Policy, PolicyLink
from portal.accounts.models import AccountEvent, Consent, PhoneVerification, RememberedDevice, User
from tests.factories import (
    DEFAULT_PASSWORD,
    AppealFactory,
    AppealMessageFactory,
    AppointmentFactory,
    ClaimEventFactory,
    ClaimFactory,
    ConsentFactory,
    GuaranteeLetterFactory,
    InsuredPersonFactory,
    PolicyFactory,
    PolicyLinkFactory,
    ServiceLineFactory,
    SlotFactory,
    UserFactory,
)

from .conftest import PIN, password_login

pytestmark = pytest.mark.django_db


@pytest.fixture
def history(person):
    """A person with a bit of everything, and another person's rows beside."""
    person.set_passport("4510", "123456")
    person.save()
    ConsentFactory(user=person)
    me = InsuredPersonFactory(
        last_name=person.last_name,
        first_name=person.first_name,
        middle_name=person.middle_name,
        birth_date=person.birth_date,
        policy_number="77-MINE-0001",
    )
    PolicyLinkFactory(user=person, insured_person=me)
    dms = PolicyFactory(insured_person=me, number="DMS-MINE-1")
    line = ServiceLineFactory(insured_person=me, icd10_code="J06.9")
    past = AppointmentFactory(
        user=person,
        insured_person=me,
        slot=SlotFactory(starts_at=timezone.now() - datetime.timedelta(days=3)),
    )
    future = AppointmentFactory(user=person, insured_person=me)
    appeal = AppealFactory(user=person, subject="Спасибо терапевту")
    AppealMessageFactory(appeal=appeal, body="Врач был очень внимателен")
    GuaranteeLetterFactory(user=person, insured_person=me)
    osago = PolicyFactory(osago=True, holder=person, number="OSAGO-MINE-1")
    claim = ClaimFactory(policy=osago, number="CLAIM-MINE-1")
    ClaimEventFactory(claim=claim)
    RememberedDevice.objects.create(user=person, device_hash="d" * 64, label="Chrome, Android")

    stranger = UserFactory(email="stranger@example.com")
    theirs = InsuredPersonFactory(policy_number="77-THEIRS-01")
    PolicyLinkFactory(user=stranger, insured_person=theirs)
    PolicyFactory(insured_person=theirs, number="DMS-THEIRS-1")
    ServiceLineFactory(insured_person=theirs, icd10_code="Z99.9")
    AppealFactory(user=stranger, subject="Чужое обращение")
    return {
        "me": me,
        "dms": dms,
        "line": line,
        "past": past,
        "future": future,
        "osago": osago,
        "claim": claim,
    }


def download_archive(client) -> zipfile.ZipFile:
    response = client.post(reverse("accounts:data_export"), {"pin": PIN})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].startswith('attachment; filename="personal-data-')
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))


def download(client) -> dict:
    archive = download_archive(client)
    assert sorted(archive.namelist()) == ["README.txt", "data.json"]
    return json.loads(archive.read("data.json"))


def test_the_download_holds_the_persons_files_and_no_one_elses(client, person, history):
    # given an appeal attachment, a referral and a claim document of the person, one of another
    appeal = AppealFactory(user=person, subject="Фото чека")
    attachment = AppealAttachment.objects.create(
        appeal=appeal,
        file=ContentFile(b"receipt-bytes", name="x.jpg"),
        original_name="чек из клиники.jpg",
        content_type="image/jpeg",
        size=13,
    )
    letter = GuaranteeLetterFactory(user=person, insured_person=history["me"])
    letter.referral.save("r.pdf", ContentFile(b"referral-bytes"))
    letter.referral_name = "../направление.pdf"
    letter.save()
    ClaimDocument.objects.create(
        claim=history["claim"],
        kind="photo",
        file=ContentFile(b"claim-photo-bytes", name="p.jpg"),
        original_name="фото.jpg",
        content_type="image/jpeg",
        size=17,
        uploaded_by=person,
    )
    AppealAttachment.objects.create(
        appeal=AppealFactory(user=UserFactory()),
        file=ContentFile(b"not-yours", name="y.jpg"),
        original_name="чужое.jpg",
        content_type="image/jpeg",
        size=9,
    )
    client.force_login(person)

    archive = download_archive(client)

    files = {name: archive.read(name) for name in archive.namelist() if name.startswith("files/")}
    assert sorted(files.values()) == [b"claim-photo-bytes", b"receipt-bytes", b"referral-bytes"]
    assert all(".." not in name.split("/") for name in files)
    data = json.loads(archive.read("data.json"))
    assert [a["original_name"] for a in data["appeal_attachments"]] == ["чек из клиники.jpg"]
    assert [d["original_name"] for d in data["claim_documents"]] == ["фото.jpg"]
    text = json.dumps(data, ensure_ascii=False)
    for stored in (attachment.file.name, letter.referral.name):  # storage paths stay inside
        assert stored.rsplit("/", 1)[-1] not in text
    assert "Папка files" in archive.read("README.txt").decode()


def test_a_file_missing_from_the_storage_is_named_in_the_readme(client, person, history):
    attachment = AppealAttachment.objects.create(
        appeal=AppealFactory(user=person),
        file=ContentFile(b"gone", name="z.pdf"),
        original_name="акт.pdf",
        content_type="application/pdf",
        size=4,
    )
    attachment.file.storage.delete(attachment.file.name)
    client.force_login(person)

    archive = download_archive(client)

    readme = archive.read("README.txt").decode()
    assert "Не найдены в хранилище" in readme and "акт.pdf" in readme
    assert not [name for name in archive.namelist() if name.startswith("files/")]


def test_the_download_holds_everything_about_the_person(client, person, history):
    from portal.accounts.services import health_consent_give

    health_consent_give(user=person)
    client.force_login(person)

    data = download(client)

    profile = data["profile"][0]
    assert profile["email"] == person.email
    assert profile["last_name"] == person.last_name
    assert profile["passport"] == "4510 123456"
    assert profile["phone"] == person.phone
    assert [c["version"] for c in data["consents"]] == ["2026-01", "2026-01"]
    assert [p["policy_number"] for p in data["insured_persons"]] == ["77-MINE-0001"]
    assert {p["number"] for p in data["policies"]} == {"DMS-MINE-1", "OSAGO-MINE-1"}
    assert [line["icd10_code"] for line in data["service_lines"]] == ["J06.9"]
    assert len(data["appointments"]) == 2
    assert [a["subject"] for a in data["appeals"]] == ["Спасибо терапевту"]
    assert [m["body"] for m in data["appeal_messages"]] == ["Врач был очень внимателен"]
    assert len(data["guarantee_letters"]) == 1
    assert [c["number"] for c in data["claims"]] == ["CLAIM-MINE-1"]
    assert len(data["claim_events"]) == 1
    assert [d["label"] for d in data["remembered_devices"]] == ["Chrome, Android"]
    assert data["email_addresses"][0]["email"] == person.email
    assert AccountEvent.objects.filter(user=person, kind=AccountEvent.Kind.DATA_EXPORTED).exists()


def test_without_the_health_consent_the_download_has_no_diagnoses(client, person, history):
    client.force_login(person)

    data = download(client)

    (line,) = data["service_lines"]
    assert "icd10_code" not in line and "service_name" not in line
    assert line["amount"] is not None and line["service_date"]
    assert "J06.9" not in json.dumps(data["service_lines"], ensure_ascii=False)


def test_the_download_holds_nothing_of_another_person_and_no_secrets(client, person, history):
    client.force_login(person)

    text = json.dumps(download(client), ensure_ascii=False)

    for foreign in ("stranger@example.com", "77-THEIRS-01", "DMS-THEIRS-1", "Z99.9", "Чужое"):
        assert foreign not in text
    for secret in ("pin_hash", "password", "passport_index", "device_hash", "session_token"):
        assert secret not in text
    assert person.pin_hash not in text


def test_the_download_needs_the_pin(client, person, history):
    client.force_login(person)

    response = client.post(reverse("accounts:data_export"), {"pin": "9731"})

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert not AccountEvent.objects.filter(kind=AccountEvent.Kind.DATA_EXPORTED).exists()


# --- deletion -------------------------------------------------------------------------------


def delete(client, **changes):
    data = {"password": DEFAULT_PASSWORD, "pin": PIN, "confirm": "on"}
    data.update(changes)
    return client.post(reverse("accounts:account_delete"), data)


@pytest.mark.parametrize(
    "change",
    [{"password": "wrong-password"}, {"pin": "9731"}, {"confirm": ""}],
    ids=["password", "pin", "confirm"],
)
def test_deletion_needs_the_password_the_pin_and_the_tick(client, person, history, change):
    client.force_login(person)

    response = delete(client, **change)

    assert response.status_code == 200
    person.refresh_from_db()
    assert person.is_active and person.deleted_at is None


def test_the_confirmation_page_says_what_is_removed_and_what_is_kept(client, person):
    client.force_login(person)

    page = client.get(reverse("accounts:account_delete")).content.decode()

    assert "Что будет удалено" in page
    assert "Что сохранится и почему" in page
    assert "по закону" in page


def test_deleting_the_account_removes_the_personal_data_and_keeps_the_insurers_records(
    client, person, history
):
    # given
    Authenticator.objects.create(user=person, type=Authenticator.Type.TOTP, data={})
    PhoneVerification.objects.create(
        user=person,
        purpose="change",
        phone="+79250001122",
        code_hash="x",
        expires_at=timezone.now(),
    )
    client.force_login(person)
    email = person.email

    # when
    response = delete(client)

    # then: logged out, told what happened
    assert response.status_code == 302
    assert response.url == reverse("accounts:account_deleted")
    done = client.get(response.url)
    assert "Учётная запись удалена" in done.content.decode()
    assert done.context["user"].is_anonymous

    # the account's personal data is gone and the login is closed
    person.refresh_from_db()
    assert person.email == f"deleted-{person.pk}@deleted.invalid"
    assert (person.last_name, person.first_name, person.middle_name) == ("", "", "")
    assert person.birth_date is None
    assert (person.phone, person.passport, person.passport_index, person.pin_hash) == ("",) * 4
    assert not person.has_usable_password()
    assert not person.is_active
    assert person.deleted_at is not None
    assert not EmailAddress.objects.filter(user=person).exists()
    assert not RememberedDevice.objects.filter(user=person).exists()
    assert not PhoneVerification.objects.filter(user=person).exists()
    assert not Authenticator.objects.filter(user=person).exists()
    assert password_login(client, person, password=DEFAULT_PASSWORD).status_code == 200
    assert not User.objects.filter(email__iexact=email).exists()

    # consents withdrawn, links ended, future bookings cancelled
    assert Consent.objects.get(user=person).withdrawn_at is not None
    assert PolicyLink.objects.get(user=person).unlinked_at is not None
    history["future"].refresh_from_db()
    history["past"].refresh_from_db()
    assert history["future"].status == Appointment.Status.CANCELLED
    assert history["past"].status == Appointment.Status.BOOKED

    # what the law keeps stays, tied to the insurer's register row
    assert ServiceLine.objects.filter(pk=history["line"].pk, insured_person=history["me"]).exists()
    assert Policy.objects.filter(pk=history["dms"].pk).exists()
    assert Policy.objects.get(pk=history["osago"].pk).holder == person
    assert Claim.objects.filter(pk=history["claim"].pk).exists()
    assert AccountEvent.objects.filter(user=person, kind=AccountEvent.Kind.DELETED).exists()


def test_deletion_cancels_each_future_visit_through_the_booking_service(
    client, person, history, django_capture_on_commit_callbacks, mailoutbox
):
    # given: a visit within the hour, too close for the person to cancel it themselves
    soon = AppointmentFactory(
        user=person,
        insured_person=history["me"],
        slot=SlotFactory(starts_at=timezone.now() + datetime.timedelta(minutes=50)),
    )
    client.force_login(person)

    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = delete(client)

    # then: each future visit is cancelled as the service cancels it, the past one is kept
    assert response.status_code == 302
    for appointment in (history["future"], soon):
        appointment.refresh_from_db()
        assert appointment.status == Appointment.Status.CANCELLED
        assert appointment.cancelled_at is not None
        assert appointment.sequence == 1
        event = AppointmentEvent.objects.get(appointment=appointment)
        assert (event.action, event.by, event.at) == ("cancelled", person, appointment.cancelled_at)
    history["past"].refresh_from_db()
    assert history["past"].status == Appointment.Status.BOOKED
    assert not AppointmentEvent.objects.filter(appointment=history["past"]).exists()
    # no e-mail about the cancellations: the address is gone with the account
    assert not [m for m in mailoutbox if "Запись к врачу" in m.subject]


def test_after_deletion_the_email_and_passport_can_register_again(client, person, history):
    client.force_login(person)
    email = person.email
    delete(client)

    from .test_signup import good_form

    response = client.post(
        "/accounts/signup/",
        good_form(email=email, passport_series="4510", passport_number="123456"),
    )

    assert response.status_code == 302
    assert User.objects.filter(email=email, is_active=True).exists()
