"""The operators' moves in the admin (claims/admin_actions.py): an intermediate form each, only
allowed steps, one event each; and the staff download of claim files, audit-logged."""

from decimal import Decimal

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse
from django.utils import timezone

from claims.models import Claim, ClaimEvent
from claims.services import claim_set_status
from portal.core.models import AuditLogEntry
from tests.conftest import staff_login

from .conftest import submit

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.claims.admin_urls")]
S = Claim.Status
CHANGELIST = "ops:claims_claim_changelist"


@pytest.fixture
def operator_client(client, superuser):
    return staff_login(client, superuser)


def act(client, action: str, claims: list[Claim], **data):
    payload = {"action": action, ACTION_CHECKBOX_NAME: [c.pk for c in claims], **data}
    return client.post(reverse(CHANGELIST), payload, follow=True)


def test_request_documents_shows_a_form_then_makes_the_step(
    operator_client, person, kasko, superuser
):
    claim = submit(person, kasko)

    # when: the action is chosen, the intermediate form lists the product's documents
    page = act(operator_client, "request_documents", [claim])
    content = page.content.decode()
    assert page.status_code == 200
    assert "Каких документов не хватает" in content and "Документы полиции" in content
    assert claim.events.count() == 1

    # a form with nothing ticked and no comment is shown again
    page = act(operator_client, "request_documents", [claim], apply="1")
    assert "Отметьте недостающие документы" in page.content.decode()

    # when: applied with the missing items
    page = act(
        operator_client,
        "request_documents",
        [claim],
        apply="1",
        requested=["police", "photos"],
        comment="Фото при дневном свете",
    )

    # then
    claim.refresh_from_db()
    assert claim.status == S.DOCUMENTS_REQUESTED
    event = claim.events.last()
    assert (event.by, event.details, event.comment) == (
        superuser,
        {"requested": ["police", "photos"]},
        "Фото при дневном свете",
    )
    assert "Статус «запрошены документы»" in page.content.decode()


def test_steps_cannot_be_skipped(operator_client, person, kasko):
    claim = submit(person, kasko)

    page = act(operator_client, "mark_paid", [claim])
    page = act(operator_client, "approve_payout", [claim], apply="1", amount="1000")

    claim.refresh_from_db()
    assert claim.status == S.SUBMITTED and claim.events.count() == 1
    assert "Нельзя перевести в статус «принято решение о выплате»" in page.content.decode()


def test_take_for_review_works_for_several_claims(operator_client, person, kasko):
    claims = [submit(person, kasko) for _n in range(2)]

    page = act(operator_client, "take_for_review", claims)
    assert "Принять в работу" in page.content.decode()
    act(operator_client, "take_for_review", claims, apply="1", comment="Назначен осмотр")

    assert set(Claim.objects.values_list("status", flat=True)) == {S.UNDER_REVIEW}
    assert (
        ClaimEvent.objects.filter(to_status=S.UNDER_REVIEW, comment="Назначен осмотр").count() == 2
    )


def test_approve_refuse_and_pay(operator_client, person, kasko, staff_user):
    approved, refused = submit(person, kasko), submit(person, kasko)
    for claim in (approved, refused):
        claim_set_status(claim=claim, status=S.UNDER_REVIEW, by=staff_user)

    # approving is for one claim at a time
    page = act(operator_client, "approve_payout", [approved, refused], apply="1", amount="1")
    assert "выберите одно" in page.content.decode()

    act(operator_client, "approve_payout", [approved], apply="1", amount="48300.00")
    act(
        operator_client,
        "refuse_payout",
        [refused],
        apply="1",
        ground="kasko_keys_left",
        reason="Автомобиль похищен с ключами в замке зажигания",
        rule="",
    )
    act(
        operator_client,
        "mark_paid",
        [approved],
        apply="1",
        amount="48300.00",
        paid_on=timezone.localdate().isoformat(),
        comment="п/п № 512",
    )

    approved.refresh_from_db()
    refused.refresh_from_db()
    assert (approved.status, approved.approved_amount, approved.paid_amount) == (
        S.PAID,
        Decimal("48300.00"),
        Decimal("48300.00"),
    )
    assert refused.status == S.REFUSED
    refusal = refused.events.last()
    assert refusal.comment == "Автомобиль похищен с ключами в замке зажигания"
    assert "п. 4.3.7" in refusal.details["rule"]  # the ground's rule, quoted


def test_paying_more_than_approved_is_refused(operator_client, person, kasko, staff_user):
    claim = submit(person, kasko)
    claim_set_status(claim=claim, status=S.UNDER_REVIEW, by=staff_user)
    claim_set_status(claim=claim, status=S.APPROVED, by=staff_user, amount=Decimal("100.00"))

    page = act(
        operator_client,
        "mark_paid",
        [claim],
        apply="1",
        amount="150.00",
        paid_on=timezone.localdate().isoformat(),
    )

    claim.refresh_from_db()
    assert claim.status == S.APPROVED
    assert "больше одобренной" in page.content.decode()


def test_staff_download_a_claims_file_and_it_is_logged(operator_client, person, kasko, superuser):
    claim = submit(person, kasko)
    document = claim.documents.get()
    change = operator_client.get(reverse("ops:claims_claim_change", args=[claim.pk]))
    url = reverse("ops:claims_claim_document", args=[claim.pk, document.pk])
    assert url in change.content.decode()

    response = operator_client.get(url)

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    entry = AuditLogEntry.objects.filter(staff_user=superuser, what__startswith="документ").get()
    assert claim.number in entry.what
    assert (
        operator_client.get(
            reverse("ops:claims_claim_document", args=[claim.pk, document.pk + 100])
        ).status_code
        == 404
    )


def test_a_person_cannot_use_the_staff_download(client, person, kasko):
    claim = submit(person, kasko)
    client.force_login(person)
    url = reverse("ops:claims_claim_document", args=[claim.pk, claim.documents.get().pk])
    response = client.get(url)
    assert response.status_code == 302 and "login" in response["Location"]
