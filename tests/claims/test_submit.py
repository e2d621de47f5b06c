"""claim_submit: the declaration's checks, its number, and all-or-nothing with its files."""

import datetime
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import FileSystemStorage
from django.utils import timezone

from claims.models import Claim, ClaimDocument, ClaimEvent, ClaimNumberSequence
from claims.services import PayoutChoice, claim_number_next, claim_numbers_start_after
from claims.services.submission import osago_number_normalize
from policies.models import Policy
from tests.factories import ClaimFactory, PolicyFactory, UserFactory

from .conftest import (
    ACCOUNT,
    BIK,
    EXE,
    PDF,
    an_hour_ago,
    bought_policy,
    photo,
    stored_files,
    submit,
    upload,
)

pytestmark = pytest.mark.django_db


def refused(callable_, *args, **kwargs) -> dict[str, list[str]]:
    """The ValidationError's messages by key; nothing was written."""
    claims, events, documents = (
        Claim.objects.count(),
        ClaimEvent.objects.count(),
        (ClaimDocument.objects.count()),
    )
    with pytest.raises(ValidationError) as error:
        callable_(*args, **kwargs)
    assert (Claim.objects.count(), ClaimEvent.objects.count(), ClaimDocument.objects.count()) == (
        claims,
        events,
        documents,
    )
    return (
        error.value.message_dict
        if hasattr(error.value, "error_dict")
        else {"__all__": error.value.messages}
    )


def test_a_valid_declaration_makes_a_claim_with_its_files_and_first_event(
    person, kasko, private_storage
):
    # when
    claim = submit(
        person, kasko, documents=[("photos", photo("IMG_1.jpg")), ("other", upload("act.pdf", PDF))]
    )

    # then
    claim.refresh_from_db()
    assert claim.status == Claim.Status.SUBMITTED
    assert claim.user == person
    assert claim.number == f"У-{timezone.localdate().year}-000001"
    assert claim.payout_details == {
        "method": "bank",
        "bik": BIK,
        "account": ACCOUNT,
        "recipient": person.get_full_name(),
    }
    assert (claim.decision_days, claim.decision_day_count) == (30, "working")
    event = claim.events.get()
    assert (event.from_status, event.to_status, event.by) == ("", "submitted", person)
    documents = list(claim.documents.order_by("pk"))
    assert [(d.kind, d.original_name, d.content_type) for d in documents] == [
        ("photos", "IMG_1.jpg", "image/jpeg"),
        ("other", "act.pdf", "application/pdf"),
    ]
    # server-made names, in the private folder, nothing of the person's names
    for document in documents:
        assert document.file.name.startswith(f"claims/{claim.pk}/")
        assert "IMG_1" not in document.file.name and "act" not in document.file.name
    assert len(stored_files(private_storage)) == 2


def test_numbers_go_up_and_are_never_reused():
    year = 2031
    first = claim_number_next(year=year)
    second = claim_number_next(year=year)
    assert (first, second) == ("У-2031-000001", "У-2031-000002")
    # a number taken by hand is skipped; a deleted claim's number is not given again
    ClaimFactory(number="У-2031-000003")
    assert claim_number_next(year=year) == "У-2031-000004"
    Claim.objects.filter(number="У-2031-000003").delete()
    assert claim_number_next(year=year) == "У-2031-000005"
    claim_numbers_start_after(year=year, serial=2)  # never back
    assert ClaimNumberSequence.objects.get(year=year).last == 5
    assert claim_number_next(year=2032) == "У-2032-000001"


def test_event_in_the_future_is_refused(person, kasko):
    errors = refused(submit, person, kasko, event_at=timezone.now() + datetime.timedelta(hours=2))
    assert errors["event_at"] == ["Дата и время события не могут быть в будущем"]


@pytest.mark.parametrize("days", [-1, 1])
def test_event_outside_the_policy_term_is_refused(person, days):
    today = timezone.localdate()
    policy = bought_policy(
        person,
        starts_on=today - datetime.timedelta(days=100),
        ends_on=today - datetime.timedelta(days=10),
        status=Policy.Status.EXPIRED,
    )
    edge = policy.starts_on if days < 0 else policy.ends_on
    moment = timezone.make_aware(
        datetime.datetime.combine(edge + datetime.timedelta(days=days), datetime.time(12, 0))
    )

    errors = refused(submit, person, policy, event_at=moment)

    assert "в срок действия полиса" in errors["event_at"][0]
    assert policy.starts_on.strftime("%d.%m.%Y") in errors["event_at"][0]


def test_event_on_the_last_day_of_an_expired_policy_is_accepted(person):
    today = timezone.localdate()
    policy = bought_policy(
        person,
        starts_on=today - datetime.timedelta(days=100),
        ends_on=today - datetime.timedelta(days=10),
        status=Policy.Status.EXPIRED,
    )
    moment = timezone.make_aware(datetime.datetime.combine(policy.ends_on, datetime.time(23, 50)))

    assert submit(person, policy, event_at=moment).pk


@pytest.mark.parametrize(
    ("bik", "account", "field", "text"),
    [
        ("04452597", ACCOUNT, "bik", "9 цифр"),
        ("144525974", ACCOUNT, "bik", "начинается с 04"),
        (BIK, ACCOUNT[:-1], "account", "20 цифр"),
        (BIK, "4081781000001234567X", "account", "20 цифр"),
        (BIK, ACCOUNT[:8] + str((int(ACCOUNT[8]) + 1) % 10) + ACCOUNT[9:], "account", "ключу"),
        ("044525225", ACCOUNT, "account", "ключу"),  # valid for another bank only
        (BIK, "30101810145250000974", "account", "физического лица"),  # the bank's own account
        (BIK, "40817840000012345678", "account", "рублёвый"),  # dollars
    ],
)
def test_bank_details_are_checked(person, kasko, bik, account, field, text):
    errors = refused(
        submit, person, kasko, payout=PayoutChoice(method="bank", bik=bik, account=account)
    )
    assert text in errors[field][0]


def test_bank_details_may_be_typed_with_spaces(person, kasko):
    spaced = " ".join(ACCOUNT[i : i + 5] for i in range(0, 20, 5))
    claim = submit(
        person, kasko, payout=PayoutChoice(method="bank", bik=f" {BIK} ", account=spaced)
    )
    assert claim.payout_details["account"] == ACCOUNT


def test_repair_only_where_the_product_has_it(person, kasko):
    claim = submit(person, kasko, payout=PayoutChoice(method="repair", station="Химки"))
    assert claim.payout_details == {"method": "repair", "station": "Химки"}

    property_policy = bought_policy(person, Policy.Product.PROPERTY)
    errors = refused(
        submit,
        person,
        property_policy,
        event_type="flood",
        payout=PayoutChoice(method="repair"),
        documents=[],
    )
    assert errors["payout_method"] == ["Выберите способ выплаты"]


def test_osago_needs_the_other_partys_policy_number(person, osago):
    errors = refused(submit, person, osago, other_parties=[])
    assert errors["other_parties"] == ["Укажите номер полиса ОСАГО другого участника ДТП"]


def test_osago_numbers_are_normalized():
    assert osago_number_normalize("xxx0123456789") == "ХХХ 0123456789"  # Latin → Cyrillic
    assert osago_number_normalize(" ТТТ  7001234567 ") == "ТТТ 7001234567"
    assert osago_number_normalize("ХХХ 012345678") is None
    assert osago_number_normalize("ЖЖЖ 0123456789") is None


def test_all_problems_are_reported_at_once(person, osago):
    errors = refused(
        submit,
        person,
        osago,
        event_at=timezone.now() + datetime.timedelta(days=1),
        place=" ",
        description="ДТП",
        other_parties=[],
        payout=PayoutChoice(method="bank", bik="1", account="2"),
        documents=[("photos", upload("photo.jpg", EXE))],
    )
    assert set(errors) == {
        "event_at",
        "place",
        "description",
        "other_parties",
        "bik",
        "account",
        "documents",
    }


@pytest.mark.parametrize(
    ("name", "content"), [("photo.jpg", PDF), ("photo.jpg", EXE), ("photo.exe", EXE)]
)
def test_lying_files_are_refused_and_nothing_is_stored(
    person, kasko, private_storage, name, content
):
    errors = refused(submit, person, kasko, documents=[("photos", upload(name, content))])
    assert "не принят" in errors["documents"][0]
    assert stored_files(private_storage) == []


def test_files_over_the_limits_are_refused(settings, person, kasko, private_storage):
    settings.CLAIMS_UPLOAD_MAX_BYTES = 100
    errors = refused(submit, person, kasko)
    assert "больше 100" in errors["documents"][0]

    settings.CLAIMS_UPLOAD_MAX_BYTES = 10 * 1024 * 1024
    settings.CLAIMS_UPLOAD_MAX_FILES = 2
    errors = refused(submit, person, kasko, documents=[("photos", photo()) for _n in range(3)])
    assert "не больше 2" in errors["documents"][0]
    assert stored_files(private_storage) == []


def test_a_document_kind_outside_the_checklist_is_refused(person, kasko):
    errors = refused(submit, person, kasko, documents=[("diagnosis", photo())])
    assert "не нужен" in errors["documents"][0]


def test_a_storage_failure_half_way_leaves_no_claim_and_no_file(person, kasko, private_storage):
    # given: the storage fails on the third file, after two were written
    real_save = FileSystemStorage._save
    calls = []

    def flaky_save(storage, name, content):
        calls.append(name)
        if len(calls) == 3:
            raise OSError("disk full")
        return real_save(storage, name, content)

    documents = [("photos", photo(f"{n}.jpg")) for n in range(4)]
    with mock.patch.object(FileSystemStorage, "_save", flaky_save), pytest.raises(OSError):
        submit(person, kasko, documents=documents)

    # then
    assert len(calls) == 3
    assert Claim.objects.count() == ClaimDocument.objects.count() == ClaimEvent.objects.count() == 0
    assert stored_files(private_storage) == []
    # and the number was not used up
    assert submit(person, kasko).number.endswith("-000001")


def test_a_dms_policy_cannot_be_claimed(person, dms_policy, user):
    errors = refused(submit, user, dms_policy, event_type="dtp")
    assert "ДМС" in errors["__all__"][0]


def test_another_persons_policy_cannot_be_claimed(kasko):
    stranger = UserFactory()
    errors = refused(submit, stranger, kasko)
    assert "не найден" in errors["__all__"][0]


def test_an_unpaid_policy_cannot_be_claimed(person):
    policy = bought_policy(person, status=Policy.Status.AWAITING_PAYMENT)
    errors = refused(submit, person, policy)
    assert "не найден" in errors["__all__"][0]


def test_a_travel_policy_of_a_linked_person_can_be_claimed(user, insured):
    vzr = PolicyFactory(product=Policy.Product.VZR, insured_person=insured)
    claim = submit(
        user,
        vzr,
        event_type="medical_costs",
        event_at=an_hour_ago(),
        place="Турция, Анталья",
        description="Высокая температура в отеле, вызвали врача, оплатили приём и лекарства.",
        documents=[("receipts", upload("check.pdf", PDF))],
    )
    assert claim.user == user
    assert claim.decision_day_count == "working"
