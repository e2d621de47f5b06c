"""Reads of policies, limited to what the given user may see."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import F, Q, QuerySet, Value
from django.db.models.functions import Replace

from portal.accounts.models import User
from portal.core.formatting import LATIN_LOOKALIKES

from .cards import CardSection, Group, PolicyCard, cards_build, cards_by_group
from .identity import Identity, normalize_policy_number, policy_number_key
from .models import PRINTABLE_STATUSES, BoxedPolicyCard, InsuredPerson, Policy, PolicyLink

PDF_PRODUCTS = (Policy.Product.DMS, Policy.Product.VZR)


def insured_persons_for_user(user: User) -> QuerySet[InsuredPerson]:
    """Insured persons the user may see: themselves and their children, through active links."""
    return InsuredPerson.objects.filter(
        links__user=user, links__unlinked_at__isnull=True
    ).select_related("contract__policyholder", "program")


def linked_insured_ids(user: User) -> list[int]:
    return list(
        PolicyLink.objects.filter(user=user, unlinked_at__isnull=True).values_list(
            "insured_person_id", flat=True
        )
    )


def own_register_rows(user: User) -> list[InsuredPerson]:
    """The register rows linked to the account as the person's own (a DMS policy of theirs)."""
    own_links = PolicyLink.objects.filter(
        user=user, unlinked_at__isnull=True, relation=PolicyLink.Relation.SELF
    ).values("insured_person_id")
    return list(insured_persons_for_user(user).filter(pk__in=own_links))


def policies_for_user(user: User) -> QuerySet[Policy]:
    """Every policy the user may see: bought by them, or of an insured person linked to them.

    The linked ids are read first (one small query): an OR across a join to the links table made
    PostgreSQL scan every policy (about 200 ms at 100,000 insured persons, `make bench`)."""
    return (
        Policy.objects.filter(Q(holder=user) | Q(insured_person_id__in=linked_insured_ids(user)))
        .select_related("insured_person__program", "insured_person__contract__policyholder")
        .order_by("product", "-starts_on", "number")
    )


def _number_key_of(field: str):
    """policy_number_key() computed by the database over a stored number."""
    expression = F(field)
    for old, new in (("-", ""), (" ", ""), *LATIN_LOOKALIKES.items()):
        expression = Replace(expression, Value(old), Value(new))
    return expression


def by_policy_number(queryset: QuerySet, number: str, field: str = "policy_number") -> QuerySet:
    """The rows of a policy number however it was typed (spaces or hyphens, case, Latin
    look-alike letters): the number as the register writes it first (the index), then the same
    number compared without its separators (a scan, only for a number typed differently)."""
    exact = queryset.filter(**{field: normalize_policy_number(number)})
    if exact.exists():
        return exact
    key = policy_number_key(number)
    if not key:
        return queryset.none()
    return queryset.alias(_number_key=_number_key_of(field)).filter(_number_key=key)


def policy_number_holder(number: str) -> InsuredPerson | None:
    """The register row of a policy number, or None."""
    persons = InsuredPerson.objects.select_related("contract", "program", "parent")
    return by_policy_number(persons, number).first()


def insured_person_matching(*, number: str, identity: Identity) -> InsuredPerson | None:
    """The register row of the number if it is the person's own (name, birth date, passport);
    None for an unknown number and for someone else's alike."""
    person = policy_number_holder(number)
    if person is None or not identity.matches(person):
        return None
    return person


def child_matching(*, user: User, number: str, identity: Identity) -> InsuredPerson | None:
    """The register row of a child of the user: the number's row has the child's name and birth
    date and is listed as a dependant of the user's own linked register row (or of a row of the
    same person, e.g. the one of an earlier contract)."""
    child = policy_number_holder(number)
    if (
        child is None
        or child.relation != InsuredPerson.Relation.CHILD
        or not identity.matches(child, check_passport=False)
    ):
        return None
    own_ids = PolicyLink.objects.filter(
        user=user, relation=PolicyLink.Relation.SELF, unlinked_at__isnull=True
    ).values_list("insured_person_id", flat=True)
    if child.parent_id in set(own_ids) or Identity.of_user(user).matches(child.parent):
        return child
    return None


def active_link_of(person: InsuredPerson) -> PolicyLink | None:
    return PolicyLink.objects.filter(insured_person=person, unlinked_at__isnull=True).first()


def policy_by_verify_token(token: str) -> Policy | None:
    """The policy a QR code leads to (public: the token is the only key)."""
    if not token or len(token) > 64:
        return None
    return Policy.objects.select_related("insured_person").filter(verify_token=token).first()


def boxed_card_by_number(number: str) -> BoxedPolicyCard | None:
    return by_policy_number(BoxedPolicyCard.objects.all(), number, "number").first()


def _register_pdf_policies(user: User) -> QuerySet[Policy]:
    """The policies the user may see that have a PDF: the register's DMS and ВЗР, and the ones
    they bought or activated once issued (Policy.has_pdf)."""
    return policies_for_user(user).filter(
        Q(product__in=PDF_PRODUCTS, insured_person_id__isnull=False)
        | Q(holder=user, status__in=PRINTABLE_STATUSES)
    )


def pdf_policies_for_user(user: User) -> QuerySet[Policy]:
    """The policies with a PDF the user may see, with what their PDFs show."""
    return (
        _register_pdf_policies(user)
        .select_related(
            "document",
            "holder",
            "insured_person__program",
            "insured_person__contract__policyholder",
        )
        .prefetch_related("insured_person__program__care_kinds")
    )


def policy_documents_for_user(user: User) -> QuerySet[Policy]:
    """The user's printable policies with their PDF rows (for «Мои документы»)."""
    return (
        _register_pdf_policies(user)
        .select_related("document")
        .exclude(status__in=[Policy.Status.DRAFT, Policy.Status.CANCELLED])
    )


@dataclass(frozen=True)
class PolicyCards:
    policies: list[Policy]  # every policy shown, one per row
    cards: list[PolicyCard]  # a ВЗР policy is a part of its DMS policy's card

    @property
    def sections(self) -> list[CardSection]:
        return cards_by_group(self.cards)

    @property
    def has_unpaid(self) -> bool:
        return any(c.group == Group.UNPAID for c in self.cards)


@dataclass(frozen=True)
class CardPolicies:
    policies: list[Policy]  # what «Мои полисы» shows, with its register data
    relations: dict[int, str]  # the user's link to each linked insured person

    @property
    def copay_person_ids(self) -> set[int]:
        """The insured persons on a co-pay program: their cards show a debt."""
        return {
            p.insured_person_id
            for p in self.policies
            if p.insured_person_id and p.insured_person.program.has_copay
        }


def card_policies_for_user(user: User, *, pk: int | None = None) -> CardPolicies:
    """The policies of «Мои полисы» in three queries whatever their number: the links, the
    policies with their register data, the kinds of care. The co-pay debts are the payments'
    (cabinet.selectors.policy_cards_for_user puts both together)."""
    relations = dict(
        PolicyLink.objects.filter(user=user, unlinked_at__isnull=True).values_list(
            "insured_person_id", "relation"
        )
    )
    policies = (
        Policy.objects.filter(Q(holder=user) | Q(insured_person_id__in=list(relations)))
        .exclude(status=Policy.Status.DRAFT)
        # "purchase": a bought policy's shop purchase (its PDF), read in the same query.
        .select_related(
            "insured_person__program", "insured_person__contract__policyholder", "purchase"
        )
        .prefetch_related("insured_person__program__care_kinds")
        .order_by("product", "-starts_on", "number")
    )
    if pk is not None:
        policies = policies.filter(pk=pk)
    return CardPolicies(policies=list(policies), relations=relations)


def policy_cards(found: CardPolicies, *, debts: dict[int, Decimal]) -> PolicyCards:
    """The cards of the policies found, with each co-pay insured person's debt."""
    cards = cards_build(found.policies, debts=debts, relations=found.relations)
    return PolicyCards(policies=found.policies, cards=cards)
