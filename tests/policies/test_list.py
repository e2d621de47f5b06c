"""«Мои полисы» shows what the brief's screenshot shows, grouped by term, in a fixed number of
queries."""

import datetime
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from claims.models import ServiceLine
from policies.models import Policy
from tests.factories import (
    ClinicFactory,
    InsuredPersonFactory,
    PolicyFactory,
    PolicyLinkFactory,
    ProgramFactory,
    UserFactory,
    today,
)

from .family import CARE_KINDS, family_for, service_line

pytestmark = pytest.mark.django_db
NBSP = "\u00a0"
LIST = "/policies/"


def page(client, url=LIST) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_the_dms_card_shows_what_the_brief_shows(person_client, user):
    # given
    family = family_for(user)

    # when
    content = page(person_client)

    # then: the product, the two download buttons and the clinics link
    assert "Добровольное медицинское страхование + Международный страховой полис" in content
    assert f'href="/policies/{family.dms.pk}/pdf/">Скачать полис ДМС</a>' in content
    assert f'href="/policies/{family.vzr.pk}/pdf/">Скачать полис ВПМК</a>' in content
    assert f'href="/clinics/?policy={family.dms.pk}">Просмотреть список ЛПУ</a>' in content
    # СВЕДЕНИЯ О ПОЛИСЕ: the product, the term, the contact centres as tel: links
    assert "Сведения о полисе" in content
    start, end = family.dms.starts_on, family.dms.ends_on
    assert f"с {start:%d.%m.%Y} по {end:%d.%m.%Y}" in content
    assert f'href="tel:+78003024419">+7{NBSP}(800){NBSP}302-44-19</a>' in content
    assert f'href="tel:+74957392140">+7{NBSP}(495){NBSP}739-21-40</a>' in content
    # СОПЛАТНАЯ ПРОГРАММА: the unpaid co-pay of the insured person, and the way to pay it
    assert "Соплатная программа" in content
    assert f"Сумма задолженности: <strong>544{NBSP}руб.</strong>" in content
    assert 'href="/copay/"' in content
    # ЗАСТРАХОВАННЫЕ ЛИЦА, ВИДЫ МЕДИЦИНСКОЙ ПОМОЩИ (each with its clinic list), the child's policy
    assert "Застрахованные лица" in content
    assert family.own.full_name in content
    assert f"Дата рождения: {family.own.birth_date:%d.%m.%Y}" in content
    assert "Виды медицинской помощи" in content
    for code, name in CARE_KINDS:
        assert f'href="/clinics/?policy={family.dms.pk}&amp;care_kind={code}">{name}</a>' in content
    assert f'href="{reverse("policies:add_child")}">Добавить полис ребёнка</a>' in content
    # and «ДОБАВИТЬ ПОЛИС» at the top, the collapsible card (its button is shown by cards.js)
    assert f'href="{reverse("policies:add")}">Добавить полис</a>' in content
    assert f'aria-controls="policy-{family.dms.pk}-body"' in content
    assert "policies/cards.js" in content


def test_the_childs_card_and_the_bought_policy_card(person_client, user):
    family = family_for(user)

    content = page(person_client)

    # the child's own card, with the child's data and no debt of the parent's
    assert family.child.full_name in content
    assert f"№ {family.child_dms.number}" in content
    assert "Полис ребёнка" in content
    assert f"Сумма задолженности: <strong>0{NBSP}руб.</strong>" in content
    # ОСАГО: product, number, term, status, vehicle, premium
    assert "ОСАГО — обязательное страхование автогражданской ответственности" in content
    assert "ХХХ 0123456701" in content
    assert "Lada Vesta, А123ВС777" in content  # the vehicle
    assert f"8{NBSP}450{NBSP}руб." in content
    assert "Действует" in content


def test_a_program_without_co_pay_shows_no_co_pay_section(person_client, dms_policy):
    content = page(person_client)

    assert dms_policy.number in content
    assert "Соплатная программа" not in content
    assert "Скачать полис ВПМК" not in content  # the contract has no ВЗР
    assert "Добровольное медицинское страхование</h3>" in content


def test_unpaid_policies_are_announced_and_lead_to_their_group(person_client, user):
    # given: no unpaid policy, then one awaiting payment
    PolicyFactory(osago=True, holder=user)
    assert "Проверить наличие неоплаченных полисов" not in page(person_client)
    unpaid = PolicyFactory(osago=True, holder=user, status=Policy.Status.AWAITING_PAYMENT)

    # when
    content = page(person_client)

    # then
    assert '<a href="#group-unpaid">Проверить наличие неоплаченных полисов</a>' in content
    assert 'id="group-unpaid"' in content
    group = content.split('id="group-unpaid"')[1].split("</section>")[0]
    assert unpaid.number in group
    assert "Ожидает оплаты" in group


def test_policies_are_grouped_by_term(person_client, user):
    # given
    t = today()
    active = PolicyFactory(osago=True, holder=user)
    future = PolicyFactory(
        osago=True, holder=user, starts_on=t + datetime.timedelta(days=5),
        ends_on=t + datetime.timedelta(days=370),
    )  # fmt: skip
    past = PolicyFactory(
        osago=True, holder=user, starts_on=t - datetime.timedelta(days=800),
        ends_on=t - datetime.timedelta(days=436), status=Policy.Status.EXPIRED,
    )  # fmt: skip
    draft = PolicyFactory(osago=True, holder=user, status=Policy.Status.DRAFT)

    # when
    content = page(person_client)

    # then: active first, then not started (with its start date), then expired, folded
    order = [content.index(f"policy-{p.pk}-title") for p in (active, future, past)]
    assert order == sorted(order)
    assert content.index('id="group-active"') < content.index('id="group-not_started"')
    assert content.index('id="group-not_started"') < content.index('id="group-expired"')
    assert f"Вступит в силу {future.starts_on:%d.%m.%Y}" in content
    assert "Срок действия истёк" in content
    assert "data-start-collapsed" in content.split(f'id="policy-{past.pk}"')[1]
    assert draft.number not in content


def test_detail_page_shows_the_card_and_a_vzr_opens_within_its_dms_card(person_client, user):
    family = family_for(user)

    for policy in (family.dms, family.vzr):
        content = page(person_client, reverse("policies:detail", args=[policy.pk]))
        assert "Добровольное медицинское страхование + Международный страховой полис" in content
        assert f"/policies/{family.vzr.pk}/pdf/" in content


def test_someone_elses_policy_is_not_found(person_client, user):
    family_for(user)
    stranger = family_for(UserFactory(), serial=2)

    for policy in (stranger.dms, stranger.vzr, stranger.osago):
        response = person_client.get(reverse("policies:detail", args=[policy.pk]))
        assert response.status_code == 404
    assert stranger.dms.number not in page(person_client)


def test_the_seeded_demo_person_owes_544_roubles(client, transactional_db):
    # given: the demo data set of SPEC «Demo data»
    call_command("seed_demo", verbosity=0)
    from portal.accounts.models import User

    client.force_login(User.objects.get(email="demo@example.com"))

    # when
    content = page(client)

    # then
    assert "Добровольное медицинское страхование + Международный страховой полис" in content
    assert f"Сумма задолженности: <strong>544{NBSP}руб.</strong>" in content
    assert "Скачать полис ВПМК" in content
    assert "ОСАГО" in content


# --- Queries ------------------------------------------------------------------------------


def _queries(client, url=LIST) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def add_dms_policies(user, count: int, program) -> None:
    for _ in range(count):
        person = InsuredPersonFactory(program=program, contract=program.contract)
        PolicyLinkFactory(user=user, insured_person=person)
        PolicyFactory(insured_person=person)
        PolicyFactory(insured_person=person, product=Policy.Product.VZR)


def test_query_count_does_not_grow_with_the_number_of_policies(
    person_client, user, django_assert_max_num_queries
):
    # given: one co-pay program with ВЗР and its kinds of care; one policy, measured
    family = family_for(user)
    program = family.own.program
    person_client.get(LIST)  # warms per-process caches (content types, sessions)
    one = _queries(person_client)

    # when: ten times as many insured persons, each with DMS and ВЗР, and other programs
    add_dms_policies(user, 9, program)
    add_dms_policies(user, 3, ProgramFactory(copay_share=Decimal("10"), includes_vzr=True))

    # then
    with django_assert_max_num_queries(one):
        content = page(person_client)
    assert content.count("Скачать полис ВПМК") == 1 + 9 + 3  # own and the new ones


def test_query_count_does_not_grow_with_the_number_of_service_lines(
    person_client, user, django_assert_max_num_queries
):
    # given: one unpaid co-pay line
    family = family_for(user, unpaid=(Decimal("100.00"),))
    person_client.get(LIST)
    one = _queries(person_client)
    clinic = ClinicFactory()

    # when: a hundred of them
    for _ in range(99):
        service_line(family.own, clinic, copay=Decimal("1.00"), state=ServiceLine.CopayState.UNPAID)

    # then
    with django_assert_max_num_queries(one):
        content = page(person_client)
    assert f"Сумма задолженности: <strong>199{NBSP}руб.</strong>" in content
