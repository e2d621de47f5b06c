"""«Мои документы»: every document of the person in one list.

Each app that makes documents for a person (policy PDFs now; receipts, claim documents and
appeal answers in later issues) gives one provider: a function of the user that returns
`DocumentEntry` rows, in a fixed number of queries, only of what that user may see. Add its
dotted path to PROVIDERS; the page, its order and its grouping are here.
"""

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.module_loading import import_string

PROVIDERS: tuple[str, ...] = (
    "policies.documents.policy_documents",
    "payments.receipts.receipts",
    "shop.documents.purchase_documents",
    # "claims.documents.claim_documents",
    "feedback.documents.appeal_answers",
    "feedback.documents.guarantee_letters",
)


@dataclass(frozen=True)
class DocumentEntry:
    group: str  # the list's section: «Полисы», «Чеки», «Страховые случаи», ...
    title: str  # «Полис ДМС № ДМС-0147-000001»
    url: str  # the download (or the page that makes it): owner-checked by its view
    subtitle: str = ""  # whose, what for: «Смирнов Алексей Петрович»
    date: datetime.date | None = None  # the document's date, for sorting and display
    state: str = ""  # «готов» / «будет сформирован при скачивании»
    file_type: str = "PDF"
    order: int = 0  # within the group: lower first


Provider = Callable[..., Iterable[DocumentEntry]]


@cache
def providers() -> tuple[Provider, ...]:
    return tuple(import_string(path) for path in PROVIDERS)


@dataclass(frozen=True)
class DocumentGroup:
    title: str
    entries: list[DocumentEntry]


def documents_for_user(user) -> list[DocumentGroup]:
    groups: dict[str, list[DocumentEntry]] = {}
    for provider in providers():
        for entry in provider(user):
            groups.setdefault(entry.group, []).append(entry)
    return [
        DocumentGroup(
            title=title,
            entries=sorted(
                entries,
                key=lambda e: (e.order, -(e.date.toordinal() if e.date else 0), e.title),
            ),
        )
        for title, entries in groups.items()
    ]


@login_required
def my_documents(request: HttpRequest) -> HttpResponse:
    return render(request, "documents/list.html", {"groups": documents_for_user(request.user)})
