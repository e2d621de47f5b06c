"""The HR manager's list of uploads in the admin («Загрузки списков») costs the same few queries
whatever the number of uploads and of contracts (bench/README.md: ≤ 12 a page, the same at every
scale): the results are counted once and the company's contracts read once."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from employers.models import ImportBatch
from tests.factories import ContractFactory

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:employers_importbatch_changelist")


def uploads(contract, user, count: int) -> list[ImportBatch]:
    return [
        ImportBatch.objects.create(
            contract=contract,
            uploaded_by=user,
            original_name=f"список {n}.csv",
            file_format=ImportBatch.Format.CSV,
            file_size=1,
            sha256="0" * 64,
            effective_date=contract.starts_on,
            status=ImportBatch.Status.CHECKED,
            rows_total=10,
            to_add=n,
        )
        for n in range(count)
    ]


def contract_reads(queries) -> list[str]:
    return [q["sql"] for q in queries if q["sql"].startswith('SELECT "policies_contract"."id"')]


def test_the_uploads_list_reads_the_contracts_once_in_constant_queries(
    hr_client, hr_user, contract, django_assert_max_num_queries
):
    uploads(contract, hr_user, 2)
    with django_assert_max_num_queries(11) as few:
        hr_client.get(CHANGELIST)
    second = ContractFactory(policyholder=contract.policyholder)
    idle = ContractFactory(policyholder=contract.policyholder)  # nothing uploaded yet
    theirs = ContractFactory()  # another company: never listed
    uploads(second, hr_user, 30)
    uploads(theirs, hr_user, 2)

    with CaptureQueriesContext(connection) as page:
        response = hr_client.get(CHANGELIST)

    assert len(page.captured_queries) == len(few)
    assert len(contract_reads(page.captured_queries)) == 1
    assert sum("COUNT(" in q["sql"] for q in page.captured_queries) == 1
    assert response.context["cl"].result_count == 32
    links = {c.pk for c, _url in response.context["uploads"]}
    assert links == {contract.pk, second.pk, idle.pk}
    (contract_filter,) = [
        f for f in response.context["cl"].filter_specs if f.field.name == "contract"
    ]
    assert [pk for pk, _label in contract_filter.lookup_choices] == [
        c.pk for c in sorted([contract, second], key=lambda c: (-c.starts_on.toordinal(), c.number))
    ]
    assert str(second) in {label for _pk, label in contract_filter.lookup_choices}
    html = response.content.decode()
    assert reverse("admin:policies_contract_import", args=[idle.pk]) in html
    assert theirs.number not in html


def test_the_contract_filter_still_filters(hr_client, hr_user, contract):
    second = ContractFactory(policyholder=contract.policyholder)
    uploads(contract, hr_user, 2)
    uploads(second, hr_user, 3)

    response = hr_client.get(CHANGELIST, {"contract__id__exact": second.pk})

    assert response.status_code == 200
    assert {b.contract_id for b in response.context["cl"].result_list} == {second.pk}
    assert response.context["cl"].result_count == 3


def test_a_superuser_sees_every_companys_uploads(superuser_client, hr_user, contract):
    theirs = ContractFactory()
    uploads(contract, hr_user, 1)
    uploads(theirs, hr_user, 1)

    response = superuser_client.get(CHANGELIST)

    assert response.status_code == 200
    assert response.context["cl"].result_count == 2
    (contract_filter,) = [
        f for f in response.context["cl"].filter_specs if f.field.name == "contract"
    ]
    assert {pk for pk, _label in contract_filter.lookup_choices} == {contract.pk, theirs.pk}
