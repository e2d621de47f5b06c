"""Error pages: 400, 403, 404, 405, 500 and the CSRF failure answer a Russian page in the portal's
layout with a way back, with DEBUG=False (the test settings') — for a visitor, a person and staff.

This module is also the URLconf of the 500 tests: the project's patterns and handlers, and one
page that fails.
"""

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.test import Client, RequestFactory
from django.urls import path

import portal.urls
from employers.selectors import HR_GROUP
from portal.core.errors import parent_page, server_error
from tests.conftest import staff_login
from tests.factories import StaffUserFactory


def _boom(request):
    raise RuntimeError("a page that fails")


urlpatterns = [path("boom/", _boom), path("admin/boom/", _boom), *portal.urls.urlpatterns]
handler400 = portal.urls.handler400
handler403 = portal.urls.handler403
handler404 = portal.urls.handler404
handler500 = portal.urls.handler500

pytestmark = pytest.mark.django_db


def page(response) -> str:
    return response.content.decode()


def test_the_suite_runs_with_debug_off():
    assert settings.DEBUG is False


def test_404_for_a_visitor_is_russian_in_the_layout_with_a_way_home(client):
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    html = page(response)
    assert "Страница не найдена" in html
    assert 'class="topbar"' in html and 'class="footer"' in html  # the portal's layout
    assert 'href="/"' in html and "Вернуться на главную" in html
    assert "Not Found" not in html


def test_404_for_a_person_keeps_the_cabinet_menu(person_client):
    response = person_client.get("/policies/999999/")

    assert response.status_code == 404
    html = page(response)
    assert "Страница не найдена" in html
    assert 'id="sidebar"' in html or "sidebar" in html


def test_404_in_the_admin_leads_back_to_the_admin(client):
    staff_login(client, StaffUserFactory())

    response = client.get("/admin/no-such-section/")

    assert response.status_code == 404
    html = page(response)
    assert "Страница не найдена" in html
    assert 'href="/admin/"' in html and "Вернуться в администрирование" in html


def test_403_for_staff_without_the_permission(client):
    hr = StaffUserFactory()
    hr.groups.add(Group.objects.get(name=HR_GROUP))
    staff_login(client, hr)

    response = client.get("/admin/auth/group/")

    assert response.status_code == 403
    html = page(response)
    assert "Нет доступа к этой странице" in html
    assert "обратитесь к администратору" in html
    assert 'href="/admin/"' in html
    assert "403 Forbidden" not in html


def test_400_for_a_request_to_an_unknown_host(client):
    response = client.get("/", HTTP_HOST="evil.example.com")

    assert response.status_code == 400
    html = page(response)
    assert "Запрос не получилось обработать" in html
    assert 'href="/"' in html


def test_400_for_a_form_with_too_many_fields(person_client, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 10

    response = person_client.post("/profile/edit/", {f"f{n}": "x" for n in range(50)})

    assert response.status_code == 400
    assert "Запрос не получилось обработать" in page(response)


def test_csrf_failure_is_a_russian_page_with_the_form_to_open_again(user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)

    response = client.post("/profile/edit/", {"last_name": "Иванов"})

    assert response.status_code == 403
    html = page(response)
    assert "Страница устарела" in html
    assert 'href="/profile/edit/"' in html
    assert "CSRF" not in html


def test_csrf_failure_for_a_visitor_at_login(db):
    response = Client(enforce_csrf_checks=True).post(
        "/accounts/login/", {"login": "a@example.com", "password": "x"}
    )

    assert response.status_code == 403
    assert "Страница устарела" in page(response)


def test_a_reloaded_card_form_goes_back_to_the_copay_page(person_client, insured):
    # the card form is the answer to a POST; reloading it is a GET of a POST-only URL
    response = person_client.get(f"/copay/{insured.pk}/card/")

    assert response.status_code == 302
    assert response["Location"] == "/copay/"
    followed = person_client.get("/copay/")
    assert "Эта страница открывается только из формы" in page(followed)


def test_a_get_of_a_post_only_action_goes_to_its_page(person_client):
    response = person_client.get("/profile/sessions/end/")

    assert response.status_code == 302
    assert response["Location"] == "/profile/"


def test_another_method_gets_the_russian_405_page(person_client):
    response = person_client.put("/profile/sessions/end/")

    assert response.status_code == 405
    assert response["Allow"] == "POST"
    html = page(response)
    assert "Так эту страницу не открыть" in html
    assert 'class="topbar"' in html


def test_the_parent_page_is_the_nearest_path_that_resolves():
    # a POST-only parent redirects in turn: /copay/7/card/attach/ → /copay/7/card/ → /copay/
    assert parent_page("/copay/7/card/attach/") == "/copay/7/card/"
    assert parent_page("/copay/7/card/") == "/copay/"
    assert parent_page("/profile/sessions/end/") == "/profile/"
    assert parent_page("/payments/webhooks/stripe/") == "/"
    assert parent_page("/") == "/"


@pytest.mark.urls(__name__)
def test_500_is_a_russian_page_in_the_layout(db):
    client = Client(raise_request_exception=False)

    response = client.get("/boom/")

    assert response.status_code == 500
    html = page(response)
    assert "Ошибка на нашей стороне" in html
    assert 'class="topbar"' in html and 'href="/"' in html
    assert settings.HOTLINE_PHONE_DISPLAY in html
    assert "Server Error" not in html


@pytest.mark.urls(__name__)
def test_500_in_the_admin_leads_back_to_the_admin(client):
    staff_login(client, StaffUserFactory())
    client.raise_request_exception = False

    response = client.get("/admin/boom/")

    assert response.status_code == 500
    assert "Ошибка на нашей стороне" in page(response)
    assert 'href="/admin/"' in page(response)


def test_500_needs_no_user_session_or_database(django_assert_num_queries):
    # a bare request: no middleware ran (no user, no session), and no query is made
    with django_assert_num_queries(0):
        response = server_error(RequestFactory().get("/admin/claims/"))

    assert response.status_code == 500
    html = page(response)
    assert "Ошибка на нашей стороне" in html
    assert 'href="/admin/"' in html
