"""«Мои документы»: the person's policy PDFs in one list; the registry later issues extend."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cabinet import documents
from tests.factories import UserFactory

from .family import family_for

pytestmark = pytest.mark.django_db
DOCUMENTS = "/documents/"


def test_the_persons_policy_pdfs_are_listed(person_client, user):
    family = family_for(user)
    stranger = family_for(UserFactory(), serial=2)

    content = person_client.get(DOCUMENTS).content.decode()

    for policy in (family.dms, family.vzr, family.child_dms, family.osago):
        assert f'href="/policies/{policy.pk}/pdf/"' in content
    assert f"Полис ДМС № {family.dms.number}" in content
    assert f"Полис ВПМК № {family.vzr.number}" in content
    assert "будет сформирован при скачивании" in content
    assert stranger.dms.number not in content
    # a bought policy is the insurer's document too (issue 22), made by the same machinery
    assert f"Полис ОСАГО № {family.osago.number}" in content
    assert content.index(family.dms.number) < content.index(family.vzr.number)


def test_a_made_pdf_shows_as_ready(person_client, dms_policy, on_commit):
    with on_commit():
        person_client.get(f"/policies/{dms_policy.pk}/pdf/")

    content = person_client.get(DOCUMENTS).content.decode()

    assert "готов," in content


def test_an_empty_list_says_what_will_be_here(person_client):
    content = person_client.get(DOCUMENTS).content.decode()

    assert "Документов пока нет" in content


def test_the_query_count_does_not_grow_with_the_documents(person_client, user):
    person_client.get(DOCUMENTS)
    family_for(user)
    with CaptureQueriesContext(connection) as one:
        person_client.get(DOCUMENTS)
    for serial in range(2, 6):
        family_for(user, serial=serial)

    with CaptureQueriesContext(connection) as many:
        content = person_client.get(DOCUMENTS).content.decode()

    assert len(many) == len(one)
    # five families: DMS, ВЗР, the child's DMS and the bought ОСАГО
    assert len(re.findall(r'href="/policies/\d+/pdf/"', content)) == 5 * 4
    # each program once, with its clinic list per kind of care (three kinds)
    assert len(re.findall(r'href="/policies/\d+/program/pdf/"', content)) == 5
    assert len(re.findall(r'href="/clinics/pdf/\d+/\w+\.pdf"', content)) == 5 * 3


def test_the_registry_collects_every_provider(user, monkeypatch):
    def receipts(person):
        yield documents.DocumentEntry(group="Чеки", title="Чек № 1", url="/copay/receipts/1/")

    monkeypatch.setattr(documents, "providers", lambda: (receipts,))

    groups = documents.documents_for_user(user)

    assert [(g.title, [e.title for e in g.entries]) for g in groups] == [("Чеки", ["Чек № 1"])]
