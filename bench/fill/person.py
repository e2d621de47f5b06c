"""The bench person, written through the models on top of the bulk, and the staff logins the
load generator uses."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.apps import apps
from django.utils import timezone

from bench import vocab
from bench.subjects import (
    BENCH_CHILD_POLICY,
    BENCH_OWN_POLICY,
    BENCH_PASSWORD,
    BENCH_PERSON_EMAIL,
    BENCH_STAFF_TOTP_SECRET,
    HR_EMAIL,
    OPERATOR_EMAIL,
)
from claims.models import Claim, ClaimEvent, ServiceLine
from clinics.models import Appointment, Slot
from feedback.models import Appeal, AppealMessage, GuaranteeLetter
from policies.models import (
    CareKind,
    InsuredPerson,
    Policy,
    Policyholder,
    PolicyLink,
    Program,
)
from portal.accounts.models import Consent, User

from .history import HistoryRows
from .plan import BENCH_CHILD_LINES, BENCH_OWN_LINES, CONSENT_VERSION, Plan, money_text


def bench_person_create(plan: Plan) -> None:
    """The person the pages are measured as: their own DMS policy, a child's, a bought ОСАГО,
    ~60 service lines with an unpaid co-pay, appeals, claims and bookings."""
    now = timezone.now()
    today = timezone.localdate()
    program = Program.objects.get(pk=1)  # the base program of contract 1: 20 % co-pay
    contract = program.contract
    user = User.objects.create_user(
        email=BENCH_PERSON_EMAIL,
        password=None,
        last_name="Проверкин",
        first_name="Тест",
        middle_name="Нагрузович",
        birth_date=datetime.date(1985, 5, 17),
        phone="+79990000001",
        phone_confirmed_at=now,
    )
    Consent.objects.create(user=user, document="personal_data", version=CONSENT_VERSION)
    staff_logins_ensure(user, contract.policyholder)
    common = {"contract": contract, "program": program, "starts_on": contract.starts_on}
    common["ends_on"] = contract.ends_on
    own = InsuredPerson.objects.create(
        policy_number=BENCH_OWN_POLICY,
        last_name=user.last_name,
        first_name=user.first_name,
        middle_name=user.middle_name,
        birth_date=user.birth_date,
        email=user.email,
        phone=user.phone,
        **common,
    )
    child = InsuredPerson.objects.create(
        policy_number=BENCH_CHILD_POLICY,
        last_name=user.last_name,
        first_name="Маша",
        middle_name="Тестовна",
        birth_date=today - datetime.timedelta(days=8 * 365),
        relation=InsuredPerson.Relation.CHILD,
        parent=own,
        **common,
    )
    PolicyLink.objects.bulk_create(
        [
            PolicyLink(user=user, insured_person=own, relation=PolicyLink.Relation.SELF),
            PolicyLink(user=user, insured_person=child, relation=PolicyLink.Relation.CHILD),
        ]
    )
    term = {"starts_on": contract.starts_on, "ends_on": contract.ends_on, "status": "active"}
    Policy.objects.create(product="dms", number=BENCH_OWN_POLICY, insured_person=own, **term)
    Policy.objects.create(product="dms", number=BENCH_CHILD_POLICY, insured_person=child, **term)
    osago = Policy.objects.create(
        product="osago",
        number="OSAGO-BENCH-0001",
        holder=user,
        starts_on=today - datetime.timedelta(days=100),
        ends_on=today + datetime.timedelta(days=264),
        status="active",
        premium=Decimal("8450.00"),
        product_data={"vehicle": {"model": "Kia Rio", "plate": "А123ВС777"}},
        tariff_version="2025.1",
    )

    kinds = {k.code: k for k in CareKind.objects.all()}
    services = [s for s in vocab.SERVICES if s[2] in vocab.PROGRAM_SHAPES[0][2]]
    lines = []
    for n in range(BENCH_OWN_LINES + BENCH_CHILD_LINES):
        code, name, kind, price = services[n % len(services)]
        day = today - datetime.timedelta(days=1 + n * 6)
        amount = price * (95 + n % 10) // 100
        clinic_id = plan.program_clinic(0, n)
        lines.append(
            ServiceLine(
                clinic_id=clinic_id,
                register_number=f"{clinic_id}/BENCH-{day:%Y%m}",
                line_number=n + 1,
                insured_person=own if n < BENCH_OWN_LINES else child,
                service_code=code,
                service_name=name,
                care_kind=kinds[kind],
                service_date=day,
                amount=Decimal(money_text(amount)),
                copay_amount=Decimal(money_text(amount // 5)),
                copay_state="unpaid" if n < 5 else "paid",
                icd10_code=vocab.ICD10[n % len(vocab.ICD10)][0],
                icd10_name=vocab.ICD10[n % len(vocab.ICD10)][1],
            )
        )
    lines = ServiceLine.objects.bulk_create(lines)
    disputed = lines[0]
    disputed.copay_state = ServiceLine.CopayState.FROZEN
    disputed.save(update_fields=["copay_state"])

    operator = User.objects.get(email=OPERATOR_EMAIL)
    clinic = disputed.clinic
    due = today + datetime.timedelta(days=30)
    appeals = [
        Appeal(number="ОБР-B0001", user=user, kind="not_provided", subject="Услуга не оказана",
               due_on=due, service_line=disputed),
        Appeal(number="ОБР-B0002", user=user, kind="complaint", subject="Долгое ожидание",
               due_on=due, clinic=clinic, status="in_progress"),
        Appeal(number="ОБР-B0003", user=user, kind="question", subject="Покрытие стоматологии",
               due_on=today - datetime.timedelta(days=3), status="answered"),
        Appeal(number="ОБР-B0004", user=user, kind="thanks", subject="Спасибо доктору",
               due_on=today - datetime.timedelta(days=20), clinic=clinic, status="closed"),
    ]  # fmt: skip
    appeals = Appeal.objects.bulk_create(appeals)
    messages = [AppealMessage(appeal=a, author=user, body="Текст обращения.") for a in appeals]
    messages += [
        AppealMessage(appeal=a, author=operator, from_staff=True, body="Ответ страховщика.")
        for a in appeals
        if a.status in ("answered", "closed")
    ]
    AppealMessage.objects.bulk_create(messages)
    GuaranteeLetter.objects.create(
        user=user,
        insured_person=own,
        clinic=clinic,
        care_kind=kinds["diagnostics"],
        status="issued",
        number="ГП-B0001",
        valid_until=today + datetime.timedelta(days=30),
    )

    for n, status in enumerate(("under_review", "paid")):
        claim = Claim.objects.create(
            number=f"УБ-B{n + 1:04d}",
            policy=osago,
            event_type="dtp",
            event_at=now - datetime.timedelta(days=40 - n * 20),
            place="Москва, Ленинградский пр., д. 39",
            description="Столкновение на парковке.",
            status=status,
            approved_amount=Decimal("42000.00") if status == "paid" else None,
        )
        path = [s for s in HistoryRows.CLAIM_PATHS if s[-1] == status][0]
        ClaimEvent.objects.bulk_create(
            ClaimEvent(claim=claim, from_status=prev, to_status=to, by=user if not i else operator)
            for i, (prev, to) in enumerate(zip(("", *path), path, strict=False))
        )

    free_slots = (
        Slot.objects.filter(starts_at__gt=now, doctor__clinic__online_booking=True)
        .exclude(appointments__status="booked")
        .order_by("starts_at", "pk")[:3]
    )
    Appointment.objects.bulk_create(
        Appointment(slot=slot, user=user, insured_person=own if i else child)
        for i, slot in enumerate(free_slots)
    )


def staff_logins_ensure(person: User, policyholder: Policyholder) -> None:
    """Make the bench person and the staff able to log in over HTTP, as the load generator does
    (bench.load): a password and a verified address each; the staff get their group, a TOTP
    authenticator with a known key (the admin asks for a second factor) and, for the HR
    manager, the bench person's company."""
    from allauth.account.models import EmailAddress
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import TOTP
    from django.contrib.auth.models import Group

    from employers.models import EmployerManager
    from employers.selectors import HR_GROUP, OPERATOR_GROUP
    from portal.core.roles import groups_sync

    if Group.objects.filter(name__in=(HR_GROUP, OPERATOR_GROUP)).count() < 2:
        # A database flushed since it was migrated (the test's): the groups' data migration again.
        groups_sync(apps)
    operator = User.objects.get(email=OPERATOR_EMAIL)
    hr = User.objects.get(email=HR_EMAIL)
    for user in (person, operator, hr):
        user.set_password(BENCH_PASSWORD)
        user.save(update_fields=["password"])
        EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    for user, group in ((operator, OPERATOR_GROUP), (hr, HR_GROUP)):
        user.groups.add(Group.objects.get(name=group))
        if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
            TOTP.activate(user, BENCH_STAFF_TOTP_SECRET)
    EmployerManager.objects.create(user=hr, policyholder=policyholder)
