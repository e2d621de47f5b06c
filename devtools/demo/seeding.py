"""The demo data set of SPEC «Demo data», written once and never rewritten.

Every row is found by its natural key before it is made, and every random choice comes from one
fixed seed, so a second run on the same day adds nothing; a run on a later day only tops the
schedules up to two weeks ahead (service history, claims and appeals are never added twice).
"""

import datetime
import random
from dataclasses import dataclass

from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group
from django.db import models, transaction

from claims.models import Claim, ClaimEvent, Icd10Diagnosis, ServiceLine
from claims.services.icd10 import icd10_load
from clinics.models import Clinic, Doctor, ProgramClinic, Slot
from feedback.models import Appeal, AppealMessage
from policies.models import (
    BoxedPolicyCard,
    CareKind,
    Contract,
    InsuredPerson,
    Policy,
    Policyholder,
    PolicyLink,
    Program,
)
from policies.services import boxed_cards_seed
from portal.accounts.models import Consent, User
from shop.models import Offer

from .cases import appeal_ensure, claim_ensure, osago_policy_ensure
from .documents import demo_documents_ensure
from .history import history_ensure, plan_history
from .logins import (
    demo_user_ensure,
    policy_links_ensure,
    second_demo_user_ensure,
    staff_ensure,
)
from .network import (
    clinics_ensure,
    coverage_ensure,
    doctors_ensure,
    plan_coverage,
    plan_doctors,
    slots_ensure,
)
from .register import (
    DEMO_CHILD,
    DEMO_PERSON,
    SECOND_DEMO_POLICY_NUMBER,
    care_kinds_ensure,
    contracts_ensure,
    insured_persons_ensure,
    medical_policies_ensure,
    plan_people,
)

SEED = 2026
# Each part draws from its own generator, seeded in this order from SEED, so that the doctors'
# names (a natural key) never depend on how many draws the people or the dates took.
RANDOM_SECTIONS = ("people", "clinics", "coverage", "doctors", "history")

SEEDED_MODELS: tuple[type[models.Model], ...] = (
    CareKind,
    Policyholder,
    Contract,
    Program,
    InsuredPerson,
    Policy,
    User,
    EmailAddress,
    Consent,
    Group,
    PolicyLink,
    Clinic,
    ProgramClinic,
    Doctor,
    Slot,
    Icd10Diagnosis,
    ServiceLine,
    Claim,
    ClaimEvent,
    Appeal,
    AppealMessage,
    BoxedPolicyCard,
    Offer,
)

DEMO_OFFERS = (
    (
        "ОСАГО онлайн за пять минут",
        "Рассчитайте полис по тарифам Банка России и оплатите картой — полис сразу в кабинете.",
        Policy.Product.OSAGO,
        Offer.Audience.ALL,
        "",
    ),
    (
        "Скидка 10 % на КАСКО для застрахованных по ДМС",
        "Сотрудникам компаний-страхователей — скидка на первый год КАСКО.",
        Policy.Product.KASKO,
        Offer.Audience.DMS_HOLDERS,
        "",
    ),
    (
        "«Онкопомощь»: лечение в России и за рубежом",
        "Полис на случай онкологического заболевания: диагностика, лечение, второе мнение.",
        Policy.Product.ONCOLOGY,
        Offer.Audience.WITHOUT_PRODUCT,
        Policy.Product.ONCOLOGY,
    ),
    (
        "Полис для путешествий с визой в Шенген",
        "Страховая сумма от 30 000 евро, активный отдых и спорт по выбору — полис сразу на почте.",
        Policy.Product.VZR,
        Offer.Audience.ALL,
        "",
    ),
)


def demo_offers_ensure(*, today: datetime.date) -> None:
    """«Специальные предложения» of the demo, found by title (a later run adds nothing)."""
    for title, text, product, audience, audience_product in DEMO_OFFERS:
        Offer.objects.get_or_create(
            title=title,
            defaults={
                "text": text,
                "product": product,
                "audience": audience,
                "audience_product": audience_product,
                "starts_on": today - datetime.timedelta(days=7),
                "ends_on": today + datetime.timedelta(days=365),
            },
        )


@dataclass(frozen=True)
class Created:
    label: str
    count: int


def _row_counts() -> dict[type[models.Model], int]:
    return {model: model.objects.count() for model in SEEDED_MODELS}


@transaction.atomic
def seed_demo(*, today: datetime.date, now: datetime.datetime) -> list[Created]:
    """Writes what is missing of the demo data set and says how many rows of each kind it made."""
    master = random.Random(SEED)
    rngs = {name: random.Random(master.getrandbits(64)) for name in RANDOM_SECTIONS}
    before = _row_counts()

    # The Ministry's МКБ-10 dictionary, whose names the service history shows (idempotent).
    icd10_load()
    kinds = care_kinds_ensure()
    bundles = contracts_ensure(today=today, kinds=kinds)
    people = plan_people(rngs["people"], today=today)
    persons = insured_persons_ensure(plans=people, bundles=bundles)
    medical_policies_ensure(persons=list(persons.values()), today=today)

    clinics = clinics_ensure(rngs["clinics"], today=today)
    coverage = plan_coverage(rngs["coverage"])
    coverage_ensure(plan=coverage, bundles=bundles, clinics=clinics, kinds=kinds)
    doctors = doctors_ensure(plans=plan_doctors(rngs["doctors"]), clinics=clinics, kinds=kinds)
    slots_ensure(doctors=doctors, today=today, now=now)

    lines = plan_history(
        rngs["history"], people=people, persons=persons, coverage=coverage, today=today
    )
    history_ensure(lines=lines, persons=persons, clinics=clinics, kinds=kinds)

    user = demo_user_ensure(now=now)
    operator = staff_ensure()["operator@example.com"]
    policy_links_ensure(
        user=user,
        links=[
            (persons[DEMO_PERSON.policy_number], PolicyLink.Relation.SELF),
            (persons[DEMO_CHILD.policy_number], PolicyLink.Relation.CHILD),
        ],
        now=now,
    )
    second = persons[SECOND_DEMO_POLICY_NUMBER]
    policy_links_ensure(
        user=second_demo_user_ensure(person=second, now=now),
        links=[(second, PolicyLink.Relation.SELF)],
        now=now,
    )
    osago = osago_policy_ensure(user=user, today=today)
    claim_ensure(policy=osago, user=user, operator=operator, now=now)
    course_clinic = clinics[next(line.position for line in lines if line.unpaid)]
    appeal_ensure(user=user, operator=operator, clinic=course_clinic, now=now)
    boxed_cards_seed()
    demo_documents_ensure()
    demo_offers_ensure(today=today)

    after = _row_counts()
    return [
        Created(str(model._meta.verbose_name_plural), after[model] - before[model])
        for model in SEEDED_MODELS
        if after[model] != before[model]
    ]
