"""«Добавить полис ребёнка»: a dependant of the person, under 15 on the day; the daily task ends
the link on the 15th birthday and tells the parent."""

import datetime

import pytest
from django.conf import settings
from django.core import mail

from policies import tasks
from policies.models import InsuredPerson, PolicyLink
from tests.factories import InsuredPersonFactory, PolicyFactory, PolicyLinkFactory, UserFactory

pytestmark = pytest.mark.django_db
ADD_CHILD = "/policies/add-child/"
BIRTHDAY = datetime.date(2012, 3, 10)  # 15 on 10.03.2027


@pytest.fixture
def parent_row(newcomer, register_row):
    PolicyLinkFactory(user=newcomer, insured_person=register_row)
    return register_row


def make_child(parent: InsuredPerson, **kwargs) -> InsuredPerson:
    data = {
        "policy_number": "ДМС-0147-000901",
        "last_name": "Кузнецов",
        "first_name": "Артём",
        "middle_name": "Сергеевич",
        "birth_date": BIRTHDAY,
        **kwargs,
    }
    return InsuredPersonFactory(
        child=True, parent=parent, contract=parent.contract, program=parent.program, **data
    )


def form(**changes) -> dict:
    return {
        "number": "ДМС-0147-000901",
        "last_name": "Кузнецов",
        "first_name": "Артем",  # «е» for «ё»: the same name
        "middle_name": "сергеевич",
        "birth_date": BIRTHDAY.isoformat(),
        **changes,
    }


def test_the_form_has_the_contract_field_names(newcomer_client):
    content = newcomer_client.get(ADD_CHILD).content.decode()

    for name in ("number", "last_name", "first_name", "middle_name", "birth_date"):
        assert f'name="{name}"' in content


def test_a_dependant_under_15_is_linked(newcomer_client, newcomer, parent_row, time_machine):
    time_machine.move_to("2026-05-01 12:00 +03:00", tick=False)
    child = make_child(parent_row)
    PolicyFactory(insured_person=child, number=child.policy_number)

    response = newcomer_client.post(ADD_CHILD, form())

    assert response.status_code == 302
    link = PolicyLink.objects.get(insured_person=child)
    assert (link.user, link.relation) == (newcomer, "child")
    assert child.policy_number in newcomer_client.get("/policies/").content.decode()
    # his service history is health data too: the separate consent is asked for (152-FZ art. 9)
    assert response["Location"] == "/profile/consents/health/?next=%2Fpolicies%2F"


def test_a_parent_who_gave_the_health_consent_goes_back_to_the_policies(
    newcomer_client, newcomer, parent_row, time_machine
):
    from portal.accounts.services import health_consent_give

    time_machine.move_to("2026-05-01 12:00 +03:00", tick=False)
    make_child(parent_row)
    health_consent_give(user=newcomer)

    response = newcomer_client.post(ADD_CHILD, form())

    assert (response.status_code, response["Location"]) == (302, "/policies/")


@pytest.mark.parametrize(
    ("day", "linked"),
    [("2027-03-09", True), ("2027-03-10", False), ("2027-03-11", False)],
    ids=["day-before-15th-birthday", "15th-birthday", "day-after"],
)
def test_the_child_must_be_under_15_on_the_day(
    newcomer_client, newcomer, parent_row, time_machine, day, linked
):
    time_machine.move_to(f"{day} 12:00 +03:00", tick=False)
    newcomer_client.force_login(newcomer)  # a session of the day travelled to
    child = make_child(parent_row)

    response = newcomer_client.post(ADD_CHILD, form())

    assert PolicyLink.objects.filter(insured_person=child).exists() is linked
    if not linked:
        assert "до 15 лет" in response.content.decode()


def test_someone_elses_child_is_not_found(newcomer_client, parent_row):
    # given: a child of another employee, with the data the person typed
    make_child(InsuredPersonFactory(policy_number="ДМС-0147-000500"))

    response = newcomer_client.post(ADD_CHILD, form())

    assert "Полис с такими данными не найден" in response.content.decode()
    assert PolicyLink.objects.filter(relation="child").count() == 0


def test_a_child_of_the_persons_other_register_row_is_found(newcomer_client, newcomer):
    # given: the person is not linked to the row the child is listed under (an earlier
    # contract), but that row is the same person
    earlier = InsuredPersonFactory(
        last_name=newcomer.last_name, first_name=newcomer.first_name,
        middle_name=newcomer.middle_name, birth_date=newcomer.birth_date,
    )  # fmt: skip
    child = make_child(earlier)

    newcomer_client.post(ADD_CHILD, form())

    assert PolicyLink.objects.filter(insured_person=child, user=newcomer).exists()


@pytest.mark.parametrize(
    "change",
    [{"first_name": "Артур"}, {"birth_date": "2012-03-11"}, {"number": "ДМС-0147-000902"}],
    ids=["name", "birth-date", "number"],
)
def test_wrong_data_gets_the_not_found_answer(newcomer_client, parent_row, change):
    make_child(parent_row)

    content = newcomer_client.post(ADD_CHILD, form(**change)).content.decode()

    assert "Полис с такими данными не найден" in content
    assert not PolicyLink.objects.filter(relation="child").exists()


def test_an_employee_row_is_not_a_child(newcomer_client, parent_row):
    InsuredPersonFactory(
        policy_number="ДМС-0147-000901", last_name="Кузнецов", first_name="Артём",
        middle_name="Сергеевич", birth_date=BIRTHDAY,
    )  # fmt: skip

    content = newcomer_client.post(ADD_CHILD, form()).content.decode()

    assert "Полис с такими данными не найден" in content


def test_a_child_linked_to_the_other_parent_is_not_linked_again(newcomer_client, parent_row):
    child = make_child(parent_row)
    other_parent = PolicyLinkFactory(insured_person=child)

    content = newcomer_client.post(ADD_CHILD, form()).content.decode()

    assert "уже подключён к другому личному кабинету" in content
    assert list(PolicyLink.objects.filter(insured_person=child)) == [other_parent]


def test_the_childs_tries_count_with_the_persons_own(newcomer_client, parent_row):
    make_child(parent_row)
    for n in range(10):
        newcomer_client.post("/policies/add/", {"number": f"ДМС-9999-{n:06d}"})

    response = newcomer_client.post(ADD_CHILD, form())

    assert response.status_code == 429
    assert not PolicyLink.objects.filter(relation="child").exists()


def test_a_birth_date_in_the_future_is_refused(newcomer_client, parent_row):
    content = newcomer_client.post(ADD_CHILD, form(birth_date="2099-01-01")).content.decode()

    assert "не может быть в будущем" in content


# --- The daily task -------------------------------------------------------------------------


@pytest.fixture
def family(time_machine):
    time_machine.move_to("2026-06-01 12:00 +03:00", tick=False)
    parent = UserFactory(email="parent@example.com", first_name="Ольга")
    own = InsuredPersonFactory()
    PolicyLinkFactory(user=parent, insured_person=own)
    turning = make_child(own, policy_number="ДМС-1", birth_date=datetime.date(2012, 3, 10))
    younger = make_child(own, policy_number="ДМС-2", birth_date=datetime.date(2014, 7, 1))
    for child in (turning, younger):
        PolicyLinkFactory(user=parent, insured_person=child)
    return parent, own, turning, younger


def active(person) -> bool:
    return PolicyLink.objects.filter(insured_person=person, unlinked_at__isnull=True).exists()


def test_the_task_ends_the_link_on_the_15th_birthday_and_tells_the_parent(
    family, time_machine, django_capture_on_commit_callbacks
):
    parent, own, turning, younger = family

    # the day before: nothing happens
    time_machine.move_to("2027-03-09 00:20 +03:00", tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.child_links_end_at_15() == 0
    assert active(turning) and not mail.outbox

    # on the birthday: the link ends, the parent gets one e-mail
    time_machine.move_to("2027-03-10 00:20 +03:00", tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.child_links_end_at_15() == 1
    assert not active(turning)
    assert active(younger) and active(own)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["parent@example.com"]
    assert "15 лет" in message.body and turning.policy_number in message.body

    # run twice: nothing more
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.child_links_end_at_15() == 0
    tasks.child_link_ended_notify(PolicyLink.objects.get(insured_person=turning).pk)
    assert len(mail.outbox) == 1


def test_born_on_29_february_turns_15_on_1_march(
    family, time_machine, django_capture_on_commit_callbacks
):
    parent, own, *_ = family
    leap = make_child(own, policy_number="ДМС-3", birth_date=datetime.date(2012, 2, 29))
    PolicyLinkFactory(user=parent, insured_person=leap)

    time_machine.move_to("2027-02-28 00:20 +03:00", tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        tasks.child_links_end_at_15()
    assert active(leap)

    time_machine.move_to("2027-03-01 00:20 +03:00", tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        tasks.child_links_end_at_15()
    assert not active(leap)


def test_the_task_runs_daily_from_beat():
    entry = settings.CELERY_BEAT_SCHEDULE["policies-child-links-end-at-15"]

    assert entry["task"] == "policies.tasks.child_links_end_at_15"
    assert entry["schedule"].hour == {0}
