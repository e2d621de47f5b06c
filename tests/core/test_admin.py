"""Smoke tests of every admin page, and the staff audit log of personal data reads."""

import datetime

import pytest
from allauth.account.models import EmailAddress
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from claims.models import ClaimNumberSequence, Icd10Diagnosis, ServiceLine
from clinics.models import Appointment, SavedPlace
from employers.models import ColumnMapping, EmployerManager, ImportBatch, ImportRow, Invitation
from feedback.models import Appeal, AppealAttachment, AppealEvent, AppealNumberSequence
from payments.models import (
    Charge,
    ChargeEvent,
    ChargeLine,
    ClinicAttachmentList,
    CopayEnrollment,
    CopayNotice,
    PaymentCard,
    ProcessedEvent,
    Receipt,
    Refund,
    RefundEvent,
)
from policies.models import AssistanceCompany, BoxedPolicyCard, ProgramDocument
from portal.accounts.models import IdentifierChangeRequest
from portal.core import roles
from portal.core.admin import SelectLabelsMixin
from portal.core.models import AuditLogEntry, DestructionAct, InsurerDetails, JobRun, OutboxMessage
from tests.conftest import staff_login
from tests.factories import (
    AppealFactory,
    AppealMessageFactory,
    AppointmentFactory,
    CareKindFactory,
    ClaimEventFactory,
    ClaimFactory,
    ConsentFactory,
    GuaranteeLetterFactory,
    InsuredPersonFactory,
    PolicyFactory,
    PolicyLinkFactory,
    ProgramClinicFactory,
    ProgramFactory,
    ServiceLineFactory,
    SlotFactory,
    StaffUserFactory,
    UserFactory,
)

OUR_APPS = {
    "core",
    "accounts",
    "policies",
    "clinics",
    "claims",
    "feedback",
    "payments",
    "employers",
}
# Admins that add nothing by design: the audit log is append-only from code, axes' logs are
# written by the login machinery, the import rows and invitations by the import, claim numbers
# by the claims.
ADD_DISABLED = {
    "core.AuditLogEntry",
    "core.DestructionAct",  # written by the retention run only
    "axes.AccessAttempt",
    "axes.AccessLog",
    "axes.AccessFailureLog",
    "employers.ImportBatch",
    "employers.ImportRow",
    "employers.Invitation",
    "claims.ClaimNumberSequence",
    "clinics.Appointment",  # bookings change through clinics.services.booking only
    "feedback.AppealNumberSequence",
    "payments.CopayEnrollment",
    "payments.Charge",
    "payments.CopayNotice",
    "payments.ProcessedEvent",
    "payments.Refund",
    "shop.Purchase",  # made by the checkout, never by hand
    # login identifiers and who sees whose policies: only the person makes them (issue 17)
    "account.EmailAddress",
    "socialaccount.SocialAccount",
    "policies.PolicyLink",
    "claims.Icd10Diagnosis",  # the Ministry's dictionary, loaded by load_mkb10
    # written by code only: the outbox, the one-run marks, the version counters, the fiscal
    # receipts (from the provider's answer), the program documents (made by the worker)
    "core.OutboxMessage",
    "core.JobRun",
    "core.VersionCounter",
    "payments.Receipt",
    "policies.ProgramDocument",
    "core.InsurerDetails",  # one row: once it exists (as here) it is only changed
}

REGISTRY = sorted(admin.site._registry.items(), key=lambda item: item[0]._meta.label)
REGISTRY_IDS = [model._meta.label for model, _model_admin in REGISTRY]


def admin_url(model, view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


@pytest.fixture
def rows(superuser):
    """A few rows of every model of our apps, plus some of the third-party ones."""
    people = UserFactory.create_batch(3)
    people[0].set_passport("4510", "123456")
    people[0].save()
    ConsentFactory(user=people[0])
    care_kinds = CareKindFactory.create_batch(2)
    program = ProgramFactory(care_kinds=care_kinds, copay_share=20)
    parent = InsuredPersonFactory(program=program, contract=program.contract)
    child = InsuredPersonFactory(
        child=True, parent=parent, program=program, contract=program.contract
    )
    PolicyLinkFactory(user=people[0], insured_person=parent)
    PolicyLinkFactory(user=people[0], insured_person=child)
    PolicyFactory(insured_person=parent)
    PolicyFactory(insured_person=child)
    PolicyFactory(osago=True, holder=people[0])
    ProgramClinicFactory.create_batch(2, program=program, care_kind=care_kinds[0])
    for slot in SlotFactory.create_batch(2):
        AppointmentFactory(slot=slot, user=people[0], insured_person=parent)
    lines = ServiceLineFactory.create_batch(3, insured_person=parent, care_kind=care_kinds[0])
    claim = ClaimFactory(policy__holder=people[0])
    ClaimEventFactory(claim=claim)
    ClaimFactory.create_batch(2)
    appeal = AppealFactory(not_provided=True, service_line=lines[0], user=people[0])
    AppealMessageFactory(appeal=appeal)
    AppealFactory.create_batch(2)
    GuaranteeLetterFactory(issued=True, user=people[0], insured_person=parent)
    GuaranteeLetterFactory(user=people[0], insured_person=parent)
    AuditLogEntry.objects.create(
        staff_user=superuser,
        action=AuditLogEntry.Action.VIEW,
        subject_type=ContentType.objects.get_for_model(people[0]),
        subject_id=str(people[0].pk),
        person_label=people[0].full_name,
        what="карточка пользователя",
    )
    DestructionAct.objects.create(
        operator="АО «СК»",
        performed_by="manage.py personal_data_retention",
        information_system="Личный кабинет",
        method="удаление",
        reason="истечение срока хранения",
        items=[{"category": "sms", "rows": 2}],
    )
    Group.objects.create(name="Операторы")
    EmailAddress.objects.create(user=people[0], email=people[0].email, verified=True, primary=True)
    IdentifierChangeRequest.objects.create(
        user=people[0],
        created_by=superuser,
        field=IdentifierChangeRequest.Field.EMAIL,
        old_value=people[0].email,
        new_value="ivanov.new@example.com",
        expires_at=timezone.now() + datetime.timedelta(days=3),
    )
    _employer_rows(superuser, program, parent)
    _other_rows(people[0], parent, program)
    return people


def _employer_rows(superuser, program, person) -> None:
    """An HR manager of the company and an applied list with its rows and an invitation."""
    EmployerManager.objects.create(
        user=StaffUserFactory(), policyholder=program.contract.policyholder
    )
    batch = ImportBatch.objects.create(
        contract=program.contract,
        uploaded_by=superuser,
        file=ContentFile(b"x", name="list.csv"),
        original_name="Иванов список.csv",
        file_format=ImportBatch.Format.CSV,
        file_size=1,
        sha256="0" * 64,
        effective_date=program.contract.starts_on,
        status=ImportBatch.Status.APPLIED,
    )
    ImportRow.objects.create(
        batch=batch, row_number=2, action=ImportRow.Action.SAME, policy_number=person.policy_number
    )
    Invitation.objects.create(insured_person=person, email="ivanov@example.com", batch=batch)
    ColumnMapping.objects.create(
        policyholder=program.contract.policyholder, header="отдел", field="department"
    )


def _other_rows(user, person, program) -> None:
    """A row of each model the other sections added (boxed cards, saved places, ...)."""
    card = BoxedPolicyCard(number="КП-0001", product="accident", title="Иванов: от НС")
    card.set_code("1234-5678")
    card.save()
    SavedPlace.objects.create(user=user, kind="home", latitude="55.75", longitude="37.61")
    ClaimNumberSequence.objects.create(year=2026, last=3)
    Icd10Diagnosis.objects.create(code="J06.9", name="Острая инфекция верхних дыхательных путей")
    enrollment = CopayEnrollment.objects.create(
        user=user,
        insured_person=person,
        program=program,
        consent_at=timezone.now(),
        terms_version="2026-01",
    )
    card = PaymentCard.objects.create(
        user=user,
        enrollment=enrollment,
        provider_customer_id="cus_1",
        provider_payment_method_id="pm_1",
        brand="visa",
        last4="4242",
        exp_month=12,
        exp_year=2030,
    )
    charge = Charge.objects.create(
        user=user,
        insured_person=person,
        card=card,
        day=timezone.localdate(),
        idempotency_key="copay:1",
        amount=100,
    )
    line = ServiceLine.objects.filter(insured_person=person).first()
    charge_line = ChargeLine.objects.create(charge=charge, service_line=line, amount=100)
    refund = Refund.objects.create(
        charge=charge,
        charge_line=charge_line,
        service_line=line,
        idempotency_key="copay-refund-1",
        amount=100,
    )
    ChargeEvent.objects.create(charge=charge, to_status=Charge.Status.PENDING)
    RefundEvent.objects.create(refund=refund, to_status=Refund.Status.PENDING, note="сверка")
    ProcessedEvent.objects.create(event_id="evt_1", type="payment_intent.succeeded")
    ClinicAttachmentList.objects.create(
        enrollment=enrollment, clinic=line.clinic, processed_by=timezone.localdate()
    )
    CopayNotice.objects.create(insured_person=person, charge_day=timezone.localdate(), amount=100)
    appeal = Appeal.objects.filter(user=user).first()
    AppealEvent.objects.create(appeal=appeal, from_status="new", to_status="in_progress")
    AppealAttachment.objects.create(
        appeal=appeal,
        file=ContentFile(b"x", name="photo.jpg"),
        original_name="Иванов.jpg",
        content_type="image/jpeg",
        size=1,
    )
    AppealNumberSequence.objects.create(year=2026, last=3)
    _later_rows(user, program)


def _later_rows(user, program) -> None:
    """Rows of the models the outbox, the one-run lock, the documents and the receipts added."""
    InsurerDetails.objects.create(
        full_name="АО «Страховая компания»",
        inn="7700000000",
        ogrn="1027700000000",
        licence_number="СИ № 0001",
        licence_date=datetime.date(2020, 1, 1),
        address="Москва",
        phones="+78003024419",
        signatory="Иванов И. И.",
    )
    JobRun.objects.create(name="copay-daily", key="2026-12-07")
    OutboxMessage.objects.create(task_name="claims.tasks.claim_event_notify", due_at=timezone.now())
    Receipt.objects.create(
        user=user,
        kind=Receipt.Kind.INCOME,
        source=Receipt.Source.COPAY,
        source_id=1,
        gateway="stripe",
        provider_payment_id="pi_1",
        amount=100,
        customer_contact=user.email,
        seller_name="АО «Страховая компания»",
        seller_inn="7700000000",
        paid_at=timezone.now(),
        status=Receipt.Status.NOT_FISCAL,
    )
    AssistanceCompany.objects.create(name="Ассистанс", name_en="Assistance", phone="+74950000000")
    ProgramDocument.objects.create(program=program, key="program")


@pytest.mark.parametrize(("model", "model_admin"), REGISTRY, ids=REGISTRY_IDS)
def test_changelist_opens_with_rows(superuser_client, rows, model, model_admin):
    response = superuser_client.get(admin_url(model, "changelist"))

    assert response.status_code == 200
    if model._meta.app_label in OUR_APPS:
        assert response.context["cl"].result_count > 0


SEARCHABLE = [(model, model_admin) for model, model_admin in REGISTRY if model_admin.search_fields]


@pytest.mark.parametrize(
    ("model", "model_admin"), SEARCHABLE, ids=[model._meta.label for model, _a in SEARCHABLE]
)
def test_changelist_search_answers(superuser_client, rows, model, model_admin):
    response = superuser_client.get(admin_url(model, "changelist"), {"q": "Иванов"})

    assert response.status_code == 200


@pytest.mark.parametrize(("model", "model_admin"), REGISTRY, ids=REGISTRY_IDS)
def test_add_page_opens_unless_adding_is_disabled_by_design(
    superuser_client, rows, model, model_admin
):
    response = superuser_client.get(admin_url(model, "add"))

    expected = 403 if model._meta.label in ADD_DISABLED else 200
    assert response.status_code == expected


@pytest.mark.parametrize(
    "model",
    [model for model, _model_admin in REGISTRY if model._meta.app_label in OUR_APPS]
    + [Group, EmailAddress],
    ids=lambda model: model._meta.label,
)
def test_change_page_opens_for_an_object(superuser_client, rows, model):
    obj = model._default_manager.order_by("pk").first()
    assert obj is not None, f"the fixture made no {model._meta.label}"

    response = superuser_client.get(admin_url(model, "change", obj.pk))

    assert response.status_code == 200


def test_every_model_of_our_apps_is_reachable_in_the_admin():
    # A model without its own admin (Consent, ClaimEvent, ...) must at least be an inline of a
    # registered parent, whose change page the test above opens.
    registered = {model for model, _model_admin in REGISTRY}
    inlined = {inline.model for _model, model_admin in REGISTRY for inline in model_admin.inlines}
    ours = {m for m in apps.get_models() if m._meta.app_label in OUR_APPS}

    unreachable = {m._meta.label for m in ours - registered - inlined}

    assert unreachable == set()


def test_viewing_a_user_card_as_staff_writes_the_audit_log(superuser_client, superuser, rows):
    # given
    person = rows[0]

    # when
    response = superuser_client.get(admin_url(type(person), "change", person.pk))

    # then
    assert response.status_code == 200
    entry = AuditLogEntry.objects.get(
        subject_id=str(person.pk), staff_user=superuser, what__contains="карточка пользователя ("
    )
    assert entry.action == AuditLogEntry.Action.VIEW
    assert entry.subject_type.model_class() is type(person)
    assert entry.person_label == person.full_name
    content = response.content.decode()
    assert "4510123456" not in content
    assert person.passport_masked in content


def test_viewing_a_service_line_as_an_operator_writes_the_audit_log(client, rows):
    # given: an operator allowed to view service lines, and nothing more
    operator = StaffUserFactory()
    operator.user_permissions.add(Permission.objects.get(codename="view_serviceline"))
    line = ServiceLineFactory()
    staff_login(client, operator)

    # when
    response = client.get(admin_url(type(line), "change", line.pk))

    # then
    assert response.status_code == 200
    entry = AuditLogEntry.objects.get(staff_user=operator)
    assert entry.subject_id == str(line.pk)
    assert entry.subject_type.model_class() is type(line)
    assert entry.person_label == str(line.insured_person)
    assert "МКБ-10" in entry.what


def test_changelists_write_no_audit_entries(superuser_client, rows):
    before = AuditLogEntry.objects.count()

    superuser_client.get(admin_url(type(rows[0]), "changelist"))

    assert AuditLogEntry.objects.count() == before


def test_audit_log_is_hidden_from_staff_even_with_every_permission(client, rows):
    # given
    staff = StaffUserFactory()
    staff.user_permissions.add(*Permission.objects.filter(content_type__app_label="core"))
    staff_login(client, staff)
    entry = AuditLogEntry.objects.first()

    # then
    assert client.get(admin_url(AuditLogEntry, "changelist")).status_code == 403
    assert client.get(admin_url(AuditLogEntry, "change", entry.pk)).status_code == 403
    assert client.get(admin_url(AuditLogEntry, "add")).status_code == 403


def test_audit_log_is_readable_but_not_writable_by_a_superuser(superuser_client, rows):
    # given
    entry = AuditLogEntry.objects.first()
    before = (entry.person_label, entry.what)

    # when / then: reading works
    assert superuser_client.get(admin_url(AuditLogEntry, "changelist")).status_code == 200
    change_page = superuser_client.get(admin_url(AuditLogEntry, "change", entry.pk))
    assert change_page.status_code == 200
    assert 'name="_save"' not in change_page.content.decode()

    # and nothing can be added, changed or deleted
    assert superuser_client.get(admin_url(AuditLogEntry, "add")).status_code == 403
    posted = superuser_client.post(
        admin_url(AuditLogEntry, "change", entry.pk), {"person_label": "x", "what": "y"}
    )
    assert posted.status_code == 403
    assert superuser_client.post(admin_url(AuditLogEntry, "delete", entry.pk)).status_code == 403
    bulk_delete = superuser_client.post(
        admin_url(AuditLogEntry, "changelist"),
        {"action": "delete_selected", "_selected_action": [entry.pk], "post": "yes"},
    )
    assert bulk_delete.status_code in (200, 302)
    entry.refresh_from_db()
    assert (entry.person_label, entry.what) == before
    assert AuditLogEntry.objects.filter(pk=entry.pk).exists()


def test_a_booking_is_read_only_even_for_a_superuser(superuser_client, rows):
    # Bookings change through clinics.services.booking (event row, schedule release, e-mail).
    appointment = Appointment.objects.order_by("pk").first()

    page = superuser_client.get(admin_url(Appointment, "change", appointment.pk))
    posted = superuser_client.post(
        admin_url(Appointment, "change", appointment.pk), {"status": "cancelled"}
    )

    assert page.status_code == 200
    assert 'name="status"' not in page.content.decode()
    assert posted.status_code == 403
    assert (
        superuser_client.post(admin_url(Appointment, "delete", appointment.pk)).status_code == 403
    )
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.BOOKED


# Models only a superuser reads, whatever permissions a group holds.
SUPERUSER_ONLY = {"core.AuditLogEntry", "employers.ImportRow"}
ROLES = roles.ROLES


@pytest.fixture
def role_client(client, rows, request):
    """A staff member of the role (HR managers manage the fixture's company)."""
    staff = StaffUserFactory()
    group = Group.objects.get(name=request.param)
    staff.groups.add(group)
    if request.param == roles.HR_MANAGER:
        EmployerManager.objects.create(
            user=staff, policyholder=ImportBatch.objects.get().contract.policyholder
        )
    client.granted = {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all()}
    return staff_login(client, staff)


# A request to change a person's e-mail or phone is part of changing the user: whoever may
# change users may list and write such requests.
GRANTED_WITH_CHANGE_USER = {"accounts.IdentifierChangeRequest"}


def _granted(client, model, *actions: str) -> bool:
    label = model._meta.label
    if label in SUPERUSER_ONLY:
        return False
    if label in GRANTED_WITH_CHANGE_USER and "accounts.change_user" in client.granted:
        return True
    opts = model._meta
    return any(
        f"{opts.app_label}.{action}_{opts.model_name}" in client.granted for action in actions
    )


@pytest.mark.parametrize("role_client", ROLES, indirect=True)
@pytest.mark.parametrize(("model", "model_admin"), REGISTRY, ids=REGISTRY_IDS)
def test_changelist_and_search_open_or_are_refused_by_role(role_client, model, model_admin):
    allowed = _granted(role_client, model, "view", "change")

    listed = role_client.get(admin_url(model, "changelist"))
    searched = role_client.get(admin_url(model, "changelist"), {"q": "Иванов"})

    assert listed.status_code == (200 if allowed else 403)
    assert searched.status_code == listed.status_code


@pytest.mark.parametrize("role_client", ROLES, indirect=True)
@pytest.mark.parametrize(("model", "model_admin"), REGISTRY, ids=REGISTRY_IDS)
def test_add_page_opens_or_is_refused_by_role(role_client, model, model_admin):
    allowed = _granted(role_client, model, "add") and model._meta.label not in ADD_DISABLED

    response = role_client.get(admin_url(model, "add"))

    assert response.status_code == (200 if allowed else 403)


def test_the_groups_hold_their_named_permissions_and_nothing_more(db):
    hr = {p.codename for p in Group.objects.get(name="HR-менеджер").permissions.all()}
    operator = {p.codename for p in Group.objects.get(name="Оператор").permissions.all()}

    assert hr == {
        "view_contract",
        "view_program",
        "view_insuredperson",
        "change_insuredperson",
        "view_importbatch",
        "add_importbatch",
        "apply_importbatch",
        "view_invitation",
    }
    medical = {"view_serviceline", "view_appeal", "view_claim", "view_user", "view_auditlogentry"}
    assert not hr & medical
    assert medical - {"view_auditlogentry"} <= operator
    assert not any(
        codename.startswith("delete_") and "accessattempt" not in codename for codename in operator
    )
    assert "view_auditlogentry" not in operator


def test_only_audited_admin_pages_show_a_diagnosis_or_a_service_name(superuser_client, rows):
    """Operators read medical data only through pages that write the access log (152-FZ,
    issue 24): every changelist that shows a service line's name or diagnosis writes entries, and
    the pages of people (accounts, the register) show none."""
    line = ServiceLine.objects.filter(appeals__isnull=False).first()
    health = (line.service_name, line.icd10_name)
    showing = []
    for model, _model_admin in REGISTRY:
        before = AuditLogEntry.objects.count()
        response = superuser_client.get(admin_url(model, "changelist"))
        page = response.content.decode()
        if any(text in page for text in health):
            showing.append(model._meta.label)
            assert AuditLogEntry.objects.count() > before, model._meta.label
    assert showing == ["claims.ServiceLine"]

    person, account = line.insured_person, rows[0]
    for url in (
        admin_url(type(person), "change", person.pk),
        admin_url(type(account), "change", account.pk),
    ):
        page = superuser_client.get(url).content.decode()
        assert not any(text in page for text in health), url


def test_no_admin_select_shows_dashes(superuser_client, rows):
    """Every select of the admin says what to pick («Выберите…», «Все», a label), never Django's
    «---------»: on each changelist (the action select), add page and change page, inlines
    included."""
    showing = []
    for model, _model_admin in REGISTRY:
        obj = model._default_manager.order_by("pk").first()
        urls = [admin_url(model, "changelist"), admin_url(model, "add")]
        if obj is not None:
            urls.append(admin_url(model, "change", obj.pk))
        for url in urls:
            response = superuser_client.get(url)
            if response.status_code == 200 and "---------" in response.content.decode():
                showing.append(url)

    assert showing == []


def test_every_admin_and_inline_labels_its_empty_choices():
    # The one place of the rule above: a new admin or inline made from Django's bare classes
    # would show «---------» again.
    bare = [
        f"{model._meta.label}: {cls.__name__}"
        for model, model_admin in REGISTRY
        for cls in (type(model_admin), *model_admin.inlines)
        if not issubclass(cls, SelectLabelsMixin)
    ]

    assert bare == []
