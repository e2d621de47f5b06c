"""«Добавить полис»: the register match, no enumeration, the rate limit, no double link."""

import re

import pytest
from django.urls import reverse

from policies.models import PolicyLink
from tests.factories import InsuredPersonFactory, PolicyLinkFactory, UserFactory

pytestmark = pytest.mark.django_db
ADD = "/policies/add/"


def csrf_free(content: bytes) -> str:
    """The page without its CSRF token (the one part that differs between two requests)."""
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", content.decode())


def search(client, number: str):
    return client.post(ADD, {"number": number})


def confirm(client, number: str):
    return client.post(ADD, {"number": number, "confirm": "1"})


def test_the_page_shows_the_persons_data_to_check(newcomer_client):
    content = newcomer_client.get(ADD).content.decode()

    assert 'name="number"' in content
    assert "Кузнецова Ольга Игоревна" in content
    assert "15.02.1990" in content
    assert "45** ******21" in content  # the passport, masked
    assert "654321" not in content
    assert ">Отправить</button>" in content


def test_the_number_found_is_shown_and_linked_once_confirmed(
    newcomer_client, newcomer, register_row
):
    # when: the number is sent
    response = search(newcomer_client, "ДМС-0147-000900")

    # then: the number found is shown, nothing is linked yet
    content = response.content.decode()
    assert response.status_code == 200
    assert "Найден полис" in content and "№ ДМС-0147-000900" in content
    assert not PolicyLink.objects.exists()

    # when: confirmed
    response = confirm(newcomer_client, "ДМС-0147-000900")

    # then: linked as the person's own
    assert response.status_code == 302
    link = PolicyLink.objects.get()
    assert (link.user, link.insured_person, link.relation) == (newcomer, register_row, "self")
    assert "ДМС-0147-000900" in newcomer_client.get(reverse("policies:list")).content.decode()


def test_a_confirmation_without_the_search_step_links_nothing(newcomer_client, register_row):
    response = confirm(newcomer_client, "ДМС-0147-000900")

    assert response.status_code == 200  # it is taken as a search: the number is shown
    assert "Найден полис" in response.content.decode()
    assert not PolicyLink.objects.exists()


@pytest.mark.parametrize(
    ("register", "account"),
    [
        (("Кузнецова", "Ольга", "Игоревна"), ("кузнецова", "ОЛЬГА", "игоревна")),
        (("Кузнецова", "Ольга", "Игоревна"), ("  Кузнецова ", " Ольга", "Игоревна  ")),
        (("Семёнова", "Алёна", "Фёдоровна"), ("Семенова", "Алена", "Федоровна")),
        (("Семенова", "Алена", "Федоровна"), ("СЕМЁНОВА", "Алёна", "Фёдоровна")),
        (("Петрова-Водкина", "Анна  Мария", ""), ("петрова - водкина", "Анна Мария", "")),
    ],
    ids=["case", "spaces", "yo-in-register", "yo-in-account", "hyphen-and-double-space"],
)
def test_names_match_whatever_the_case_yo_and_spaces(client, register, account):
    # given
    row = InsuredPersonFactory(
        policy_number="ДМС-0001-000001",
        last_name=register[0], first_name=register[1], middle_name=register[2],
    )  # fmt: skip
    user = UserFactory(
        last_name=account[0], first_name=account[1], middle_name=account[2],
        birth_date=row.birth_date,
    )  # fmt: skip
    client.force_login(user)

    # when
    search(client, " дмс-0001-000001 ")  # the number's case and spaces do not matter either
    confirm(client, "ДМС-0001-000001")

    # then
    assert PolicyLink.objects.filter(user=user, insured_person=row).exists()


@pytest.mark.parametrize(
    "change",
    [
        {"last_name": "Петрова Водкина"},  # a hyphen is kept: not the same name
        {"first_name": "Олег"},
        {"middle_name": ""},
        {"birth_date": "1990-02-16"},
    ],
    ids=["hyphen-kept", "first-name", "no-middle-name", "birth-date"],
)
def test_other_data_does_not_match(client, change):
    row = InsuredPersonFactory(
        policy_number="ДМС-0001-000002",
        last_name="Петрова-Водкина", first_name="Ольга", middle_name="Игоревна",
    )  # fmt: skip
    data = {"last_name": row.last_name, "first_name": "Ольга", "middle_name": "Игоревна",
            "birth_date": row.birth_date, **change}  # fmt: skip
    user = UserFactory(**data)
    client.force_login(user)

    content = search(client, row.policy_number).content.decode()

    assert "Полис с такими данными не найден" in content
    assert "Найден полис" not in content


@pytest.mark.parametrize(
    ("account_passport", "matches"),
    [(("4512", "654321"), True), (("4512", "654322"), False), (None, False)],
    ids=["same", "other", "none"],
)
def test_the_passport_must_match_where_the_register_has_it(
    client, newcomer, register_row, account_passport, matches
):
    # given
    register_row.set_passport("4512", "654321")
    register_row.save()
    if account_passport is None:
        newcomer.passport = newcomer.passport_index = ""
    else:
        newcomer.set_passport(*account_passport)
    newcomer.save()
    client.force_login(newcomer)

    # when
    search(client, register_row.policy_number)
    confirm(client, register_row.policy_number)

    # then
    assert PolicyLink.objects.filter(insured_person=register_row).exists() is matches


def test_a_register_row_without_passport_matches_on_name_and_birth_date(
    newcomer_client, register_row
):
    assert register_row.passport_index == ""

    search(newcomer_client, register_row.policy_number)
    confirm(newcomer_client, register_row.policy_number)

    assert PolicyLink.objects.filter(insured_person=register_row).exists()


def test_an_unknown_number_and_someone_elses_get_the_same_answer(newcomer_client, register_row):
    # given: a row of someone else, and a number the register does not have
    someone = InsuredPersonFactory(policy_number="ДМС-0147-000777", last_name="Орлова")

    # when
    unknown = search(newcomer_client, "ДМС-0147-000778")
    theirs = search(newcomer_client, someone.policy_number)

    # then: same status, same page apart from the number typed and the CSRF token
    assert unknown.status_code == theirs.status_code == 200
    same_unknown = csrf_free(unknown.content).replace("ДМС-0147-000778", "N")
    same_theirs = csrf_free(theirs.content).replace("ДМС-0147-000777", "N")
    assert same_unknown == same_theirs
    assert "Полис с такими данными не найден" in same_unknown
    assert "Орлова" not in same_theirs
    assert not PolicyLink.objects.exists()


def test_a_policy_linked_to_another_account_is_not_linked_again(newcomer_client, register_row):
    # given: a name of its own (the factory's names repeat, and the newcomer's own is on the page)
    other = PolicyLinkFactory(
        insured_person=register_row, user__last_name="Другова", user__email="drugova@example.com"
    )

    # when
    content = search(newcomer_client, register_row.policy_number).content.decode()
    confirm(newcomer_client, register_row.policy_number)

    # then: sent to support, nobody named, nothing linked
    assert "уже подключён к другому личному кабинету" in content
    assert "Пульс" in content
    assert other.user.email not in content and other.user.last_name not in content
    assert list(PolicyLink.objects.all()) == [other]


def test_a_policy_already_in_the_cabinet_is_said_so(newcomer_client, newcomer, register_row):
    PolicyLinkFactory(user=newcomer, insured_person=register_row)

    content = search(newcomer_client, register_row.policy_number).content.decode()

    assert "уже есть в вашем кабинете" in content
    assert PolicyLink.objects.count() == 1


def test_ten_tries_an_hour_then_none(newcomer_client, newcomer, register_row):
    # given: ten wrong numbers
    for n in range(10):
        assert search(newcomer_client, f"ДМС-9999-{n:06d}").status_code == 200

    # when: the right one, eleventh
    response = search(newcomer_client, register_row.policy_number)

    # then: refused before any search, nothing linked
    assert response.status_code == 429
    content = response.content.decode()
    assert "Слишком много попыток" in content
    assert "Найден полис" not in content
    assert not PolicyLink.objects.exists()
    # another person is not affected
    other = UserFactory()
    newcomer_client.force_login(other)
    assert search(newcomer_client, "ДМС-9999-000000").status_code == 200


def test_the_limit_slides_with_the_hour(newcomer_client, register_row, time_machine):
    # given: ten tries just before the clock's hour ends
    time_machine.move_to("2026-03-01 10:58 +03:00", tick=False)
    for n in range(10):
        search(newcomer_client, f"ДМС-9999-{n:06d}")

    # then: a new clock hour gives no fresh ten (no double burst across the edge)
    time_machine.move_to("2026-03-01 11:02 +03:00", tick=False)
    assert search(newcomer_client, register_row.policy_number).status_code == 429
    # and once the tries are over an hour old, the person may search again
    time_machine.move_to("2026-03-01 12:05 +03:00", tick=False)
    assert "Найден полис" in search(newcomer_client, register_row.policy_number).content.decode()


def test_a_profile_without_birth_date_is_asked_to_fill_it(client, register_row):
    user = UserFactory(birth_date=None)
    client.force_login(user)

    content = search(client, register_row.policy_number).content.decode()

    assert "Заполните фамилию, имя и дату рождения" in content


def test_anonymous_is_sent_to_login(client, db):
    response = client.post(ADD, {"number": "ДМС-0147-000900"})

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
