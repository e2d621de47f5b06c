"""`manage.py seed_demo`: the demo data set is complete, plausible and written only once."""

import datetime
from decimal import Decimal
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from allauth.account.models import EmailAddress
from django.apps import apps
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from claims.models import Claim, ServiceLine
from clinics.models import Clinic, ProgramClinic, Slot
from devtools.demo.identifiers import bank_account_is_valid, inn10_is_valid
from feedback.models import Appeal
from policies.models import InsuredPerson, Policy, Policyholder, PolicyLink
from portal.accounts.models import Consent, User

OUR_APPS = ("core", "accounts", "policies", "clinics", "claims", "feedback", "payments")
MOSCOW_TZ = ZoneInfo("Europe/Moscow")
# The boxes of the brief, written out here rather than imported from the code under test.
CITY_BOXES = {
    "Москва": ((55.57, 55.91), (37.37, 37.85)),
    "Санкт-Петербург": ((59.83, 60.05), (30.20, 30.50)),
}
DEMO_NUMBER = "ДМС-0147-000001"


def every_model() -> list:
    models = [
        model
        for label in OUR_APPS
        for model in apps.get_app_config(label).get_models(include_auto_created=True)
    ]
    return [*models, EmailAddress, Group]


def snapshot() -> dict[str, set]:
    """The primary keys of every row of every model: equal snapshots mean nothing was added,
    nothing removed."""
    return {
        model._meta.label: set(model.objects.values_list("pk", flat=True))
        for model in every_model()
    }


def seed(*args: str) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


@pytest.fixture(scope="module")
def first_run(django_db_setup, django_db_blocker):
    """One seeding for the whole module, inside a transaction rolled back at the end: each test
    runs in a savepoint of it, and the other modules never see the demo data."""
    with django_db_blocker.unblock(), transaction.atomic():
        output = seed()
        yield output
        transaction.set_rollback(True)


@pytest.fixture
def seeded(first_run, db) -> str:
    return first_run


def test_first_run_reports_what_it_created(seeded):
    assert "Демо-данные загружены" in seeded
    assert "клиники: 60" in seeded
    assert "ДМС-0147-000900" in seeded  # the register row for trying «Добавить полис»


def test_second_run_adds_and_removes_nothing(seeded):
    # given
    before = snapshot()
    # when
    output = seed()
    # then
    assert snapshot() == before
    assert "ничего не добавлено" in output


def test_run_on_a_later_day_only_tops_up_the_schedules(seeded):
    # given
    before = snapshot()
    later = timezone.now() + datetime.timedelta(days=3)
    # when
    with time_machine.travel(later, tick=False):
        seed()
    # then
    after = snapshot()
    changed = {label for label in before if before[label] != after[label]}
    assert changed == {"clinics.Slot"}
    assert after["clinics.Slot"] > before["clinics.Slot"]


def test_if_empty_does_nothing_on_a_seeded_database(seeded):
    before = snapshot()
    output = seed("--if-empty")
    assert snapshot() == before
    assert "--if-empty" in output


def test_demo_accounts_log_in_with_verified_addresses(seeded):
    logins = {
        "demo@example.com": "demo-pass-2026",
        "hr@example.com": "hr-pass-2026",
        "operator@example.com": "operator-pass-2026",
        "network@example.com": "network-pass-2026",
        "register@example.com": "register-pass-2026",
        "admin@example.com": "admin-pass-2026",
    }
    for email, password in logins.items():
        user = User.objects.get(email=email)
        assert user.check_password(password), email
        assert EmailAddress.objects.filter(
            user=user, email=email, verified=True, primary=True
        ).exists()
    assert User.objects.get(email="hr@example.com").groups.filter(name="HR-менеджер").exists()
    operator = User.objects.get(email="operator@example.com")
    assert operator.is_staff and operator.groups.filter(name="Оператор").exists()
    for email, group in (
        ("network@example.com", "Менеджер сети клиник"),
        ("register@example.com", "Специалист по реестрам"),
    ):
        staff = User.objects.get(email=email)
        assert staff.is_staff and list(staff.groups.values_list("name", flat=True)) == [group]
    assert User.objects.get(email="admin@example.com").is_superuser


def test_demo_user_has_profile_consent_and_both_links(seeded):
    user = User.objects.get(email="demo@example.com")
    assert user.full_name == "Смирнов Алексей Петрович"
    assert user.birth_date == datetime.date(1988, 4, 12)
    assert user.phone == "+79161234567" and user.phone_confirmed_at is not None
    assert user.passport == "4510123456"
    assert Consent.objects.filter(user=user, document="personal_data", version="2026-01").exists()
    links = dict(
        PolicyLink.objects.filter(user=user, unlinked_at__isnull=True).values_list(
            "insured_person__policy_number", "relation"
        )
    )
    assert links == {DEMO_NUMBER: "self", "ДМС-0147-000002": "child"}


def test_child_is_under_fifteen_and_linked_to_the_parent(seeded):
    child = InsuredPerson.objects.get(policy_number="ДМС-0147-000002")
    today = timezone.localdate()
    age = (
        today.year
        - child.birth_date.year
        - ((today.month, today.day) < (child.birth_date.month, child.birth_date.day))
    )
    assert age < 15
    assert child.relation == "child" and child.parent.policy_number == DEMO_NUMBER
    for other in InsuredPerson.objects.filter(relation="child"):
        assert other.birth_date > today.replace(year=today.year - 15)


def test_unpaid_copay_of_the_demo_person_is_544_on_the_latest_lines(seeded):
    lines = ServiceLine.objects.filter(insured_person__policy_number=DEMO_NUMBER)
    unpaid = lines.filter(copay_state="unpaid")
    assert unpaid.aggregate(total=Sum("copay_amount"))["total"] == Decimal("544.00")
    latest = list(lines.order_by("-service_date", "-pk")[:3])
    assert {line.pk for line in latest} == set(unpaid.values_list("pk", flat=True))
    assert 35 <= lines.count() <= 45
    for line in lines:
        twenty_percent = (line.amount * Decimal("0.2")).quantize(Decimal("0.01"))
        assert line.copay_amount == twenty_percent
        assert line.icd10_code and line.icd10_name


def test_history_lies_within_the_contract_and_before_today(seeded):
    today = timezone.localdate()
    child_lines = ServiceLine.objects.filter(insured_person__policy_number="ДМС-0147-000002")
    assert 10 <= child_lines.count() <= 15
    for line in ServiceLine.objects.select_related("insured_person", "insured_person__program"):
        assert line.insured_person.starts_on <= line.service_date < today
        if line.insured_person.program.copay_share == 0:
            assert line.copay_amount == 0 and line.copay_state == "none"
    persons_without_history = InsuredPerson.objects.filter(service_lines__isnull=True)
    assert not persons_without_history.exists()


def test_network_has_sixty_clinics_inside_their_cities(seeded):
    clinics = list(Clinic.objects.all())
    assert 55 <= len(clinics) <= 65
    assert 18 <= sum(clinic.online_booking for clinic in clinics) <= 22
    for clinic in clinics:
        (lat_min, lat_max), (lon_min, lon_max) = CITY_BOXES[clinic.city]
        assert lat_min <= float(clinic.latitude) <= lat_max, clinic.name
        assert lon_min <= float(clinic.longitude) <= lon_max, clinic.name
        assert clinic.site.endswith(".example")
        assert clinic.phones and all(phone.startswith("+7") for phone in clinic.phones)


def test_every_booking_clinic_has_slots_in_its_own_hours_in_the_next_two_weeks(seeded):
    from clinics.schedule import opening_hours

    now = timezone.now()
    horizon = now + datetime.timedelta(days=14)
    weekend = False
    for clinic in Clinic.objects.filter(online_booking=True):
        slots = Slot.objects.filter(doctor__clinic=clinic, starts_at__gt=now, starts_at__lt=horizon)
        assert slots.exists(), clinic.name
        assert 3 <= clinic.doctors.count() <= 6
        hours = opening_hours(clinic.hours)
        # every slot of the two weeks, not the earliest few: those are all on the first days,
        # and a run on a Monday would never reach the weekend
        for starts_at, ends_at in slots.values_list("starts_at", "ends_at"):
            start = starts_at.astimezone(MOSCOW_TZ)
            end = ends_at.astimezone(MOSCOW_TZ)
            opens, closes = hours[start.weekday()]  # no time on a day the clinic is closed
            assert opens <= start.time() and end.time() <= closes, (clinic.name, start)
            weekend = weekend or start.weekday() >= 5
    assert weekend  # clinics that work at weekends take bookings then too


def test_coverage_follows_what_each_clinic_offers(seeded):
    dental = ProgramClinic.objects.filter(care_kind__code="dental").select_related("clinic")
    assert dental.exists()
    assert all("стоматолог" in link.clinic.name.lower() for link in dental)
    hospital = ProgramClinic.objects.filter(care_kind__code="hospital")
    assert hospital.exists()
    assert all(link.guarantee_letter_required for link in hospital)


def test_policies_of_the_register_and_the_osago(seeded):
    assert inn10_is_valid("7707083893")  # a real INN: the check itself is right
    for holder in Policyholder.objects.all():
        assert inn10_is_valid(holder.inn), holder.name
    assert Policy.objects.filter(product="dms").count() == InsuredPerson.objects.count()
    assert Policy.objects.filter(product="vzr", number="ВЗР-0147000001").exists()
    osago = Policy.objects.get(product="osago", holder__email="demo@example.com")
    assert osago.number.startswith("\u0425\u0425\u0425 ")  # Cyrillic Х, not Latin X
    assert osago.status == "active" and osago.premium > 0
    assert osago.product_data["vehicle"]["vin"] == "XTAGFK330MY123456"


def test_claim_is_under_review_with_its_history(seeded):
    claim = Claim.objects.get(policy__product="osago")
    assert claim.status == "under_review"
    steps = list(claim.events.values_list("from_status", "to_status"))
    assert steps == [("", "submitted"), ("submitted", "under_review")]
    details = claim.payout_details
    assert bank_account_is_valid(bik=details["bik"], account=details["account"])
    assert not bank_account_is_valid(bik=details["bik"], account="40817810038160925982")


def test_appeal_is_answered_by_the_operator(seeded):
    appeal = Appeal.objects.get(user__email="demo@example.com")
    assert appeal.status == "answered" and appeal.kind in ("thanks", "complaint")
    messages = list(appeal.messages.all())
    assert [message.from_staff for message in messages] == [False, True]
    assert messages[1].author.email == "operator@example.com"


def test_refuses_to_run_with_production_settings(seeded, settings):
    # The demo accounts' passwords are published; an administrator is among them.
    settings.SETTINGS_MODULE = "portal.settings.production"
    with pytest.raises(CommandError, match="рабочую базу"):
        seed()


def test_the_demo_person_has_given_the_health_consent_and_the_second_has_not(seeded):
    from devtools.demo.logins import SECOND_DEMO_EMAIL
    from devtools.demo.register import DEMO_PERSON
    from portal.accounts.selectors import health_consent_given

    demo = User.objects.get(email=DEMO_PERSON.email)
    second = User.objects.get(email=SECOND_DEMO_EMAIL)
    assert health_consent_given(demo)
    assert not health_consent_given(second)
    links = PolicyLink.objects.filter(user=second, unlinked_at__isnull=True)
    assert links.count() == 1
    assert ServiceLine.objects.filter(insured_person=links.get().insured_person).exists()
    assert second.check_pin("2580")
