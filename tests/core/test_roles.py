"""The staff roles: each group holds exactly what portal.core.roles says, every model of the
project has its row there, docs/ROLES.md is the matrix as generated, and the admin answers each
role as the matrix says on the pages that matter (least privilege)."""

import pytest
from django.apps import apps
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command
from django.urls import reverse

from claims.models import Icd10Diagnosis, ServiceLine
from clinics.models import Clinic, Doctor, ProgramClinic, Slot
from portal.core import roles
from portal.core.management.commands.roles_doc import roles_doc_path
from tests.conftest import staff_login
from tests.factories import ClinicFactory, StaffUserFactory

PROJECT_APPS = {
    "core",
    "accounts",
    "esia",
    "policies",
    "clinics",
    "claims",
    "feedback",
    "payments",
    "shop",
    "employers",
}


def url(model, view: str, *args) -> str:
    opts = model._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_{view}", args=args)


@pytest.mark.django_db
@pytest.mark.parametrize("role", roles.ROLES)
def test_each_group_holds_exactly_its_row_of_the_matrix(role):
    group = Group.objects.get(name=role)

    held = {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all()}

    assert held == roles.permissions(role)


def test_every_model_of_the_project_has_a_row():
    ours = {m._meta.label_lower for m in apps.get_models() if m._meta.app_label in PROJECT_APPS}

    assert ours - set(roles.MATRIX) == set(), "новой модели нет в portal/core/roles.py MATRIX"


def test_every_row_names_a_model_and_its_permissions_exist():
    for label, row in roles.MATRIX.items():
        model = apps.get_model(label)
        assert set(row) <= set(roles.ROLES), label
        codenames = {
            *(f"{action}_{model._meta.model_name}" for action in model._meta.default_permissions),
            *(codename for codename, _name in model._meta.permissions),
        }
        for role in row:
            for action in row[role].split():
                assert f"{action}_{model._meta.model_name}" in codenames, (label, action)


def test_the_committed_page_is_the_generated_matrix():
    committed = roles_doc_path().read_text(encoding="utf-8")

    assert committed == roles.matrix_markdown(roles.model_titles()), (
        "docs/ROLES.md устарел: python manage.py roles_doc"
    )


def test_the_command_writes_the_page(tmp_path, monkeypatch):
    target = tmp_path / "ROLES.md"
    monkeypatch.setattr("portal.core.management.commands.roles_doc.roles_doc_path", lambda: target)

    call_command("roles_doc", stdout=open(tmp_path / "out", "w"))  # noqa: SIM115

    assert target.read_text(encoding="utf-8") == roles.matrix_markdown(roles.model_titles())


@pytest.mark.django_db
def test_the_sync_puts_a_group_back_to_its_row():
    # given: a permission added by hand, one taken away
    operator = Group.objects.get(name=roles.SUPPORT_OPERATOR)
    operator.permissions.add(Permission.objects.get(codename="add_clinic"))
    operator.permissions.remove(Permission.objects.get(codename="view_appeal"))

    # when
    roles.groups_sync(apps)

    # then
    held = {f"{p.content_type.app_label}.{p.codename}" for p in operator.permissions.all()}
    assert held == roles.permissions(roles.SUPPORT_OPERATOR)


def test_no_role_may_read_the_audit_log_or_delete_what_services_write():
    for role in roles.ROLES:
        granted = roles.permissions(role)
        assert "core.view_auditlogentry" not in granted
        deletable = {name for name in granted if ".delete_" in name}
        assert deletable <= {
            "axes.delete_accessattempt",  # lifting a lockout
            "clinics.delete_programclinic",  # taking a clinic out of a program's network
            "shop.delete_offer",
            "employers.delete_employermanager",
            "employers.delete_columnmapping",  # forgetting an employer's remembered column choice
        }, role


def test_medical_data_is_for_the_operator_and_the_register_specialist_only():
    medical = {
        "claims.view_serviceline",
        "claims.view_claim",
        "feedback.view_appeal",
        "feedback.view_guaranteeletter",
    }
    for role in (roles.NETWORK_MANAGER, roles.HR_MANAGER, roles.ADMINISTRATOR):
        assert not roles.permissions(role) & medical, role
    assert roles.permissions(roles.REGISTER_SPECIALIST) & medical == {"claims.view_serviceline"}


@pytest.fixture
def as_role(client, db):
    def login(role: str):
        staff = StaffUserFactory()
        staff.groups.add(Group.objects.get(name=role))
        return staff_login(client, staff)

    return login


@pytest.mark.parametrize(
    "model", [Clinic, Doctor, Slot, ProgramClinic, ServiceLine, Icd10Diagnosis]
)
def test_the_operator_adds_nothing_to_the_network_the_registers_or_the_dictionary(as_role, model):
    client = as_role(roles.SUPPORT_OPERATOR)

    assert client.get(url(model, "add")).status_code == 403


def test_the_operator_cannot_import_a_register(as_role):
    client = as_role(roles.SUPPORT_OPERATOR)

    assert client.get(reverse("admin:claims_serviceline_import")).status_code == 403
    assert client.get(url(ServiceLine, "changelist")).status_code == 200  # reading stays


def test_the_register_specialist_reads_the_dictionary_but_does_not_edit_it(as_role):
    entry = Icd10Diagnosis.objects.create(code="J06.9", name="Острая инфекция")
    client = as_role(roles.REGISTER_SPECIALIST)

    listed = client.get(url(Icd10Diagnosis, "changelist"))
    page = client.get(url(Icd10Diagnosis, "change", entry.pk))
    posted = client.post(url(Icd10Diagnosis, "change", entry.pk), {"code": "J06.9", "name": "x"})

    assert listed.status_code == page.status_code == 200
    assert 'name="name"' not in page.content.decode()
    assert posted.status_code == 403
    assert client.get(url(Icd10Diagnosis, "add")).status_code == 403
    entry.refresh_from_db()
    assert entry.name == "Острая инфекция"


def test_only_the_register_specialist_reloads_the_dictionary_from_the_published_file(as_role):
    reload_url = reverse("admin:claims_icd10diagnosis_reload")
    specialist = as_role(roles.REGISTER_SPECIALIST)
    assert "reload/" in specialist.get(url(Icd10Diagnosis, "changelist")).content.decode()

    operator = as_role(roles.SUPPORT_OPERATOR)  # the same client, logged in again
    assert operator.post(reload_url).status_code == 403
    assert roles.permissions(roles.ADMINISTRATOR) & {"claims.reload_icd10diagnosis"} == set()
    assert roles.permissions(roles.REGISTER_SPECIALIST) >= {"claims.reload_icd10diagnosis"}


def test_the_register_specialist_imports_registers_and_nothing_of_the_network(as_role):
    client = as_role(roles.REGISTER_SPECIALIST)

    assert client.get(reverse("admin:claims_serviceline_import")).status_code == 200
    assert client.get(url(Clinic, "add")).status_code == 403
    assert client.get(url(Slot, "changelist")).status_code == 403


def test_the_network_manager_adds_a_clinic_and_sees_no_medical_data(as_role):
    client = as_role(roles.NETWORK_MANAGER)

    added = client.post(
        url(Clinic, "add"),
        {
            "name": "Клиника «Новая»",
            "city": "Москва",
            "address": "ул. Новая, 1",
            "latitude": "55.75",
            "longitude": "37.61",
            "phones": "[]",
            "doctors-TOTAL_FORMS": "0",
            "doctors-INITIAL_FORMS": "0",
        },
    )

    assert added.status_code == 302, added.context["adminform"].form.errors
    assert Clinic.objects.filter(name="Клиника «Новая»").exists()
    assert client.get(url(ServiceLine, "changelist")).status_code == 403
    assert client.get(reverse("admin:claims_serviceline_import")).status_code == 403


def test_the_network_manager_takes_a_clinic_out_of_a_program(as_role):
    from tests.factories import ProgramClinicFactory

    coverage = ProgramClinicFactory(clinic=ClinicFactory())
    client = as_role(roles.NETWORK_MANAGER)

    response = client.post(url(ProgramClinic, "delete", coverage.pk), {"post": "yes"})

    assert response.status_code == 302
    assert not ProgramClinic.objects.filter(pk=coverage.pk).exists()


def test_the_administrator_ties_an_hr_manager_to_a_company_and_reads_no_medical_data(as_role):
    from django.contrib.auth.models import Group as AuthGroup

    from employers.models import EmployerManager
    from policies.models import Policyholder
    from portal.core.models import AuditLogEntry
    from tests.factories import ContractFactory

    company = ContractFactory().policyholder
    hr = StaffUserFactory()
    client = as_role(roles.ADMINISTRATOR)

    page = client.get(url(Policyholder, "change", company.pk))
    added = client.post(url(EmployerManager, "add"), {"user": hr.pk, "policyholder": company.pk})

    assert page.status_code == 200
    assert added.status_code == 302
    assert EmployerManager.objects.filter(user=hr, policyholder=company).exists()
    assert client.get(url(AuthGroup, "changelist")).status_code == 200
    assert client.get(url(AuthGroup, "add")).status_code == 403  # rights are the superusers'
    for model in (ServiceLine, AuditLogEntry, Icd10Diagnosis, Clinic):
        assert client.get(url(model, "changelist")).status_code == 403, model
