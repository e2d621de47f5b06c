"""«Мои полисы»: the cards the page shows (cabinet's composition with the co-pay debts), one
card, and the PDFs of the register's policies."""

from decimal import Decimal

from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.urls import reverse
from ninja import Router, Schema, Status

from cabinet.selectors import policy_card_for_user, policy_cards_for_user
from policies import services as policy_services
from policies.cards import PolicyCard
from policies.downloads import policy_pdf_response
from policies.models import PolicyDocument
from policies.selectors import pdf_policies_for_user
from portal.core.formatting import money

router = Router(tags=["Полисы"])


class ContactOut(Schema):
    name: str
    phone: str


class PolicyOut(Schema):
    id: int
    product: str
    title: str
    number: str
    status: str
    badge: str
    group: str
    starts_on: str
    ends_on: str
    insured_person: str | None = None
    relation: str | None = None
    program: str | None = None
    care_kinds: list[str] = []
    has_copay: bool
    debt: Decimal | None = None
    debt_display: str | None = None
    premium_display: str
    companion_id: int | None = None
    contact_centres: list[ContactOut] = []
    pdf_url: str | None = None


class PolicyDetailOut(PolicyOut):
    verify_url: str | None = None
    object_facts: list[list[str]] = []


class PdfPendingOut(Schema):
    status: str
    detail: str


def _card_out(request: HttpRequest, card: PolicyCard) -> dict:
    policy = card.policy
    person = policy.insured_person
    program = card.program
    pdf = policy.has_pdf
    return {
        "id": policy.pk,
        "product": policy.product,
        "title": card.title,
        "number": policy.number,
        "status": policy.status,
        "badge": card.badge,
        "group": str(card.group.value),
        "starts_on": f"{policy.starts_on:%Y-%m-%d}",
        "ends_on": f"{policy.ends_on:%Y-%m-%d}",
        "insured_person": person.full_name if person else None,
        "relation": card.relation,
        "program": f"{program.code} — {program.name}" if program else None,
        "care_kinds": [kind.name for kind in card.care_kinds],
        "has_copay": card.has_copay,
        "debt": card.debt,
        "debt_display": money(card.debt) if card.has_copay else None,
        "premium_display": card.premium_display,
        "companion_id": card.companion.pk if card.companion else None,
        "contact_centres": [{"name": c.name, "phone": c.phone} for c in card.contact_centres],
        "pdf_url": request.build_absolute_uri(reverse("api:policy_pdf", args=[policy.pk]))
        if pdf
        else None,
    }


@router.get("/", response=list[PolicyOut], summary="Мои полисы")
def policy_list(request: HttpRequest):
    found = policy_cards_for_user(request.auth)
    return [_card_out(request, card) for card in found.cards]


@router.get("/{int:pk}", response=PolicyDetailOut, summary="Полис")
def policy_detail(request: HttpRequest, pk: int):
    card = policy_card_for_user(request.auth, pk)
    if card is None:
        raise Http404
    data = _card_out(request, card)
    policy = card.policy
    if policy.is_register:
        token = policy_services.policy_verify_token_ensure(policy=policy)
        data["verify_url"] = request.build_absolute_uri(reverse("policy_verify", args=[token]))
    data["object_facts"] = [list(fact) for fact in card.object_facts]
    return data


@router.get(
    "/{int:pk}/pdf",
    response={200: None, 202: PdfPendingOut},
    url_name="policy_pdf",
    summary="PDF полиса (202, пока он формируется)",
)
def policy_pdf(request: HttpRequest, pk: int):
    policy = get_object_or_404(pdf_policies_for_user(request.auth), pk=pk)
    document = policy_services.policy_document_request(policy=policy)
    if document.status != PolicyDocument.Status.READY:
        document.refresh_from_db()
    if document.status == PolicyDocument.Status.READY:
        document.policy = policy
        return policy_pdf_response(document)
    return Status(202, {"status": document.status, "detail": "Полис формируется: повторите запрос"})
