"""Reads of claims, limited to what the given user may see."""

import datetime

from django.db.models import Prefetch, Q, QuerySet

from policies.models import Policy
from policies.selectors import linked_insured_ids
from portal.accounts.models import User

from .models import Claim, ClaimDocument, ClaimEvent
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
