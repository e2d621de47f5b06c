"""Writes of the insurer's register made by HR lists and the admin: insured persons and their DMS
and ВЗР policies, kept in step (a DMS policy per insured person, numbered as the person's policy;
a ВЗР one while the person's program includes it)."""

import datetime
from collections import defaultdict
from collections.abc import Iterable, Sequence
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from policies.models import InsuredPerson, Policy

# What a ВЗР policy of an employer program covers, unless the contract says otherwise.
VZR_PRODUCT_DATA = {
    "territory": "Весь мир, кроме Российской Федерации",
    "sum_insured": 50000,
    "currency": "EUR",
}
MEDICAL_PRODUCTS = (Policy.Product.DMS, Policy.Product.VZR)


def vzr_number(dms_number: str) -> str:
    """The ВЗР policy's number: the DMS number's digits (as the insurer's register numbers it)."""
    return "ВЗР-" + "".join(ch for ch in dms_number if ch.isdigit())


def policy_status_for(
    *, starts_on: datetime.date, ends_on: datetime.date, today: datetime.date
) -> str:
    # A policy that has not started yet is issued and paid: «действует» with a future start.
    return Policy.Status.EXPIRED if today > ends_on else Policy.Status.ACTIVE


def medical_policies_new(person: InsuredPerson, *, today: datetime.date) -> list[Policy]:
    """The policies of a new register row (its program must be loaded)."""
    common = {
        "insured_person": person,
        "starts_on": person.starts_on,
        "ends_on": person.ends_on,
        "status": policy_status_for(
            starts_on=person.starts_on, ends_on=person.ends_on, today=today
        ),
        "premium": Decimal("0"),
    }
    policies = [Policy(product=Policy.Product.DMS, number=person.policy_number, **common)]
    if person.program.includes_vzr:
        policies.append(
            Policy(
                product=Policy.Product.VZR,
                number=vzr_number(person.policy_number),
                product_data=VZR_PRODUCT_DATA,
                **common,
            )
        )
    return policies


# The columns of vzr_policy_row, for copy_rows.
VZR_COLUMNS = (
    "insured_person_id",
    "product",
    "number",
    "starts_on",
    "ends_on",
    "status",
    "product_data",
)


def vzr_policy_row(
    person_id: int, dms_number: str, starts_on: datetime.date, ends_on: datetime.date, *, today
) -> tuple:
    """A new ВЗР policy as VZR_COLUMNS values (medical_policies_new makes the same as a model)."""
    status = policy_status_for(starts_on=starts_on, ends_on=ends_on, today=today)
    number = vzr_number(dms_number)
    return (person_id, Policy.Product.VZR, number, starts_on, ends_on, status, VZR_PRODUCT_DATA)


def medical_policies_sync(
    persons: Sequence[InsuredPerson],
    *,
    today: datetime.date,
    cancelled: Iterable[int] = (),
) -> None:
    """Bring the DMS and ВЗР policies of these persons in step with their register rows: same
    term, status by the dates (or cancelled), a ВЗР policy only while the program includes it."""
    cancelled = set(cancelled)
    now = timezone.now()
    existing: dict[int, dict[str, Policy]] = defaultdict(dict)
    for policy in Policy.objects.filter(insured_person__in=persons, product__in=MEDICAL_PRODUCTS):
        existing[policy.insured_person_id][policy.product] = policy
    to_create: list[Policy] = []
    to_update: list[Policy] = []

    def step(policy: Policy, status: str, person: InsuredPerson) -> None:
        wanted = (person.starts_on, person.ends_on, status)
        if (policy.starts_on, policy.ends_on, policy.status) != wanted:
            policy.starts_on, policy.ends_on, policy.status = wanted
            policy.updated_at = now
            to_update.append(policy)

    for person in persons:
        if person.pk in cancelled:
            status = Policy.Status.CANCELLED
        else:
            status = policy_status_for(
                starts_on=person.starts_on, ends_on=person.ends_on, today=today
            )
        mine = existing.get(person.pk, {})
        dms = mine.get(Policy.Product.DMS)
        vzr = mine.get(Policy.Product.VZR)
        if dms is None:
            to_create.append(medical_policies_new(person, today=today)[0])
            if status == Policy.Status.CANCELLED:
                to_create[-1].status = status
        else:
            step(dms, status, person)
        if person.program.includes_vzr:
            if vzr is None:
                new = medical_policies_new(person, today=today)[-1]
                new.status = status
                to_create.append(new)
            else:
                step(vzr, status, person)
        elif vzr is not None and vzr.status != Policy.Status.CANCELLED:
            vzr.status = Policy.Status.CANCELLED
            vzr.updated_at = now
            to_update.append(vzr)
    Policy.objects.bulk_create(to_create)
    Policy.objects.bulk_update(to_update, ["starts_on", "ends_on", "status", "updated_at"])


@transaction.atomic
def insured_person_save(*, person: InsuredPerson) -> InsuredPerson:
    """Save a register row edited in the admin and keep its policies in step."""
    person.full_clean()
    person.save()
    person = InsuredPerson.objects.select_related("program").get(pk=person.pk)
    medical_policies_sync([person], today=timezone.localdate())
    return person
