"""Role boundaries in the admin: an HR manager sees only their companies and no medical data;
an operator works the queues with masked passports and no superuser powers; every page showing
passport or medical data to staff is written to the audit log."""

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.models import Permission
from django.urls import reverse

from claims.models import ServiceLine
from employers.models import ImportBatch
from policies.models import Contract, InsuredPerson, Policy
from portal.core.models import AuditLogEntry
from tests.factories import (
    AppealFactory,
    ClaimFactory,
    InsuredPersonFactory,
    PolicyFactory,
    PolicyLinkFactory,
    ServiceLineFactory,
    StaffUserFactory,
    SuperUserFactory,
    UserFactory,
)

from .conftest import checked_batch, csv_bytes, person_row


def url(obj_or_model, view: str, *args) -> str:
    opts = obj_or_model._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_{view}", args=args)


@pytest.fixture
def ours(contract):
    return InsuredPersonFactory(
        contract=contract, program=contract.programs.get(code="БАЗ"), phone="+79161112233"
    )


@pytest.fixture
def theirs(other_contract):
    return InsuredPersonFactory(contract=other_contract, program=other_contract.programs.first())


def test_hr_sees_only_their_companies_contracts_and_people(
    hr_client, contract, other_contract, ours, theirs
):
    contracts = hr_client.get(url(Contract, "changelist"))
    people = hr_client.get(url(InsuredPerson, "changelist"))

    assert contracts.status_code == people.status_code == 200
    assert list(contracts.context["cl"].result_list) == [contract]
    assert list(people.context["cl"].result_list) == [ours]
    # the filters name no other company either
    assert other_contract.number not in people.content.decode()
    assert other_contract.policyholder.name not in contracts.content.decode()


def test_hr_uploads_list_leads_to_the_upload_of_their_contracts_only(
    hr_client, contract, other_contract
):
    page = hr_client.get(url(ImportBatch, "changelist"))

    content = page.content.decode()
    assert page.status_code == 200
    assert reverse("admin:policies_contract_import", args=[contract.pk]) in content
    assert f"Загрузить список: договор № {contract.number}" in content
    assert reverse("admin:policies_contract_import", args=[other_contract.pk]) not in content


def test_another_companys_objects_are_not_found_for_hr(hr_client, other_contract, theirs):
    for page in (
        url(theirs, "change", theirs.pk),
        url(theirs, "history", theirs.pk),
        url(other_contract, "change", other_contract.pk),
        reverse("admin:policies_contract_import", args=[other_contract.pk]),
        reverse("admin:policies_contract_import_template", args=[other_contract.pk, "csv"]),
    ):
        assert hr_client.get(page).status_code == 404, page
    posted = hr_client.post(url(theirs, "change", theirs.pk), {"last_name": "Взлом"})
    assert posted.status_code == 404
    theirs.refresh_from_db()
    assert theirs.last_name != "Взлом"


def test_another_companys_import_batch_is_not_found_for_hr(hr_client, other_contract, theirs):
    owner = SuperUserFactory()
    batch = checked_batch(other_contract, owner, csv_bytes([person_row("Ч-0001")]))
    for name in ("policies_contract_import_batch", "policies_contract_import_errors"):
        response = hr_client.get(reverse(f"admin:{name}", args=[other_contract.pk, batch.pk]))
        assert response.status_code == 404
    applied = hr_client.post(
        reverse("admin:policies_contract_import_apply", args=[other_contract.pk, batch.pk])
    )
    assert applied.status_code == 404
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.CHECKED
    assert hr_client.get(url(ImportBatch, "change", batch.pk)).status_code == 404


def test_a_batch_is_reached_only_through_its_own_contract(
    hr_client, hr_user, contract, other_contract
):
    batch = checked_batch(contract, hr_user, csv_bytes([person_row("Ч-0001")]))

    wrong = reverse("admin:policies_contract_import_batch", args=[other_contract.pk, batch.pk])

    assert hr_client.get(wrong).status_code == 404


@pytest.mark.parametrize(
    "model_path",
    [
        "claims.ServiceLine",
        "claims.Claim",
        "feedback.Appeal",
        "feedback.GuaranteeLetter",
        "accounts.User",
        "core.AuditLogEntry",
        "policies.Policy",
        "policies.PolicyLink",
    ],
)
def test_medical_and_personal_pages_are_forbidden_to_hr(hr_client, model_path):
    from django.apps import apps

    model = apps.get_model(model_path)

    assert hr_client.get(url(model, "changelist")).status_code == 403
    assert hr_client.get(url(model, "add")).status_code == 403


def test_medical_objects_are_forbidden_to_hr_even_of_their_own_people(hr_client, ours):
    line = ServiceLineFactory(insured_person=ours)
    appeal = AppealFactory(not_provided=True, service_line=line)

    assert hr_client.get(url(line, "change", line.pk)).status_code == 403
    assert hr_client.get(url(appeal, "change", appeal.pk)).status_code == 403
    assert not AuditLogEntry.objects.exists()


def test_hr_edits_their_person_and_the_policy_follows(hr_client, contract, ours):
    policy = PolicyFactory(
        insured_person=ours,
        number=ours.policy_number,
        starts_on=ours.starts_on,
        ends_on=ours.ends_on,
    )
    new_end = contract.ends_on.replace(day=1)
    page = hr_client.get(url(ours, "change", ours.pk))
    assert page.status_code == 200
    assert "не активирован" in page.content.decode()
    assert 'name="contract"' not in page.content.decode()  # read-only for HR

    response = hr_client.post(
        url(ours, "change", ours.pk),
        {
            "program": ours.program_id,
            "relation": "employee",
            "parent": "",
            "last_name": "Новикова",
            "first_name": ours.first_name,
            "middle_name": ours.middle_name,
            "birth_date": ours.birth_date.strftime("%d.%m.%Y"),
            "email": "new@example.com",
            "phone": ours.phone,
            "starts_on": ours.starts_on.strftime("%d.%m.%Y"),
            "ends_on": new_end.strftime("%d.%m.%Y"),
            "invitations-TOTAL_FORMS": "0",
            "invitations-INITIAL_FORMS": "0",
        },
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    ours.refresh_from_db()
    policy.refresh_from_db()
    assert (ours.last_name, ours.ends_on) == ("Новикова", new_end)
    assert policy.ends_on == new_end


def test_hr_cannot_pick_another_companys_program(hr_client, ours, other_contract):
    foreign = other_contract.programs.first()
    page = hr_client.get(url(ours, "change", ours.pk))

    assert f'value="{foreign.pk}"' not in page.content.decode()


def test_the_cabinet_column_shows_who_activated(hr_client, contract, ours):
    PolicyLinkFactory(user=UserFactory(), insured_person=ours)

    page = hr_client.get(url(InsuredPerson, "changelist"), {"cabinet": "yes"})

    assert list(page.context["cl"].result_list) == [ours]
    assert page.context["cl"].result_list[0].cabinet_activated is True


def test_operator_searches_the_register_by_phone_email_name_and_number(
    operator_client, ours, theirs
):
    changelist = url(InsuredPerson, "changelist")
    for term in ("8 (916) 111-22-33", ours.email, ours.last_name, ours.policy_number):
        found = operator_client.get(changelist, {"q": term}).context["cl"].result_list
        assert ours in list(found), term
    assert operator_client.get(url(ours, "change", ours.pk)).status_code == 200
    # view only: the register is HR's and the insurer's
    assert operator_client.get(url(InsuredPerson, "add")).status_code == 403


def test_operator_works_queues_and_every_medical_page_is_audited(
    operator_client, operator_user, ours
):
    # given
    line = ServiceLineFactory(insured_person=ours, icd10_code="J06.9", icd10_name="ОРВИ")
    appeal = AppealFactory(not_provided=True, service_line=line)
    claim = ClaimFactory()

    # when
    pages = {
        "service line": operator_client.get(url(line, "change", line.pk)),
        "service lines": operator_client.get(url(ServiceLine, "changelist")),
        "appeal": operator_client.get(url(appeal, "change", appeal.pk)),
        "claim": operator_client.get(url(claim, "change", claim.pk)),
    }

    # then
    assert {name: r.status_code for name, r in pages.items()} == dict.fromkeys(pages, 200)
    assert "J06.9" in pages["appeal"].content.decode()
    entries = AuditLogEntry.objects.filter(staff_user=operator_user)
    whats = sorted(entry.what for entry in entries)
    assert len(whats) == 4, whats
    assert any("список услуг ДМС" in what for what in whats)
    assert any("обращение по услуге" in what for what in whats)
    assert any("убыток" in what for what in whats)
    listed = entries.get(what__startswith="список услуг")
    assert (listed.subject_type.model_class(), listed.subject_id) == (InsuredPerson, str(ours.pk))
    # the diagnosis cannot be edited on the line's page
    assert 'name="icd10_code"' not in pages["service line"].content.decode()


def test_operator_sees_a_masked_passport_and_the_view_is_audited(operator_client, operator_user):
    person = UserFactory()
    person.set_passport("4510", "123456")
    person.save()

    page = operator_client.get(url(person, "change", person.pk))

    content = page.content.decode()
    assert page.status_code == 200
    assert "4510123456" not in content
    assert person.passport_masked in content
    entry = AuditLogEntry.objects.get(staff_user=operator_user)
    assert entry.subject_id == str(person.pk)


def test_operator_has_no_superuser_powers(operator_client, operator_user):
    admin = SuperUserFactory()
    person = UserFactory()

    # staff accounts are view-only, rights are read-only, passwords are the admins'
    assert (
        'name="email"' not in operator_client.get(url(admin, "change", admin.pk)).content.decode()
    )
    posted = operator_client.post(url(admin, "change", admin.pk), {"email": "mine@example.com"})
    assert posted.status_code == 403
    page = operator_client.get(url(person, "change", person.pk)).content.decode()
    assert 'name="is_superuser"' not in page
    assert 'name="groups"' not in page
    assert person.password not in page  # not even the hash
    password = reverse("admin:auth_user_password_change", args=[person.pk])
    assert operator_client.get(password).status_code == 403
    # no audit log, no HR imports, no groups
    from django.contrib.auth.models import Group

    assert operator_client.get(url(AuditLogEntry, "changelist")).status_code == 403
    assert operator_client.get(url(ImportBatch, "changelist")).status_code == 403
    assert operator_client.get(url(Group, "changelist")).status_code == 403


def test_operator_unlocks_a_locked_login(operator_client):
    person = UserFactory(email="locked.person@example.com")
    AccessAttempt.objects.create(
        username=person.email,
        ip_address="10.0.0.1",
        user_agent="test",
        failures_since_start=5,
        get_data="",
        post_data="",
        http_accept="",
        path_info="/accounts/login/",
    )
    changelist = url(person, "changelist")
    locked = operator_client.get(changelist, {"locked": "yes"})
    assert list(locked.context["cl"].result_list) == [person]

    response = operator_client.post(
        changelist, {"action": "unlock_login", "_selected_action": [person.pk]}
    )

    assert response.status_code == 302
    assert not AccessAttempt.objects.filter(username=person.email).exists()


def test_unlocking_needs_the_permission(client, db):
    staff = StaffUserFactory()
    staff.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_user", "change_user"])
    )
    from tests.conftest import staff_login

    staff_login(client, staff)
    page = client.get(url(staff, "changelist"))

    assert "unlock_login" not in page.content.decode()


def test_only_admins_read_the_audit_log(client, operator_user, hr_user):
    from tests.conftest import staff_login

    for user in (operator_user, hr_user):
        staff_login(client, user)
        assert client.get(url(AuditLogEntry, "changelist")).status_code == 403
    staff_login(client, SuperUserFactory())
    assert client.get(url(AuditLogEntry, "changelist")).status_code == 200


def test_a_superuser_imports_for_any_contract(client, other_contract):
    from tests.conftest import staff_login

    staff_login(client, SuperUserFactory())

    assert (
        client.get(reverse("admin:policies_contract_import", args=[other_contract.pk])).status_code
        == 200
    )


def test_operator_cannot_open_import_pages(operator_client, contract):
    assert (
        operator_client.get(
            reverse("admin:policies_contract_import", args=[contract.pk])
        ).status_code
        == 403
    )


def test_a_policy_of_a_person_is_invisible_to_hr(hr_client, ours):
    policy = PolicyFactory(insured_person=ours)
    assert hr_client.get(url(Policy, "change", policy.pk)).status_code in (403, 404)


def test_hr_cannot_make_another_companys_person_a_parent(hr_client, ours, theirs, contract):
    child = InsuredPersonFactory(child=True, parent=ours, contract=contract, program=ours.program)
    data = {
        "program": child.program_id,
        "relation": "child",
        "parent": theirs.pk,
        "last_name": child.last_name,
        "first_name": child.first_name,
        "middle_name": child.middle_name,
        "birth_date": child.birth_date.strftime("%d.%m.%Y"),
        "email": "",
        "phone": "",
        "starts_on": child.starts_on.strftime("%d.%m.%Y"),
        "ends_on": child.ends_on.strftime("%d.%m.%Y"),
        "invitations-TOTAL_FORMS": "0",
        "invitations-INITIAL_FORMS": "0",
    }

    response = hr_client.post(url(child, "change", child.pk), data)

    assert response.status_code == 200
    assert "parent" in response.context["adminform"].form.errors
    child.refresh_from_db()
    assert child.parent == ours
