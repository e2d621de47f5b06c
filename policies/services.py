"""Writes of the policies app: linking register rows to a cabinet, activating boxed policies,
ending children's links at 15, and the policy PDFs."""

import datetime
import logging
import secrets
import time
from dataclasses import dataclass
from decimal import Decimal
from functools import cache

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.accounts.models import User
from portal.core import outbox
from portal.core.ratelimits import rate_limit_hit

from .formatting import phone_display
from .identity import (
    CHILD_AGE_LIMIT,
    Identity,
    age_on,
    born_on_or_before_for_age,
    normalize_policy_number,
)
from .models import (
    BoxedPolicyCard,
    InsuredPerson,
    Policy,
    PolicyDocument,
    PolicyLink,
    normalize_activation_code,
    policy_document_path,
)
from .pdf import storage as pdf_storage
from .pdf.data import data_hash, policy_pdf_data
from .pdf.render import policy_pdf_bytes
from .selectors import (
    active_link_of,
    boxed_card_by_number,
    child_matching,
    insured_person_matching,
)

logger = logging.getLogger(__name__)


# --- Messages -------------------------------------------------------------------------------
# An unknown number and someone else's number get the very same answer (no enumeration).


def not_found_message() -> str:
    return _(
        "Полис с такими данными не найден. Проверьте номер полиса и личные данные. Если всё "
        "указано верно, позвоните в круглосуточный Пульс: %(phone)s."
    ) % {"phone": phone_display(settings.HOTLINE_PHONE)}


def linked_elsewhere_message() -> str:
    return _(
        "Этот полис уже подключён к другому личному кабинету. Чтобы подключить его к вашему, "
        "позвоните в круглосуточный Пульс: %(phone)s."
    ) % {"phone": phone_display(settings.HOTLINE_PHONE)}


def too_many_attempts_message() -> str:
    return _(
        "Слишком много попыток. Попробуйте снова через час или позвоните в круглосуточный "
        "Пульс: %(phone)s."
    ) % {"phone": phone_display(settings.HOTLINE_PHONE)}


def _refuse(message: str, code: str) -> ValidationError:
    return ValidationError(message, code=code)


# --- «Добавить полис» -----------------------------------------------------------------------


def policy_lookup(*, user: User, number: str) -> InsuredPerson:
    """Find the person's own register row by the policy number (one counted attempt).

    Raises ValidationError: `rate_limited`, `profile_incomplete`, `not_found` (the same for an
    unknown number and for someone else's), `already_yours`, `linked_elsewhere` (only for the
    person's own row: it names nobody)."""
    identity = Identity.of_user(user)
    if not identity.is_complete:
        raise _refuse(
            _("Заполните фамилию, имя и дату рождения в личной информации, затем добавьте полис."),
            "profile_incomplete",
        )
    if not rate_limit_hit("policy_search", key=str(user.pk)):
        raise _refuse(too_many_attempts_message(), "rate_limited")
    person = insured_person_matching(number=number, identity=identity)
    if person is None:
        raise _refuse(not_found_message(), "not_found")
    _check_not_linked(person, user=user)
    return person


def _check_not_linked(person: InsuredPerson, *, user: User) -> None:
    link = active_link_of(person)
    if link is None:
        return
    if link.user_id == user.pk:
        raise _refuse(
            _("Полис № %(number)s уже есть в вашем кабинете.") % {"number": person.policy_number},
            "already_yours",
        )
    raise _refuse(linked_elsewhere_message(), "linked_elsewhere")


def _link_create(*, user: User, person: InsuredPerson, relation: str) -> PolicyLink:
    # The row is locked so that two requests cannot both pass the check; the partial unique
    # constraint is the last word if they still race.
    InsuredPerson.objects.select_for_update().filter(pk=person.pk).first()
    _check_not_linked(person, user=user)
    link = PolicyLink(user=user, insured_person=person, relation=relation)
    link.full_clean()
    try:
        with transaction.atomic():
            link.save()
    except IntegrityError as exc:
        raise _refuse(linked_elsewhere_message(), "linked_elsewhere") from exc
    dms_policy_ensure(person=person)
    return link


def dms_policy_ensure(*, person: InsuredPerson) -> Policy:
    """The DMS policy of a register row: the row is the policy, so a row loaded without one
    (an HR list) gets it when first linked, and shows in «Мои полисы»."""
    today = timezone.localdate()
    policy, _created = Policy.objects.get_or_create(
        product=Policy.Product.DMS,
        number=person.policy_number,
        defaults={
            "insured_person": person,
            "starts_on": person.starts_on,
            "ends_on": person.ends_on,
            "status": Policy.Status.EXPIRED if today > person.ends_on else Policy.Status.ACTIVE,
        },
    )
    return policy


@transaction.atomic
def policy_link_add(*, user: User, number: str) -> PolicyLink:
    """Link the person's own register row (found by policy_lookup and confirmed) to the cabinet.

    The match is checked again here, not taken from the confirmation form."""
    identity = Identity.of_user(user)
    person = insured_person_matching(number=number, identity=identity)
    if person is None:
        raise _refuse(not_found_message(), "not_found")
    return _link_create(user=user, person=person, relation=PolicyLink.Relation.SELF)


# --- «Добавить полис ребёнка» ---------------------------------------------------------------


@transaction.atomic
def child_policy_link_add(
    *,
    user: User,
    number: str,
    last_name: str,
    first_name: str,
    middle_name: str,
    birth_date: datetime.date,
) -> PolicyLink:
    """Link a child's register row to the parent's cabinet: the child is under 15 today and is
    listed as a dependant of the user. Counted with «Добавить полис» (10 an hour)."""
    if not rate_limit_hit("policy_search", key=str(user.pk)):
        raise _refuse(too_many_attempts_message(), "rate_limited")
    identity = Identity(
        last_name=last_name, first_name=first_name, middle_name=middle_name, birth_date=birth_date
    )
    child = child_matching(user=user, number=number, identity=identity)
    if child is None:
        raise _refuse(not_found_message(), "not_found")
    if age_on(child.birth_date, timezone.localdate()) >= CHILD_AGE_LIMIT:
        raise _refuse(
            _(
                "Полис ребёнка подключается к кабинету родителя до 15 лет. С 15 лет ребёнок "
                "может зарегистрироваться в личном кабинете сам."
            ),
            "too_old",
        )
    return _link_create(user=user, person=child, relation=PolicyLink.Relation.CHILD)


def child_links_due_to_end(*, today: datetime.date) -> list[int]:
    """Active child links whose child is 15 or older on the day."""
    cutoff = born_on_or_before_for_age(CHILD_AGE_LIMIT, today)
    return list(
        PolicyLink.objects.filter(
            relation=PolicyLink.Relation.CHILD,
            unlinked_at__isnull=True,
            insured_person__birth_date__lte=cutoff,
        ).values_list("pk", flat=True)
    )


def child_link_end(*, link_id: int, now: datetime.datetime) -> bool:
    """End one child's link (the child turned 15); False when it had already ended, so that a
    second run changes nothing and notifies no one again."""
    with transaction.atomic():
        ended = PolicyLink.objects.filter(
            pk=link_id, relation=PolicyLink.Relation.CHILD, unlinked_at__isnull=True
        ).update(unlinked_at=now, updated_at=now)
        if ended:
            from .tasks import child_link_ended_notify

            outbox.send(child_link_ended_notify, link_id)
    return bool(ended)


@transaction.atomic
def policy_links_end(*, user: User, now: datetime.datetime) -> int:
    """End every link of the user's account to a policy (the account is being deleted): the
    register rows stay the insurer's. Returns the number of links ended."""
    return PolicyLink.objects.filter(user=user, unlinked_at__isnull=True).update(
        unlinked_at=now, updated_at=now
    )


def child_link_ended_notify(*, link_id: int) -> bool:
    """E-mail the parent once that the child's policy left the cabinet."""
    now = timezone.now()
    with transaction.atomic():
        # Claimed before sending: a redelivered task sends nothing (at most once).
        claimed = PolicyLink.objects.filter(
            pk=link_id, unlinked_at__isnull=False, end_notified_at__isnull=True
        ).update(end_notified_at=now)
        if not claimed:
            return False
        link = PolicyLink.objects.select_related("user", "insured_person").get(pk=link_id)
    send_mail(
        subject=_("Полис ребёнка отключён от личного кабинета"),
        message=_(
            "Здравствуйте, %(name)s!\n\n"
            "%(child)s исполнилось 15 лет, и полис № %(number)s больше не показывается в вашем "
            "личном кабинете. Полис продолжает действовать: теперь ребёнок может "
            "зарегистрироваться в личном кабинете сам и добавить свой полис.\n\n"
            "Вопросы — в круглосуточный Пульс: %(phone)s.\n\n%(insurer)s"
        )
        % {
            "name": link.user.first_name or link.user.email,
            "child": link.insured_person.first_name,
            "number": link.insured_person.policy_number,
            "phone": phone_display(settings.HOTLINE_PHONE),
            "insurer": settings.INSURER_NAME,
        },
        from_email=None,
        recipient_list=[link.user.email],
    )
    return True


# --- «Активация полиса» (boxed policies) ----------------------------------------------------


@cache
def _dummy_code_hash() -> str:
    return make_password("not-a-real-code")


def _wrong_card_message() -> str:
    return _("Неверный номер полиса или код активации. Проверьте данные на карточке полиса.")


@transaction.atomic
def boxed_policy_activate(*, user: User, number: str, code: str) -> Policy:
    """Activate a boxed policy by its number and scratch-off code: the policy is made for the
    user and starts after the product's waiting period. A code works once."""
    number = normalize_policy_number(number)
    if not rate_limit_hit("activation_user", key=str(user.pk)) or not rate_limit_hit(
        "activation_number", key=number
    ):
        raise _refuse(too_many_attempts_message(), "rate_limited")
    card = boxed_card_by_number(number)
    if card is None:
        # Hash anyway: an unknown number takes as long to refuse as a wrong code.
        BoxedPolicyCard(code_hash=_dummy_code_hash()).check_code(code)
        raise _refuse(_wrong_card_message(), "wrong_code")
    card = BoxedPolicyCard.objects.select_for_update().get(pk=card.pk)
    if not normalize_activation_code(code) or not card.check_code(code):
        raise _refuse(_wrong_card_message(), "wrong_code")
    if card.is_activated:
        raise _refuse(
            _(
                "Этот полис уже активирован, код активации использован. Если это сделали не вы, "
                "позвоните в круглосуточный Пульс: %(phone)s."
            )
            % {"phone": phone_display(settings.HOTLINE_PHONE)},
            "already_activated",
        )
    today = timezone.localdate()
    if card.activate_by is not None and today > card.activate_by:
        raise _refuse(
            _("Срок активации этого полиса истёк %(day)s.")
            % {"day": f"{card.activate_by:%d.%m.%Y}"},
            "activation_expired",
        )
    starts_on = today + datetime.timedelta(days=card.waiting_days)
    policy = Policy(
        product=card.product,
        number=card.number,
        holder=user,
        starts_on=starts_on,
        ends_on=starts_on + datetime.timedelta(days=card.term_days - 1),
        status=Policy.Status.ACTIVE,
        premium=card.premium,
        product_data={
            "title": card.title,
            "boxed": True,
            "sum_insured": f"{card.sum_insured:.2f}",
            "waiting_days": card.waiting_days,
        },
        tariff_version="boxed",
    )
    policy.full_clean()
    policy.save()
    card.activated_at = timezone.now()
    card.activated_by = user
    card.policy = policy
    card.full_clean()
    card.save(update_fields=["activated_at", "activated_by", "policy", "updated_at"])
    # The policy's PDF is made now (by the worker, once this commits): it waits in «Мои документы»
    policy_document_request(policy=policy)
    return policy


@dataclass(frozen=True)
class BoxedCardSeed:
    number: str
    code: str  # published demo codes, printed by seed_demo; not secrets
    product: str
    title: str
    waiting_days: int
    term_days: int
    sum_insured: str
    premium: str


DEMO_BOXED_CARDS = (
    BoxedCardSeed(
        "НС-2026-000101", "4827-1593", Policy.Product.ACCIDENT,
        "«Защита 24» — от несчастного случая", 5, 365, "500000.00", "1990.00",
    ),
    BoxedCardSeed(
        "ОНК-2026-000201", "7310-6648", Policy.Product.ONCOLOGY,
        "«Онкопомощь» — лечение онкологических заболеваний", 90, 365, "1500000.00", "3490.00",
    ),
    BoxedCardSeed(
        "ИМ-2026-000301", "5092-3371", Policy.Product.PROPERTY,
        "«Квартира Экспресс» — страхование квартиры", 0, 365, "1000000.00", "2490.00",
    ),
)  # fmt: skip


@transaction.atomic
def boxed_cards_seed() -> list[BoxedCardSeed]:
    """The demo boxed cards, made when missing (safe to run twice): call from seed_demo and print
    the numbers and codes. An activated card stays activated."""
    for seed in DEMO_BOXED_CARDS:
        if BoxedPolicyCard.objects.filter(number=seed.number).exists():
            continue
        card = BoxedPolicyCard(
            number=seed.number,
            product=seed.product,
            title=seed.title,
            waiting_days=seed.waiting_days,
            term_days=seed.term_days,
            sum_insured=Decimal(seed.sum_insured),
            premium=Decimal(seed.premium),
        )
        card.set_code(seed.code)
        card.full_clean()
        card.save()
    return list(DEMO_BOXED_CARDS)


# --- Policy PDFs ----------------------------------------------------------------------------


def policy_verify_token_ensure(*, policy: Policy) -> str:
    """The policy's verify token, made on first need (unguessable: 192 random bits)."""
    if policy.verify_token:
        return policy.verify_token
    token = secrets.token_urlsafe(24)
    Policy.objects.filter(pk=policy.pk, verify_token__isnull=True).update(verify_token=token)
    # Another request may have won the race: read back whichever token is stored.
    policy.verify_token = Policy.objects.values_list("verify_token", flat=True).get(pk=policy.pk)
    return policy.verify_token


def policy_document_state(*, policy: Policy) -> tuple[dict, str]:
    """What the policy's PDF must show now, and its hash."""
    data = policy_pdf_data(policy, token=policy_verify_token_ensure(policy=policy))
    return data, data_hash(data)


@transaction.atomic
def policy_document_request(*, policy: Policy) -> PolicyDocument:
    """The policy's PDF row, ready when the stored file shows the current data; otherwise the
    PDF is queued to be made (a Celery task; inline in eager mode) and the row is pending."""
    if not policy.has_pdf:
        raise ValueError(f"{policy} has no PDF")
    _data, digest = policy_document_state(policy=policy)
    document, created = PolicyDocument.objects.select_for_update().get_or_create(policy=policy)
    from .tasks import policy_document_render_task

    policy_id = policy.pk
    return pdf_storage.queue_once(
        document,
        digest,
        created=created,
        queue=lambda: outbox.send(policy_document_render_task, policy_id),
    )


def policy_documents_stuck_requeue() -> int:
    """Documents pending longer than PENDING_RETRY_AFTER (their render lost with a killed worker,
    or never delivered) are queued again, each once per period, through the outbox."""
    from .tasks import policy_document_render_task

    cutoff = timezone.now() - pdf_storage.PENDING_RETRY_AFTER
    requeued = 0
    with transaction.atomic():
        stuck = list(
            PolicyDocument.objects.select_for_update(skip_locked=True)
            .filter(status=PolicyDocument.Status.PENDING, updated_at__lt=cutoff)
            .values_list("pk", "policy_id")[:500]
        )
        for pk, policy_id in stuck:
            PolicyDocument.objects.filter(pk=pk).update(updated_at=timezone.now())
            outbox.send(policy_document_render_task, policy_id)
            requeued += 1
    if requeued:
        logger.warning("policy PDFs stuck in rendering: %s queued again", requeued)
    return requeued


def policy_document_render(*, policy_id: int) -> PolicyDocument | None:
    """Make the policy's PDF from its current data and store it privately; nothing to do when
    the stored file already shows that data (safe to run twice)."""
    policy = (
        Policy.objects.select_related(
            "holder", "insured_person__program", "insured_person__contract__policyholder"
        )
        .prefetch_related("insured_person__program__care_kinds")
        .filter(pk=policy_id)
        .first()
    )
    if policy is None or not policy.has_pdf:
        return None
    data, digest = policy_document_state(policy=policy)
    document, _created = PolicyDocument.objects.get_or_create(policy=policy)
    if pdf_storage.is_served(document, digest):
        return document
    started = time.perf_counter()
    try:
        # Outside any transaction: rendering takes a few hundred milliseconds.
        pdf = policy_pdf_bytes(data, generated_on=timezone.localdate())
    except Exception:
        pdf_storage.mark_failed(document, digest)
        logger.exception("policy PDF failed: policy %s", policy_id)
        raise
    render_ms = round((time.perf_counter() - started) * 1000)
    return pdf_storage.store(document, digest, pdf, path=policy_document_path, render_ms=render_ms)


def policy_verify_token_revoke(*, policy: Policy) -> None:
    """The old QR code stops answering (a leaked or reissued policy): the next PDF gets a new
    token, and the stored one is made again since its data changed."""
    Policy.objects.filter(pk=policy.pk).update(verify_token=None, updated_at=timezone.now())
    policy.verify_token = None


def policy_documents_refresh(*, policies) -> int:
    """Queue the PDFs of these policies again when what they print has changed (a Latin name
    corrected in «Личная информация», for one): cached ones that still show the data stay."""
    count = 0
    for policy in policies:
        if policy.has_pdf:
            document = policy_document_request(policy=policy)
            count += document.status != PolicyDocument.Status.READY
    return count
