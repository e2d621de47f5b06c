"""«Мои документы»: every document of the person in one list.

Each app that makes documents for a person (policy PDFs, co-pay receipts, the shop's policies,
appeal answers and guarantee letters; claim documents in a later issue) gives one provider: a
function of the user that returns `portal.core.documents.DocumentEntry` rows, in a fixed number of
queries, only of what that user may see. Add it to providers(); the page, its order and its
grouping are here.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from feedback.documents import appeal_answers, guarantee_letters
from payments.receipts import receipts
from policies.documents import policy_documents, program_documents
from portal.core.documents import DocumentEntry
from shop.documents import purchase_documents

Provider = Callable[..., Iterable[DocumentEntry]]


def providers() -> tuple[Provider, ...]:
    return (
        policy_documents,
        program_documents,
        receipts,
        purchase_documents,
        appeal_answers,
        guarantee_letters,
    )


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
