"""The person's claim pages: declaring, following, uploading, downloading — and nobody else's."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from claims.models import Claim, ClaimDocument
from claims.services import claim_set_status
from policies.models import Policy
from tests.factories import ClaimFactory, PolicyFactory, UserFactory

from .conftest import ACCOUNT, BIK, EXE, PDF, bought_policy, photo, submit, upload

pytestmark = pytest.mark.django_db
S = Claim.Status


@pytest.fixture
def client_of(client):
    def login(user):
        client.force_login(user)
        return client

    return login


def form_data(**overrides) -> dict:
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    data = {
        "event_date": yesterday.isoformat(),
        "event_time": "14:30",
        "place": "Москва, ул. Профсоюзная, д. 56",
        "description": "Во дворе упало дерево на капот и лобовое стекло, есть вмятины и трещины.",
        "payout_method": "bank",
        "bik": BIK,
        "account": ACCOUNT,
        "repair_station": "",
    }
    data.update(overrides)
    return data


def new_url(policy: Policy, event: str = "") -> str:
    url = f"{reverse('claims:new')}?policy={policy.pk}"
    return f"{url}&event={event}" if event else url


def test_pages_need_a_login(client, kasko):
    response = client.get(reverse("claims:new"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_policy_step_lists_claimable_policies_only(client_of, person, kasko, user, dms_policy):
    # given: the person also has a DMS policy (not claimable) and a draft КАСКО
    draft = bought_policy(person, status=Policy.Status.DRAFT)
    response = client_of(person).get(reverse("claims:new"))

    assert response.status_code == 200
    assert list(response.context["policies"]) == [kasko]
    assert draft not in response.context["policies"]


def test_a_dms_policy_cannot_be_claimed_here(client_of, user, dms_policy):
    response = client_of(user).get(new_url(dms_policy))
    assert response.status_code == 404
    response = client_of(user).post(new_url(dms_policy, "dtp"), form_data())
    assert response.status_code == 404
    assert not Claim.objects.exists()


def test_another_persons_policy_answers_404(client_of, kasko):
    response = client_of(UserFactory()).get(new_url(kasko, "dtp"))
    assert response.status_code == 404


def test_the_event_step_lists_the_products_events(client_of, person, kasko):
    response = client_of(person).get(new_url(kasko))
    content = response.content.decode()
    assert response.status_code == 200
    assert "Угон или хищение автомобиля" in content and "Повреждение стёкол" in content
    assert "30 рабочих дней" in content


def test_the_form_shows_the_checklist_and_payout_options(client_of, person, kasko):
    response = client_of(person).get(new_url(kasko, "natural"))
    content = response.content.decode()
    assert response.status_code == 200
    assert 'name="doc_photos"' in content and 'name="doc_vehicle_docs"' in content
    assert 'name="doc_other"' in content and "multiple" in content
    assert 'value="repair"' in content  # КАСКО has repair at a partner station
    assert 'name="party1_policy"' not in content  # no other participants for a fallen tree


def test_declaring_a_claim_with_a_photo(client_of, person, kasko, private_storage):
    data = form_data(doc_photos=[photo("IMG_0001.jpg"), photo("IMG_0002.jpg")])

    response = client_of(person).post(new_url(kasko, "natural"), data)

    claim = Claim.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("claims:detail", args=[claim.pk])
    assert claim.policy == kasko and claim.event_type == "natural"
    assert claim.documents.filter(kind="photos").count() == 2
    page = client_of(person).get(response["Location"]).content.decode()
    assert f"Заявление принято. Номер убытка: {claim.number}" in page
    assert "Что дальше" in page and "не позднее" in page


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (
            {"event_date": (timezone.localdate() + datetime.timedelta(days=1)).isoformat()},
            "не могут быть в будущем",
        ),
        ({"event_date": "2001-01-01"}, "в срок действия полиса"),
        ({"account": "40817810000012345670"}, "контрольному ключу"),
        ({"bik": "12345"}, "БИК — 9 цифр"),
        ({"description": "ДТП"}, "хотя бы парой предложений"),
        ({"doc_photos": [upload("photo.jpg", PDF)]}, "по содержимому это PDF"),
        ({"doc_photos": [upload("photo.jpg", EXE)]}, "можно загрузить только"),
    ],
)
def test_bad_input_gets_a_message_and_changes_nothing(
    client_of, person, kasko, private_storage, overrides, message
):
    response = client_of(person).post(new_url(kasko, "natural"), form_data(**overrides))

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Claim.objects.exists()
    assert not list(private_storage.rglob("*.*"))


def test_osago_asks_for_the_other_partys_policy(client_of, person, osago):
    url = new_url(osago, "dtp")
    response = client_of(person).post(url, form_data(payout_method="repair"))
    assert response.status_code == 400
    assert "Укажите номер полиса ОСАГО другого участника ДТП" in response.content.decode()

    response = client_of(person).post(
        url,
        form_data(payout_method="repair", party1_name="Кузьмин О.", party1_policy="ааа0123456789"),
    )
    assert response.status_code == 302
    claim = Claim.objects.get()
    assert claim.other_parties[0]["policy_number"] == "ААА 0123456789"
    assert claim.payout_details["method"] == "repair"
    page = client_of(person).get(response["Location"]).content.decode()
    assert "Кузьмин О., ОСАГО ААА 0123456789" in page
    assert "Ремонт на станции техобслуживания" in page
    assert "20 календарных дней, не считая нерабочих праздничных" in page


def test_the_list_shows_the_persons_claims_only(
    client_of, person, kasko, django_assert_max_num_queries
):
    mine = [submit(person, kasko) for _n in range(3)]
    ClaimFactory()  # someone else's
    client = client_of(person)

    with django_assert_max_num_queries(8):
        response = client.get(reverse("claims:list"))

    assert [row["claim"] for row in response.context["rows"]] == mine[::-1]


def test_another_persons_claim_answers_404(client_of, person, kasko):
    claim = submit(person, kasko)
    document = claim.documents.get()
    stranger = client_of(UserFactory())

    assert stranger.get(reverse("claims:detail", args=[claim.pk])).status_code == 404
    download = reverse("claims:document_download", args=[claim.pk, document.pk])
    assert stranger.get(download).status_code == 404
    upload_url = reverse("claims:document_upload", args=[claim.pk])
    assert stranger.post(upload_url, {"kind": "photos", "files": [photo()]}).status_code == 404
    assert claim.documents.count() == 1


def test_a_file_is_served_only_as_an_attachment_to_its_owner(client_of, person, kasko):
    claim = submit(person, kasko, documents=[("photos", photo("Фото ДТП.jpg"))])
    document = claim.documents.get()
    client = client_of(person)

    response = client.get(reverse("claims:document_download", args=[claim.pk, document.pk]))

    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"\xff\xd8\xff")
    assert response["Content-Type"] == "image/jpeg"
    disposition = response["Content-Disposition"]
    assert disposition.startswith('attachment; filename="')
    assert "filename*=UTF-8''%D0%A4%D0%BE%D1%82%D0%BE%20%D0%94%D0%A2%D0%9F.jpg" in disposition
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]

    # a file of another claim under this claim's id is not found either
    stranger = UserFactory()
    other = submit(stranger, bought_policy(stranger))
    other_document = other.documents.get()
    wrong = reverse("claims:document_download", args=[claim.pk, other_document.pk])
    assert client.get(wrong).status_code == 404


def test_the_claim_page_shows_the_timeline_and_checklist(client_of, person, kasko, staff_user):
    claim = submit(person, kasko)
    claim_set_status(claim=claim, status=S.UNDER_REVIEW, by=staff_user, comment="Назначен осмотр")
    claim_set_status(claim=claim, status=S.APPROVED, by=staff_user, amount=Decimal("48300.00"))

    page = client_of(person).get(reverse("claims:detail", args=[claim.pk])).content.decode()

    assert "Заявление подано" in page and "Назначен осмотр" in page
    assert "Решение: выплата одобрена" in page and "48\xa0300\xa0руб." in page
    assert "Фотографии повреждений" in page and "СТС или ПТС автомобиля" in page
    assert "Выплата" in page


def test_requested_documents_are_uploaded_and_sent(
    client_of, person, kasko, staff_user, private_storage
):
    # given: the operator asks for the police papers
    claim = submit(person, kasko)
    claim_set_status(
        claim=claim,
        status=S.DOCUMENTS_REQUESTED,
        by=staff_user,
        requested=["police"],
        comment="Талон",
    )
    client = client_of(person)
    detail = reverse("claims:detail", args=[claim.pk])
    page = client.get(detail).content.decode()
    assert "Нужны документы" in page and "Документы полиции" in page and "не хватает" in page

    # when: sending before uploading is refused
    send = reverse("claims:documents_send", args=[claim.pk])
    client.post(send)
    claim.refresh_from_db()
    assert claim.status == S.DOCUMENTS_REQUESTED

    # a lying file is refused
    upload_url = reverse("claims:document_upload", args=[claim.pk])
    response = client.post(upload_url, {"kind": "police", "files": [upload("talon.jpg", PDF)]})
    assert response.status_code == 400
    assert "по содержимому это PDF" in response.content.decode()

    # the real one is taken, then sent
    response = client.post(upload_url, {"kind": "police", "files": [upload("talon.pdf", PDF)]})
    assert response.status_code == 302
    response = client.post(send)
    assert response.status_code == 302

    # then
    claim.refresh_from_db()
    assert claim.status == S.UNDER_REVIEW
    assert claim.events.last().by == person
    assert ClaimDocument.objects.filter(claim=claim, kind="police").count() == 1


def test_uploads_are_refused_over_the_count_and_after_the_decision(
    settings, client_of, person, kasko, staff_user
):
    settings.CLAIMS_UPLOAD_MAX_FILES = 2
    claim = submit(person, kasko)
    client = client_of(person)
    upload_url = reverse("claims:document_upload", args=[claim.pk])

    response = client.post(upload_url, {"kind": "photos", "files": [photo(), photo()]})
    assert response.status_code == 400
    assert "не больше 2" in response.content.decode()

    claim_set_status(claim=claim, status=S.UNDER_REVIEW, by=staff_user)
    claim_set_status(claim=claim, status=S.REFUSED, by=staff_user, comment="не страховой случай")
    response = client.post(upload_url, {"kind": "photos", "files": [photo()]})
    assert response.status_code == 400
    assert "Дело закрыто" in response.content.decode()
    assert claim.documents.count() == 1


def test_a_linked_persons_travel_claim_is_visible_to_the_user(client_of, user, insured):
    vzr = PolicyFactory(product=Policy.Product.VZR, insured_person=insured)
    response = client_of(user).get(new_url(vzr))
    assert response.status_code == 200
    assert "Медицинские расходы за рубежом" in response.content.decode()


def test_the_claim_page_reads_a_fixed_number_of_queries(
    client_of, person, kasko, staff_user, django_assert_max_num_queries
):
    claim = submit(person, kasko, documents=[("photos", photo()) for _n in range(5)])
    for _n in range(2):
        claim_set_status(
            claim=claim, status=S.DOCUMENTS_REQUESTED, by=staff_user, requested=["police"]
        )
        claim_set_status(claim=claim, status=S.UNDER_REVIEW, by=staff_user)
    client = client_of(person)

    with django_assert_max_num_queries(10):
        response = client.get(reverse("claims:detail", args=[claim.pk]))
    assert response.status_code == 200
