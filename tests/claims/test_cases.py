"""«Мои страховые случаи ДМС» (/cases/): only the person's lines, filters, totals in SQL, pages,
the plain-Russian explanation, and a query count that does not grow with the history."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from claims.models import ServiceLine
from claims.selectors import (
    CaseFilters,
    case_totals,
    service_line_explanation,
    service_lines_for_user,
)
from tests.factories import (
    CareKindFactory,
    ClaimFactory,
    ClinicFactory,
    InsuredPersonFactory,
    PolicyLinkFactory,
    ServiceLineFactory,
)

State = ServiceLine.CopayState

# The page shows diagnoses and service names only with the health-data consent
# (tests/claims/test_cases_health_consent.py covers the page without it).
pytestmark = pytest.mark.usefixtures("health_consent")


@pytest.fixture
def copay_person(insured):
    insured.program.copay_share = Decimal("20")
    insured.program.code = "ОПТ-20"
    insured.program.save()
    return insured


def line(person, **kwargs):
    return ServiceLineFactory(insured_person=person, **kwargs)


def test_only_the_persons_linked_lines_are_listed(person_client, insured, user):
    mine = line(insured, service_name="Приём терапевта")
    child = InsuredPersonFactory(relation="child", parent=insured)
    PolicyLinkFactory(user=user, insured_person=child)
    childs = line(child, service_name="Приём педиатра")
    others = line(InsuredPersonFactory(), service_name="Чужая услуга")

    page = person_client.get("/cases/").content.decode()

    assert mine.service_name in page and childs.service_name in page
    assert others.service_name not in page
    assert set(service_lines_for_user(user)) == {mine, childs}


def test_the_card_shows_the_screenshots_facts(person_client, copay_person):
    line(
        copay_person,
        service_date=datetime.date(2019, 1, 15),
        care_kind=CareKindFactory(name="Амбулаторно-поликлиническое обслуживание"),
        amount=Decimal("680"),
        copay_amount=Decimal("136"),
        copay_state=State.UNPAID,
        icd10_name="Ушиб грудной клетки",
    )

    page = person_client.get("/cases/?period=all").content.decode()

    assert "Амбулаторно-поликлиническое обслуживание" in page
    assert "Услуга оказана 15.01.2019" in page
    assert "680\xa0руб." in page
    assert "136\xa0руб. (не оплачено)" in page
    assert "Ушиб грудной клетки" in page
    assert "Оставить отзыв" in page and "Услуга не оказана" in page
    assert "по программе ОПТ-20; ваша доля 20\xa0% — 136\xa0руб." in page


def test_the_cards_text_is_escaped(person_client, insured):
    line(
        insured,
        service_name="<script>alert(1)</script>",
        clinic=ClinicFactory(name="Клиника «А» & <b>Б</b>"),
        icd10_name='Диагноз "в кавычках"',
    )

    page = person_client.get("/cases/").content.decode()

    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "Клиника «А» &amp; &lt;b&gt;Б&lt;/b&gt;" in page
    assert "Диагноз &quot;в кавычках&quot;" in page


def test_an_unknown_diagnosis_name_shows_its_code(person_client, insured):
    line(insured, icd10_code="S20.2", icd10_name="")

    assert "S20.2" in person_client.get("/cases/").content.decode()


def test_filters_by_period_clinic_kind_and_person(user, insured):
    clinic, kind = ClinicFactory(), CareKindFactory()
    a = line(insured, service_date=datetime.date(2026, 3, 1), clinic=clinic, care_kind=kind)
    b = line(insured, service_date=datetime.date(2026, 5, 1))
    child = InsuredPersonFactory()
    PolicyLinkFactory(user=user, insured_person=child)
    c = line(child, service_date=datetime.date(2026, 5, 2))
    lines = service_lines_for_user(user)

    period = CaseFilters(date_from=datetime.date(2026, 4, 1), date_to=datetime.date(2026, 5, 31))
    assert set(period.apply(lines)) == {b, c}
    assert set(CaseFilters(clinic_id=clinic.pk).apply(lines)) == {a}
    assert set(CaseFilters(care_kind_id=kind.pk).apply(lines)) == {a}
    assert set(CaseFilters(person_id=child.pk).apply(lines)) == {c}


def test_a_filter_on_someone_elses_person_shows_nothing(person_client, insured):
    line(insured)
    stranger = InsuredPersonFactory()
    line(stranger, service_name="Чужая услуга")

    page = person_client.get(f"/cases/?person={stranger.pk}").content.decode()

    assert "Чужая услуга" not in page


def test_totals_split_the_amount_between_insurer_and_person(user, copay_person):
    line(copay_person, amount=Decimal("680"), copay_amount=Decimal("136"), copay_state=State.UNPAID)
    line(copay_person, amount=Decimal("1000"), copay_amount=Decimal("200"), copay_state=State.PAID)
    line(copay_person, amount=Decimal("500"), copay_amount=Decimal("100"), copay_state=State.FROZEN)
    line(
        copay_person, amount=Decimal("300"), copay_amount=Decimal("60"), copay_state=State.CANCELLED
    )
    line(copay_person, amount=Decimal("2500"))

    totals = case_totals(service_lines_for_user(user))

    assert totals.count == 5
    assert totals.amount == Decimal("4980")
    assert totals.copay_paid == Decimal("200")
    assert totals.copay_owed == Decimal("136")
    assert totals.copay_frozen == Decimal("100")
    # a cancelled co-pay is the insurer's again
    assert totals.insurer_paid == Decimal("4980") - Decimal("436")


def test_explanations_say_what_the_person_owes(copay_person):
    unpaid = line(
        copay_person, amount=Decimal("680"), copay_amount=Decimal("136"), copay_state=State.UNPAID
    )
    frozen = line(
        copay_person, amount=Decimal("680"), copay_amount=Decimal("136"), copay_state=State.FROZEN
    )
    free = line(copay_person)

    assert "будет списана" in service_line_explanation(unpaid)
    assert "заморожена" in service_line_explanation(frozen)
    assert "ничего не причитается" in service_line_explanation(free)


def test_pages_of_twenty(person_client, insured):
    for _ in range(25):
        line(insured)

    first = person_client.get("/cases/").content.decode()
    more = person_client.get("/cases/?page=2", HTTP_HX_REQUEST="true").content.decode()

    assert first.count('class="card case-card"') == 20
    assert "Показать ещё (показано 20 из 25)" in first
    # «Показать ещё» brings the next cards alone, without the page around them or a next button
    assert more.count('class="card case-card"') == 5
    assert "<html" not in more and "Показать ещё" not in more


def test_the_default_period_is_the_last_12_months_and_says_so(person_client, insured):
    today = timezone.localdate()
    recent = line(insured, service_date=today - datetime.timedelta(days=30))
    old = line(insured, service_date=today - datetime.timedelta(days=400))

    page = person_client.get("/cases/").content.decode()
    everything = person_client.get("/cases/?period=all").content.decode()

    assert "за последние 12 месяцев" in page
    assert f"line-{recent.pk}" in page and f"line-{old.pk}" not in page
    assert "Итого за период: 1 " in page
    assert f"line-{old.pk}" in everything and "за всё время" in everything


def test_a_confirmed_not_provided_line_says_so_and_the_copay_is_cancelled(
    person_client, copay_person
):
    gone = line(
        copay_person,
        amount=Decimal("680"),
        copay_amount=Decimal("136"),
        copay_state=State.CANCELLED,
        recovery_flagged_at=timezone.now(),
    )

    page = person_client.get("/cases/").content.decode()
    card = page[page.index(f'id="line-{gone.pk}"') :]
    card = card[: card.index("</li>")]

    assert "Услуга не оказана" in card and "Услуга оказана" not in card
    assert "(отменено)" in card and "списано" not in card
    assert "Со-оплата 136\u00a0руб. отменена" in card


def test_a_paid_line_found_not_provided_says_the_copay_goes_back(copay_person):
    paid = line(
        copay_person,
        amount=Decimal("680"),
        copay_amount=Decimal("136"),
        copay_state=State.PAID,
        recovery_flagged_at=timezone.now(),
    )
    assert "возвращается на карту" in service_line_explanation(paid)
    assert "возвращена на карту" in service_line_explanation(paid, refunded=True)


def test_the_non_dms_claims_are_listed(person_client, user):
    claim = ClaimFactory(user=user)

    page = person_client.get("/cases/").content.decode()

    assert f"/claims/{claim.pk}/" in page


@pytest.mark.parametrize("n", [5, 50])
def test_query_count_does_not_grow_with_history(
    n, person_client, insured, django_assert_max_num_queries
):
    clinics = [ClinicFactory() for _ in range(3)]
    for i in range(n):
        line(insured, clinic=clinics[i % 3])
    ClaimFactory(user=insured.links.first().user)

    with django_assert_max_num_queries(16):
        response = person_client.get("/cases/")
    assert response.status_code == 200


def test_query_count_is_the_same_for_5_and_50_lines(person_client, insured):
    counts = []
    for _ in range(2):
        for _ in range(5 if not counts else 45):
            line(insured)
        with CaptureQueriesContext(connection) as ctx:
            person_client.get("/cases/")
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]


def test_logged_out_goes_to_login(client):
    assert client.get("/cases/").status_code == 302


def test_the_lines_are_counted_once_by_the_totals(person_client, insured):
    for _ in range(25):
        line(insured)
    with CaptureQueriesContext(connection) as ctx:
        response = person_client.get("/cases/?page=2")
    assert response.status_code == 200
    assert response.context["page"].paginator.num_pages == 2
    assert len(response.context["rows"]) == 5
    # Paginator.count's own query would be `SELECT COUNT(*) AS "__count"`.
    assert not [q for q in ctx.captured_queries if '"__count"' in q["sql"]]
    # One fewer than before the totals fed the paginator, one more for the health-data consent,
    # one fewer since the clinics and kinds of the filters come from one read of the lines.
    assert len(ctx.captured_queries) == 11


def test_every_read_of_the_periods_lines_names_both_ends(person_client, insured):
    """The totals and the cards name the period's both ends (the end is today when none is
    chosen): PostgreSQL plans only those months' partitions, not every month's."""
    today = timezone.localdate()
    for days in (3, 40, 200):
        line(insured, service_date=today - datetime.timedelta(days=days))
    for url in ("/cases/", "/cases/?page=2", "/cases/?period=all"):
        with CaptureQueriesContext(connection) as ctx:
            assert person_client.get(url).status_code == 200
        periods = [
            q["sql"]
            for q in ctx.captured_queries
            if 'FROM "claims_serviceline"' in q["sql"] and "DISTINCT" not in q["sql"]
        ]
        assert len(periods) == 2  # the totals and the cards
        for sql in periods:
            assert f"\"service_date\" <= '{today.isoformat()}'" in sql
            if "period=all" not in url:
                assert '"service_date" >= ' in sql


def test_the_filters_offer_every_clinic_and_kind_of_the_whole_history(person_client, insured):
    today = timezone.localdate()
    recent_clinic, old_clinic = ClinicFactory(name="Я-клиника"), ClinicFactory(name="А-клиника")
    recent_kind, old_kind = CareKindFactory(order=2), CareKindFactory(order=1)
    line(insured, service_date=today, clinic=recent_clinic, care_kind=recent_kind)
    line(
        insured,
        service_date=today - datetime.timedelta(days=900),
        clinic=old_clinic,
        care_kind=old_kind,
    )
    line(
        insured,
        service_date=today - datetime.timedelta(days=5),
        clinic=old_clinic,
        care_kind=recent_kind,
    )

    form = person_client.get("/cases/").context["form"]

    assert [c for c, _ in form.fields["clinic"].choices][1:] == [old_clinic.pk, recent_clinic.pk]
    assert [k for k, _ in form.fields["care_kind"].choices][1:] == [old_kind.pk, recent_kind.pk]
    chosen = person_client.get(f"/cases/?period=all&clinic={old_clinic.pk}").context["rows"]
    assert len(chosen) == 2


def test_show_more_pages_cost_few_queries(person_client, insured, django_assert_max_num_queries):
    for _ in range(45):
        line(insured)

    with django_assert_max_num_queries(12):
        more = person_client.get("/cases/?page=2", HTTP_HX_REQUEST="true")

    assert more.content.decode().count('class="card case-card"') == 20
    assert "page=3" in more.content.decode()
