"""The cabinet shell: every sidebar entry opens, the landing page and the dashboard."""

import re
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cabinet.navigation import SHOP, SIDEBAR
from tests.factories import InsuredPersonFactory, PolicyFactory, PolicyLinkFactory

ENTRIES = [*SIDEBAR, SHOP]
ENTRY_IDS = [entry.url_name for entry in ENTRIES]


def give_policies(user, count: int) -> list:
    """`count` policies the user sees: DMS of linked insured persons and bought ОСАГО ones."""
    policies = []
    for i in range(count):
        if i % 2 == 0:
            person = InsuredPersonFactory()
            PolicyLinkFactory(user=user, insured_person=person)
            policies.append(PolicyFactory(insured_person=person))
        else:
            policies.append(PolicyFactory(osago=True, holder=user))
    return policies


@pytest.mark.parametrize("entry", ENTRIES, ids=ENTRY_IDS)
def test_every_sidebar_entry_opens_for_a_logged_in_person(person_client, entry):
    response = person_client.get(reverse(entry.url_name))

    assert response.status_code == 200


@pytest.mark.parametrize("entry", ENTRIES, ids=ENTRY_IDS)
def test_every_sidebar_entry_sends_anonymous_users_to_login(client, db, entry):
    url = reverse(entry.url_name)

    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={quote(url)}"


def test_the_shell_shows_the_brief_sections_and_the_yellow_shop_button(person_client):
    # when
    content = person_client.get(reverse("policies:list")).content.decode()

    # then
    brief_sections = [  # SPEC.md «Sidebar, in this order»
        "Мои полисы",
        "Клиники и запись",
        "Мои записи к врачу",
        "Мои страховые случаи",
        "Убытки",
        "Мои обращения",
        "Гарантийные письма",
        "Со-оплата",
        "Мои документы",
        "Личная информация",
        "Активация полиса",
        "Специальные предложения",
    ]
    assert [str(entry.label) for entry in SIDEBAR] == brief_sections
    for entry in SIDEBAR:
        assert str(entry.label) in content
        assert f'href="{reverse(entry.url_name)}"' in content
    shop = re.search(
        r'<a class="button button--shop" href="/shop/"><svg[^>]*>.*?</svg><span>([^<]+)</span></a>',
        content,
    )
    assert shop is not None
    assert shop.group(1) == "КУПИТЬ ПОЛИС ОНЛАЙН"
    assert 'aria-current="page"' in content


def test_each_sidebar_entry_has_a_picture_of_its_own(person_client):
    content = person_client.get(reverse("policies:list")).content.decode()
    nav = content[content.index('<nav id="sidebar"') : content.index("</nav>")]

    pictures = re.findall(r'<a class="sidebar__link[^>]*>\s*(<svg.*?</svg>)', nav, re.S)

    assert len(pictures) == len(SIDEBAR)
    assert len(set(pictures)) == len(SIDEBAR)


def current_entries(content: str) -> list[str]:
    return re.findall(
        r'class="sidebar__link is-active" href="([^"]+)" aria-current="page"', content
    )


def test_the_sidebar_marks_the_page_it_is_on_and_no_other(person_client):
    # The sidebar is rendered once per page it can mark: each page gets its own.
    for entry in SIDEBAR:
        content = person_client.get(reverse(entry.url_name)).content.decode()
        assert current_entries(content) == [reverse(entry.url_name)], entry.url_name
    # a page that is no entry marks none
    content = person_client.get(reverse("policies:add")).content.decode()
    assert current_entries(content) == []
    assert f'href="{reverse("cases")}"' in content


def test_the_shop_button_style_is_yellow():
    css = (settings.BASE_DIR / "static" / "css" / "portal.css").read_text(encoding="utf-8")

    yellow = re.search(r"--yellow:\s*(#[0-9a-fA-F]{6})", css)
    assert yellow is not None
    red, green, blue = (int(yellow.group(1)[i : i + 2], 16) for i in (1, 3, 5))
    assert red > 200 and green > 180 and blue < 80
    assert re.search(r"\.button--shop[^{]*\{[^}]*background:\s*var\(--yellow\)", css)


def test_landing_page_answers_anonymously(client, db):
    response = client.get("/")

    assert response.status_code == 200
    content = response.content.decode()
    assert reverse("account_login") in content
    assert reverse("account_signup") in content
    assert "sidebar" not in content


def test_dashboard_lists_the_persons_policies_only(person_client, user):
    # given
    own = give_policies(user, 3)
    strangers = PolicyFactory(number="9999999999")

    # when
    response = person_client.get("/")

    # then
    assert response.status_code == 200
    content = response.content.decode()
    for policy in own:
        assert f"№ {policy.number}" in content
        assert reverse("policies:detail", args=[policy.pk]) in content
    assert strangers.number not in content


def test_dashboard_without_policies_offers_to_add_one(person_client):
    content = person_client.get("/").content.decode()

    assert "Добавить полис" in content
    assert reverse("policies:add") in content


@pytest.mark.parametrize("url", ["/", "/policies/"])
def test_query_count_does_not_grow_with_the_number_of_policies(
    person_client, user, url, django_assert_max_num_queries
):
    # given: the count of one policy, after a first request that warms per-process caches
    give_policies(user, 1)
    person_client.get(url)
    with CaptureQueriesContext(connection) as one_policy:
        assert person_client.get(url).status_code == 200
    give_policies(user, 9)

    # when / then
    with django_assert_max_num_queries(len(one_policy)):
        response = person_client.get(url)
    shown = response.context["dashboard"].cards if url == "/" else response.context["policies"]
    assert len(shown) == 10
