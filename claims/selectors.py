"""Reads of claims and of the DMS service lines («Мои страховые случаи»), limited to what the
given user may see.

Every read of service lines is limited to the insured persons linked to the user (self and
children), so another person's line is never listed, counted or found by id.
"""

import datetime
import hashlib
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import (
    Count,
    DecimalField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from policies.models import InsuredPerson, Policy
from policies.selectors import linked_insured_ids
from portal.accounts.models import User
from portal.core.formatting import money
from portal.core.versioned_cache import versioned_get
from portal.core.versions import version_stamp

from .history_version import HISTORY_VERSION
from .models import Claim, ClaimDocument, ClaimEvent, Icd10Diagnosis, ServiceLine
from .rules import CLAIMABLE_PRODUCTS

# A claim may be declared under a policy that was issued: in force now, or expired since (the
# event itself must fall within the term; claim_submit checks that).
CLAIMABLE_STATUSES = (Policy.Status.ACTIVE, Policy.Status.EXPIRED)


def _visible_policies(user: User) -> Q:
    # The linked ids are read first, as in policies_for_user: an OR across a join to the links
    # table made PostgreSQL scan every policy.
    return Q(holder=user) | Q(insured_person_id__in=linked_insured_ids(user))


def claimable_policies_for_user(user: User) -> QuerySet[Policy]:
    """The policies the user may declare a claim under: their non-DMS policies (bought ones, and
    ВЗР of a linked insured person), issued."""
    return (
        Policy.objects.filter(_visible_policies(user))
        .filter(product__in=CLAIMABLE_PRODUCTS, status__in=CLAIMABLE_STATUSES)
        .select_related("insured_person")
        .order_by("-ends_on", "product", "number")
    )


def claims_for_user(user: User) -> QuerySet[Claim]:
    """The user's claims, newest first: those under the policies they may see (for «Мои страховые
    случаи» and /claims/), with the policy read in the same query."""
    policy_ids = Policy.objects.filter(_visible_policies(user)).values("pk")
    # A claim the user declared stays theirs when the policy's link ends (a child turns 15).
    # A UNION of two index scans, not `policy IN (...) OR user = ...`: PostgreSQL reads an OR
    # across a subquery by scanning every claim and every policy (45 ms at 20,000 claims).
    claim_ids = (
        Claim.objects.filter(policy_id__in=policy_ids)
        .order_by()
        .values("pk")
        .union(Claim.objects.filter(user=user).order_by().values("pk"))
    )
    return (
        Claim.objects.filter(pk__in=claim_ids)
        .select_related("policy", "policy__insured_person")
        .order_by("-created_at", "-pk")
    )


def claim_for_user(user: User, pk: int) -> Claim | None:
    """One claim of the user, with its history and documents; None for anyone else's."""
    return (
        claims_for_user(user)
        .prefetch_related(
            Prefetch("events", queryset=ClaimEvent.objects.order_by("at", "pk")),
            Prefetch("documents", queryset=ClaimDocument.objects.order_by("created_at", "pk")),
        )
        .filter(pk=pk)
        .first()
    )


def claim_document_for_user(user: User, *, claim_id: int, document_id: int) -> ClaimDocument:
    """A file of the user's claim; DoesNotExist for anyone else's (the view answers 404)."""
    return ClaimDocument.objects.select_related("claim").get(
        pk=document_id, claim_id=claim_id, claim__in=claims_for_user(user)
    )


def claim_document_for_staff(*, claim_id: int, document_id: int) -> ClaimDocument:
    return ClaimDocument.objects.select_related("claim__policy__holder", "claim__user").get(
        pk=document_id, claim_id=claim_id
    )


def claim_event_for_notification(event_id: int) -> ClaimEvent | None:
    return (
        ClaimEvent.objects.select_for_update(of=("self",))
        .select_related("claim__policy__holder", "claim__user")
        .filter(pk=event_id)
        .first()
    )


def claim_events_unnotified(*, since: datetime.datetime, until: datetime.datetime) -> list[int]:
    """Events of the window whose e-mail has not gone out (the broker was down when they were
    written). A window, not everything: history loaded in bulk is never e-mailed."""
    return list(
        ClaimEvent.objects.filter(notified_at__isnull=True, at__gte=since, at__lt=until)
        .order_by("at")
        .values_list("pk", flat=True)[:500]
    )


# --- «Мои страховые случаи ДМС»: the person's DMS service lines, their filters and totals ----

ZERO = Decimal("0.00")


def service_lines_for_user(user: User, *, health: bool = True) -> QuerySet[ServiceLine]:
    """The DMS service lines of the user's linked insured persons, newest first, with everything
    a card shows read in the same query. `health=False` (no health-data consent) leaves the
    diagnosis out of the query; the caller leaves the service name and ICD-10 columns out."""
    lines = (
        ServiceLine.objects.filter(insured_person_id__in=linked_insured_ids(user))
        .select_related("clinic", "care_kind", "insured_person__program")
        .order_by("-service_date", "-pk")
    )
    if not health:
        return lines
    # The diagnosis name comes from the ICD-10 dictionary (operators may correct it), then from
    # the register line; a code known to neither shows as the code itself.
    dictionary_name = Icd10Diagnosis.objects.filter(code=OuterRef("icd10_code")).values("name")
    return lines.annotate(diagnosis_name=Subquery(dictionary_name[:1]))


def lines_refunded(line_ids: list[int]) -> set[int]:
    """Which of these lines (found not provided) had their co-pay returned to the card: read
    through the refunds' reverse relation, by name (payments sits above claims)."""
    if not line_ids:
        return set()
    return set(
        ServiceLine.objects.filter(pk__in=line_ids, copay_refunds__status="succeeded")
        .values_list("pk", flat=True)
        .distinct()
    )


def service_line_for_user(user: User, pk: int | None) -> ServiceLine | None:
    if pk is None:
        return None
    return service_lines_for_user(user).filter(pk=pk).first()


@dataclass(frozen=True)
class CaseFilters:
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None
    person_id: int | None = None
    clinic_id: int | None = None
    care_kind_id: int | None = None

    def apply(self, lines: QuerySet[ServiceLine]) -> QuerySet[ServiceLine]:
        if self.date_from:
            lines = lines.filter(service_date__gte=self.date_from)
        if self.date_to:
            lines = lines.filter(service_date__lte=self.date_to)
        if self.person_id:
            lines = lines.filter(insured_person_id=self.person_id)
        if self.clinic_id:
            lines = lines.filter(clinic_id=self.clinic_id)
        if self.care_kind_id:
            lines = lines.filter(care_kind_id=self.care_kind_id)
        return lines


@dataclass(frozen=True)
class CaseTotals:
    count: int
    amount: Decimal
    copay: Decimal
    copay_paid: Decimal
    copay_owed: Decimal
    copay_frozen: Decimal

    @property
    def insurer_paid(self) -> Decimal:
        """What the insurer paid: the amount less the person's share."""
        return self.amount - self.copay


def _sum(field: str, condition: Q | None = None) -> Coalesce:
    return Coalesce(
        Sum(field, filter=condition),
        Value(ZERO),
        output_field=DecimalField(max_digits=14, decimal_places=2),
    )


def case_totals(lines: QuerySet[ServiceLine]) -> CaseTotals:
    """The period's totals in one SQL aggregate (no line is loaded)."""
    state = ServiceLine.CopayState
    row = lines.order_by().aggregate(
        count=Count("pk"),
        amount=_sum("amount"),
        copay=_sum("copay_amount", ~Q(copay_state=state.CANCELLED)),
        copay_paid=_sum("copay_amount", Q(copay_state=state.PAID)),
        copay_owed=_sum("copay_amount", Q(copay_state=state.UNPAID)),
        copay_frozen=_sum("copay_amount", Q(copay_state=state.FROZEN)),
    )
    return CaseTotals(**row)


# How long a person's filter choices stay cached: their key names the history's version, so a
# new line, clinic name or kind of care makes a new key at once; the expiry only frees memory.
CHOICES_SECONDS = 3600


Choice = tuple[int, str]


def case_filter_choices(
    user: User,
) -> tuple[list[InsuredPerson], list[Choice], list[Choice]]:
    """The people of the user's history, and the clinics and kinds of care it has, as choices
    (id, name): the clinics by name, the kinds in their order.

    The people are read with the history's version (one query). The clinics and kinds of care
    come from one DISTINCT over the people's whole history, which PostgreSQL plans across every
    month's partition: the choices are cached under the version and the people, and read again
    only when a line, clinic or kind of care has changed."""
    ids = linked_insured_ids(user)
    # only what the choices show: whole register rows and clinics cost more to convert than read
    persons = list(
        InsuredPerson.objects.filter(pk__in=ids)
        .only("last_name", "first_name", "middle_name")
        .annotate(history_stamp=version_stamp(HISTORY_VERSION))
        .order_by("relation", "birth_date")
    )
    if not persons:
        return [], [], []
    person_ids = sorted(person.pk for person in persons)
    stamp = persons[0].history_stamp

    def choices() -> tuple[list[Choice], list[Choice]]:
        # The whole history's clinics and kinds, with their names, in one read of the lines:
        # every month's partition is planned once, not once for the clinics and again for kinds.
        pairs = (
            ServiceLine.objects.filter(insured_person_id__in=person_ids)
            .values_list(
                "clinic_id", "clinic__name", "care_kind_id", "care_kind__name", "care_kind__order"
            )
            .order_by("clinic__name", "clinic_id", "care_kind__order", "care_kind__name")
            .distinct()
        )
        clinics: dict[int, str] = {}
        kinds: dict[int, tuple] = {}
        for clinic_id, clinic_name, kind_id, kind_name, kind_order in pairs:
            clinics.setdefault(clinic_id, clinic_name)  # in the query's order: by name
            if kind_id is not None:
                kinds.setdefault(kind_id, (kind_order, kind_name))
        by_order = sorted(kinds.items(), key=lambda item: item[1])
        return list(clinics.items()), [(pk, name) for pk, (_order, name) in by_order]

    if stamp is None:  # nothing has bumped the version yet: nothing to key a cached value by
        clinics, kinds = choices()
    else:
        digest = hashlib.sha256(f"{stamp}|{person_ids}".encode()).hexdigest()
        clinics, kinds = versioned_get(f"claims:case-choices:{digest}", choices, CHOICES_SECONDS)
    return persons, clinics, kinds


def service_line_explanation(line: ServiceLine, *, refunded: bool = False) -> str:
    """Why the line was covered and what the person owes, in plain Russian. `refunded`: the
    co-pay of a line found not provided came back to the card."""
    program = line.insured_person.program
    code = program.code if program else ""
    state = ServiceLine.CopayState
    if line.recovery_flagged_at:
        text = _(
            "Страховая компания подтвердила, что услуга не оказана: клиника вернёт её стоимость."
        )
        if line.copay_state == state.NONE or not line.copay_amount:
            return text
        if refunded:
            tail = _("Со-оплата %(amount)s возвращена на карту.")
        elif line.copay_state == state.PAID:
            tail = _("Со-оплата %(amount)s возвращается на карту, с которой была списана.")
        else:
            tail = _("Со-оплата %(amount)s отменена: платить ничего не нужно.")
        return f"{text} {tail % {'amount': money(line.copay_amount)}}"
    covered = _("Оплачено страховой компанией по программе %(program)s") % {"program": code}
    if line.copay_state == state.NONE or not line.copay_amount:
        return covered + _("; с вас ничего не причитается.")
    share = program.copay_share.normalize() if program else ""
    share_text = _("ваша доля %(share)s\u00a0%% — %(amount)s") % {
        "share": f"{share:f}".replace(".", ","),
        "amount": money(line.copay_amount),
    }
    if line.copay_state == state.UNPAID:
        tail = _(", будет списана с привязанной карты.")
    elif line.copay_state == state.PAID:
        tail = _(", оплачена.")
    elif line.copay_state == state.FROZEN:
        tail = _(
            ", заморожена: вы сообщили, что услуга не оказана; до решения по обращению "
            "ничего не списывается."
        )
    else:
        tail = _(", отменена: страховая компания подтвердила, что услуга не оказана.")
    return f"{covered}; {share_text}{tail}"
