"""What the pages of a claim show, worked out from rows already loaded (no queries, no writes):
the checklist with what is provided, the open request for documents, the timeline of the payout
case (the steps done, then the steps to come), the payout and the event in words."""

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .deadlines import Deadline, decision_deadline
from .models import Claim, ClaimDocument, ClaimEvent
from .rules import OTHER, checklist, document_label, rules_for

S = Claim.Status


@dataclass(frozen=True)
class ChecklistItem:
    code: str
    label: str
    help: str
    documents: list[ClaimDocument]
    optional: bool  # «Другие документы»

    @property
    def provided(self) -> bool:
        return bool(self.documents)


def claim_checklist(claim: Claim, documents: Iterable[ClaimDocument]) -> list[ChecklistItem]:
    """The product's checklist for the event, each item with its files; files of a kind outside
    the checklist (asked for by an operator) are listed under their own item at the end."""
    by_kind: dict[str, list[ClaimDocument]] = {}
    for document in documents:
        by_kind.setdefault(document.kind, []).append(document)
    items = [
        ChecklistItem(d.code, str(d.label), str(d.help), by_kind.pop(d.code, []), d.code == OTHER)
        for d in checklist(claim.policy.product, claim.event_type)
    ]
    extra = [
        ChecklistItem(code, document_label(code), "", files, False)
        for code, files in by_kind.items()
    ]
    return items[:-1] + extra + items[-1:]


@dataclass(frozen=True)
class RequestItem:
    code: str
    label: str
    provided: bool


@dataclass(frozen=True)
class DocumentRequest:
    """The operator's open request: what is missing, and what has come since it was made."""

    event: ClaimEvent
    items: list[RequestItem]
    new_documents: list[ClaimDocument]

    @property
    def complete(self) -> bool:
        if self.items:
            return all(item.provided for item in self.items)
        return bool(self.new_documents)

    @property
    def missing(self) -> list[RequestItem]:
        return [item for item in self.items if not item.provided]


def open_request(
    claim: Claim, events: Sequence[ClaimEvent], documents: Iterable[ClaimDocument]
) -> DocumentRequest | None:
    if claim.status != S.DOCUMENTS_REQUESTED:
        return None
    event = next((e for e in reversed(events) if e.to_status == S.DOCUMENTS_REQUESTED), None)
    if event is None:
        return None
    new_documents = [d for d in documents if d.created_at >= event.at]
    new_kinds = {d.kind for d in new_documents}
    items = [
        RequestItem(code, document_label(code), code in new_kinds)
        for code in event.details.get("requested", [])
    ]
    return DocumentRequest(event=event, items=items, new_documents=new_documents)


@dataclass
class Step:
    status: str
    title: str
    state: str  # done, current, upcoming
    at: datetime.datetime | None = None
    due_on: datetime.date | None = None
    lines: list[str] = field(default_factory=list)
    requested: list[str] = field(default_factory=list)
    amount: Decimal | None = None
    rule: str = ""
    by_person: bool = False


STEP_TITLES = {
    S.SUBMITTED: gettext_lazy("Заявление подано"),
    S.DOCUMENTS_REQUESTED: gettext_lazy("Запрошены документы"),
    S.UNDER_REVIEW: gettext_lazy("На рассмотрении"),
    S.APPROVED: gettext_lazy("Решение: выплата одобрена"),
    S.REFUSED: gettext_lazy("Решение: в выплате отказано"),
    S.PAID: gettext_lazy("Выплачено"),
}


def _event_step(claim: Claim, event: ClaimEvent) -> Step:
    status = event.to_status
    step = Step(
        status=status, title=str(STEP_TITLES.get(status, status)), state="done", at=event.at
    )
    step.by_person = event.by_id is not None and event.by_id == claim.user_id
    details = event.details or {}
    if status == S.SUBMITTED:
        step.lines.append(_("Номер убытка: %(number)s") % {"number": claim.number})
    elif status == S.DOCUMENTS_REQUESTED:
        step.requested = [document_label(code) for code in details.get("requested", [])]
    elif status == S.UNDER_REVIEW and step.by_person:
        step.title = str(_("Документы отправлены, дело на рассмотрении"))
    elif status == S.APPROVED:
        step.amount = Decimal(details["amount"]) if "amount" in details else claim.approved_amount
    elif status == S.REFUSED:
        step.rule = details.get("rule", "")
    elif status == S.PAID:
        step.amount = Decimal(details["amount"]) if "amount" in details else claim.paid_amount
        paid_on = details.get("paid_on")
        if paid_on:
            step.lines.append(
                _("Дата платежа: %(date)s")
                % {"date": datetime.date.fromisoformat(paid_on).strftime("%d.%m.%Y")}
            )
    if event.comment:
        step.lines.append(event.comment)
    return step


@dataclass(frozen=True)
class Timeline:
    steps: list[Step]
    deadline: Deadline | None


def claim_timeline(
    claim: Claim, events: Sequence[ClaimEvent], *, today: datetime.date | None = None
) -> Timeline:
    """The steps that happened, the last one current while the case is open, then the steps to
    come: the decision (due by the deadline) and the payment."""
    today = today or timezone.localdate()
    steps = [_event_step(claim, event) for event in events]
    if not steps:  # a claim loaded in bulk without its history
        steps.append(Step(status=S.SUBMITTED, title=str(STEP_TITLES[S.SUBMITTED]), state="done",
                          at=claim.created_at))  # fmt: skip
    deadline = decision_deadline(claim, today=today)
    if claim.status not in (S.REFUSED, S.PAID):
        steps[-1].state = "current"
    if not claim.is_decided:
        steps.append(
            Step(
                status="decision",
                title=str(_("Решение о выплате")),
                state="upcoming",
                due_on=deadline.due_on if deadline else None,
            )
        )
    if claim.status != S.REFUSED and claim.status != S.PAID:
        steps.append(Step(status="payment", title=str(_("Выплата")), state="upcoming"))
    return Timeline(steps=steps, deadline=deadline)


def payout_summary(claim: Claim) -> str:
    """«Ремонт на СТОА» or «Счёт •••• 5982 в банке с БИК 044525225»."""
    details = claim.payout_details or {}
    if details.get("method") == "repair":
        station = details.get("station")
        text = _("Ремонт на станции техобслуживания — партнёре страховщика")
        return f"{text} ({station})" if station else str(text)
    account = details.get("account", "")
    if account:
        return _("Счёт •••• %(tail)s, БИК %(bik)s") % {
            "tail": account[-4:],
            "bik": details.get("bik", ""),
        }
    return "—"


def event_label(claim: Claim) -> str:
    rules = rules_for(claim.policy.product)
    event = rules.event_type(claim.event_type) if rules else None
    return str(event.label) if event else claim.event_type
