"""Reads for the staff: what an HR manager may see (their companies only), cabinet activation."""

from django.db.models import Count, Exists, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from policies.models import Contract, InsuredPerson, Policyholder, PolicyLink, Program
from portal.accounts.models import User
from portal.core import roles

from .models import EmployerManager, ImportBatch, ImportRow

HR_GROUP = roles.HR_MANAGER
OPERATOR_GROUP = roles.SUPPORT_OPERATOR
_SCOPE_ATTR = "_employer_scope_cache"


def employer_scope(user: User) -> frozenset[int] | None:
    """The policyholders an HR manager may see; None when the user is not limited to companies
    (a superuser, or staff who are not HR managers: their model permissions decide).

    An HR manager is a member of the HR group or a user tied to a policyholder; an HR manager tied
    to no company sees no company. Cached on the user object for the request."""
    cached = getattr(user, _SCOPE_ATTR, False)
    if cached is not False:
        return cached
    scope: frozenset[int] | None = None
    if user.is_authenticated and not user.is_superuser:
        ids = frozenset(
            EmployerManager.objects.filter(user=user).values_list("policyholder_id", flat=True)
        )
        if ids or user.groups.filter(name=HR_GROUP).exists():
            scope = ids
    setattr(user, _SCOPE_ATTR, scope)
    return scope


def is_employer_manager(user: User) -> bool:
    return employer_scope(user) is not None


def scoped(queryset: QuerySet, user: User, policyholder_path: str) -> QuerySet:
    """The queryset limited to the user's companies (unchanged for unlimited users)."""
    scope = employer_scope(user)
    if scope is None:
        return queryset
    return queryset.filter(**{f"{policyholder_path}__in": scope})


def policyholders_for_staff(user: User) -> QuerySet[Policyholder]:
    return scoped(Policyholder.objects.all(), user, "pk")


def contracts_for_staff(user: User) -> QuerySet[Contract]:
    return scoped(Contract.objects.select_related("policyholder"), user, "policyholder")


def programs_for_staff(user: User) -> QuerySet[Program]:
    return scoped(Program.objects.select_related("contract"), user, "contract__policyholder")


def insured_persons_for_staff(user: User) -> QuerySet[InsuredPerson]:
    return scoped(
        InsuredPerson.objects.select_related("program", "contract__policyholder"),
        user,
        "contract__policyholder",
    )


def import_batches_for_staff(user: User) -> QuerySet[ImportBatch]:
    return scoped(
        ImportBatch.objects.select_related("contract__policyholder", "uploaded_by"),
        user,
        "contract__policyholder",
    )


def active_link_exists() -> Exists:
    """Annotation: the insured person has activated the cabinet (an active policy link)."""
    return Exists(
        PolicyLink.objects.filter(insured_person=OuterRef("pk"), unlinked_at__isnull=True)
    )


def cabinet_activation(*, policyholder: Policyholder) -> dict[str, int]:
    """How many of the company's people covered today have activated the cabinet."""
    today = timezone.localdate()
    covered = InsuredPerson.objects.filter(
        contract__policyholder=policyholder, starts_on__lte=today, ends_on__gte=today
    )
    total = covered.count()
    activated = covered.filter(active_link_exists()).count()
    return {
        "total": total,
        "activated": activated,
        "percent": round(100 * activated / total) if total else 0,
    }


def batch_preview(batch: ImportBatch, action: str, *, limit: int) -> list[ImportRow]:
    """The first rows of one kind of the diff (the page shows a bounded number of each)."""
    rows = ImportRow.objects.filter(batch=batch, action=action).select_related("program")
    # Ids follow the file's order (and the removed come after the file's rows).
    return list(rows.order_by("id")[:limit])


def contracts_with_activation(queryset: QuerySet[Contract]) -> QuerySet[Contract]:
    """Annotate each contract with `people_covered` (covered today) and `people_activated` (of
    them, with an active policy link): two correlated counts, no row per person fetched."""
    today = timezone.localdate()
    covered = InsuredPerson.objects.filter(
        contract=OuterRef("pk"), starts_on__lte=today, ends_on__gte=today
    ).order_by()

    def counted(people: QuerySet) -> Coalesce:
        return Coalesce(
            Subquery(people.values("contract").annotate(n=Count("pk")).values("n")[:1]), 0
        )

    return queryset.annotate(
        people_covered=counted(covered),
        people_activated=counted(covered.filter(active_link_exists())),
    )
