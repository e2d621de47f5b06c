"""Reads of policies, limited to what the given user may see."""

from django.db.models import Q, QuerySet

from portal.accounts.models import User

from .models import InsuredPerson, Policy


def insured_persons_for_user(user: User) -> QuerySet[InsuredPerson]:
    """Insured persons the user may see: themselves and their children, through active links."""
    return InsuredPerson.objects.filter(
        links__user=user, links__unlinked_at__isnull=True
    ).select_related("contract__policyholder", "program")


def policies_for_user(user: User) -> QuerySet[Policy]:
    """Every policy the user may see: bought by them, or of an insured person linked to them."""
    return (
        Policy.objects.filter(
            Q(holder=user)
            | Q(insured_person__links__user=user, insured_person__links__unlinked_at__isnull=True)
        )
        .select_related("insured_person__program", "insured_person__contract__policyholder")
        .order_by("product", "-starts_on", "number")
        .distinct()
    )
