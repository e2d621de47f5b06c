"""The HR manager's register list costs the same queries whatever the number of people and of
activated cabinets (bench/README.md: ≤ 12 a page, the same at every scale)."""

from urllib.parse import urlencode

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from policies.models import InsuredPerson
from tests.factories import (
    ContractFactory,
    InsuredPersonFactory,
    PolicyLinkFactory,
    ProgramFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:policies_insuredperson_changelist")


def people(contract, count: int, *, activated: int) -> list:
    program = contract.programs.get(code="БАЗ")
    made = InsuredPersonFactory.create_batch(count, contract=contract, program=program)
    for person in made[:activated]:
        PolicyLinkFactory(user=UserFactory(), insured_person=person)
    return made


def test_the_list_shows_each_persons_cabinet_in_constant_queries(
    hr_client, contract, django_assert_max_num_queries
):
    people(contract, 3, activated=1)
    with django_assert_max_num_queries(12) as few:
        hr_client.get(CHANGELIST)
    people(contract, 40, activated=25)

    with django_assert_max_num_queries(len(few)):
        page = hr_client.get(CHANGELIST)

    shown = page.context["cl"].result_list
    assert len(shown) == 43
    assert sum(1 for person in shown if person.cabinet_activated) == 26
    assert {p.pk for p in shown if p.cabinet_activated} == {
        p.pk for p in shown if p.links.filter(unlinked_at__isnull=True).exists()
    }


def test_the_cabinet_filter_and_ordering_read_the_same_flag(hr_client, contract):
    made = people(contract, 6, activated=2)

    yes = hr_client.get(CHANGELIST, {"cabinet": "yes"}).context["cl"].result_list
    no = hr_client.get(CHANGELIST, {"cabinet": "no"}).context["cl"].result_list
    ordered = hr_client.get(CHANGELIST, {"o": "7"}).context["cl"].result_list  # by «кабинет»

    assert {p.pk for p in yes} == {p.pk for p in made[:2]}
    assert {p.pk for p in no} == {p.pk for p in made[2:]}
    assert [p.cabinet_activated for p in ordered] == sorted(p.cabinet_activated for p in ordered)


def test_the_cabinet_filter_reads_the_companys_contracts_once_in_constant_queries(
    hr_client, contract, django_assert_max_num_queries
):
    second = ContractFactory(policyholder=contract.policyholder)
    theirs = ContractFactory()  # another company: never listed
    people(contract, 2, activated=1)
    second_program = ProgramFactory(contract=second, code="БАЗ")
    InsuredPersonFactory(contract=second, program=second_program)
    InsuredPersonFactory.create_batch(
        3, contract=theirs, program=ProgramFactory(contract=theirs, code="БАЗ")
    )
    with django_assert_max_num_queries(12) as few:
        hr_client.get(CHANGELIST, {"cabinet": "no"})
    made = people(contract, 20, activated=5)
    ours_later = InsuredPersonFactory(contract=second, program=second_program)

    with CaptureQueriesContext(connection) as page:
        response = hr_client.get(CHANGELIST, {"cabinet": "no"})

    assert len(page.captured_queries) == len(few)
    contract_reads = [
        q["sql"]
        for q in page.captured_queries
        if q["sql"].startswith('SELECT "policies_contract"."id" AS')
    ]
    assert len(contract_reads) == 1  # the scope's contract ids, read once for the whole page
    # The people filtered by those ids, not by a join to the contracts (the index's order).
    listing = [q["sql"] for q in page.captured_queries if 'AS "cabinet_activated"' in q["sql"]]
    assert len(listing) == 1 and 'INNER JOIN "policies_contract"' not in listing[0]
    shown = {p.pk for p in response.context["cl"].result_list}
    without_cabinet = {
        p.pk
        for p in InsuredPerson.objects.filter(contract__in=[contract, second])
        if not p.links.filter(unlinked_at__isnull=True).exists()
    }
    assert shown == without_cabinet and len(shown) == 1 + 1 + 15 + 1
    assert ours_later.pk in shown and not {p.pk for p in made[:5]} & shown
    assert not shown & set(theirs.insured_persons.values_list("pk", flat=True))


def test_each_row_links_to_the_person_with_the_lists_filters(hr_client, contract):
    made = people(contract, 3, activated=1)

    filters = {"cabinet": "no", "relation": "employee"}
    filtered = hr_client.get(CHANGELIST, filters)
    plain = hr_client.get(CHANGELIST)

    change = reverse("admin:policies_insuredperson_change", args=[made[1].pk])
    query = urlencode({"_changelist_filters": urlencode(filters)})
    assert f'href="{change}?{query}"' in filtered.content.decode()
    assert f'href="{change}"' in plain.content.decode()


def test_the_contract_list_counts_activated_cabinets_and_the_contract_page_does_not(
    hr_client, contract
):
    people(contract, 4, activated=1)

    listed = hr_client.get(reverse("admin:policies_contract_changelist"))
    assert "1 из 4 (25 %)" in listed.content.decode()

    with CaptureQueriesContext(connection) as page:
        response = hr_client.get(reverse("admin:policies_contract_change", args=[contract.pk]))
    assert response.status_code == 200
    assert not any("people_covered" in q["sql"] for q in page.captured_queries)
